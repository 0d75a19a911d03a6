"""Dates and messages: open deadlines, the working-day calendar, the inbox, the e-mail outbox, and the
calendar feed (its page and the ``.ics`` itself)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from assignment import workdays
from legalaid import clock, limits, listing
from legalaid.auth import login_required, roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError
from legalaid.models import CASE_STAFF
from supervision.scheduling import calendar as feeds
from supervision.scheduling import lists, reminders
from supervision.scheduling.blueprint import bp, fail, feed_bp
from supervision.scheduling.deadlines import DEPTH, deadline_page
from supervision.scheduling.forms import (
    CalendarDayForm,
    ClearDayForm,
)
from supervision.scheduling.labels import outbox_count_text, outbox_error_label
from supervision.scheduling.messages import reminder_words
from supervision.scheduling.models import (
    OutboxMessage,
)
from supervision.scheduling.rules import setting


@bp.route("/deadlines")
@roles_required(*CASE_STAFF)
def deadline_list():
    """Deadlines due today and overdue (or as the filter asks), most overdue first, paged as
    ``GET /api/v1/deadlines``; the count stops at 1,000."""
    today = clock.today()
    form = lists.DeadlineFilterForm(request.args)
    if not form.validate():
        return render_template(
            "supervision/scheduling/deadlines.html",
            page=listing.empty_page(),
            capped=False,
            filters=form,
            today=today,
        ), 422
    args = {field.name: (field.data if field.data not in ("", False) else None) for field in form}
    first, last = lists.deadline_range(args, today)
    per_page = current_app.config.get("LIST_PAGE_SIZE", listing.PAGE_SIZE)
    deepest = max(1, DEPTH // per_page)  # the list reads its first 10,000 rows at most

    def read(number: int, count: bool = True):
        return deadline_page(
            db.session,
            today=today,
            name=args["deadline"],
            due_from=first,
            due_to=last,
            descending=args["sort"] == "-due_on",
            offset=(number - 1) * per_page,
            limit=per_page,
            count=count,
        )

    number = min(limits.int_arg(request.args, "page", 1, minimum=1), deepest)
    found = read(number)
    pages = min(max(1, -(-found.total // per_page)), deepest)
    if found.capped:  # counted only so far: there is at least one more page
        pages = min(max(pages, number + 1), deepest)
    if number > pages:  # past the end: the last page
        number = pages
        found.rows = read(number, count=False).rows
    page = listing.Page(found.rows, found.total, number, pages, listing.page_query())
    return render_template(
        "supervision/scheduling/deadlines.html",
        page=page,
        capped=found.capped,
        filters=form,
        today=today,
    )


@bp.route("/working-days", methods=["GET", "POST"])
@roles_required("admin", "coordinator")
def working_days():
    year = limits.year_arg(request.args, default=clock.today().year)
    form, clear = CalendarDayForm(), ClearDayForm(prefix="clear")
    if request.method == "POST":
        if not current_user.has_role("admin"):
            abort(403)
        try:
            if request.form.get("action") == "set" and form.validate_on_submit():
                workdays.set_calendar_day(
                    db.session, current_user, form.day.data, form.working.data == "working", form.note.data
                )
                db.session.commit()
                flash(_("Calendar saved."), "success")
                return redirect(url_for("scheduling.working_days", year=form.day.data.year))
        except (DomainError, ValueError) as exc:
            fail(exc if isinstance(exc, DomainError) else DomainError(str(exc)))
    return render_template(
        "supervision/scheduling/working_days.html",
        days=workdays.calendar_days(db.session, year),
        year=year,
        form=form,
        clear=clear,
    )


# --- inbox, e-mail outbox, calendar feed ---


@bp.post("/working-days/clear")
@roles_required("admin")
@asks_first(
    _l("Remove this day from the calendar? It becomes an ordinary day of the week again."),
    yes=_l("Yes, remove it"),
    detail=lambda: request.form.get("clear-day"),
)
def working_day_clear():
    clear = ClearDayForm(prefix="clear")
    year = clock.today().year
    if clear.validate_on_submit():
        try:
            day = limits.date_arg(clear.day.data)
            workdays.clear_calendar_day(db.session, current_user, day)
            db.session.commit()
            flash(_("Back to the ordinary week."), "success")
            year = day.year
        except (DomainError, ValueError) as exc:
            fail(exc if isinstance(exc, DomainError) else DomainError(str(exc)))
    return redirect(url_for("scheduling.working_days", year=year))


@bp.route("/inbox", methods=["GET", "POST"])
@login_required
def inbox():
    if request.method == "POST" and FlaskForm().validate_on_submit():
        reminders.mark_read(db.session, current_user.id)
        db.session.commit()
        return redirect(url_for("scheduling.inbox"))
    items = list(db.session.scalars(reminders.inbox_statement(current_user.id).limit(200)))
    return render_template(
        "supervision/scheduling/inbox.html",
        items=items,
        reminder_words=reminder_words,  # said in the reader's language
        form=FlaskForm(),
        unread=reminders.unread_count(db.session, current_user.id),
    )


@bp.route("/outbox", methods=["GET", "POST"])
@roles_required("admin")
def outbox():
    if request.method == "POST":
        return _send_again(message_id=limits.int_arg(request.form, "message_id", 0))
    counts = dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return render_template(
        "supervision/scheduling/outbox.html",
        failed=reminders.failed_emails(db.session),
        counts=[outbox_count_text(status, n) for status, n in sorted(counts.items())],
        form=FlaskForm(),
        error_label=outbox_error_label,
        max_attempts=setting("outbox_max_attempts"),
    )


def _given_up(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return message


def _email_detail(message_id: int) -> str:
    message = _given_up(message_id)
    return f"{message.to_address} · {message.subject}"


@asks_first(
    _l("Send this e-mail again? The service tries it afresh, up to its number of attempts."),
    yes=_l("Yes, send it again"),
    detail=_email_detail,
)
def _send_again(message_id: int):
    """A given-up e-mail back to the outbox (asked first; audited; refused when no longer given up)."""
    message = _given_up(message_id)
    if FlaskForm().validate_on_submit():
        try:
            reminders.retry_email(db.session, current_user, message)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.shown(), "error")
        else:
            db.session.commit()
            flash(_("The e-mail will be sent again."), "success")
    return redirect(url_for("scheduling.outbox"))


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def calendar_page():
    url = None
    if request.method == "POST" and FlaskForm().validate_on_submit():
        if request.form.get("action") == "revoke":
            return redirect(url_for("scheduling.calendar_page"))  # revoking asks first, below
        else:
            token = feeds.issue_feed(db.session, current_user)
            url = url_for("scheduling_feed.calendar_feed", token=token, _external=True)
            flash(_("Your new calendar feed is ready; the previous address no longer works."), "success")
        db.session.commit()
    return render_template(
        "supervision/scheduling/calendar.html",
        url=url,
        form=FlaskForm(),
        active=feeds.has_feed(db.session, current_user.id),
    )


@bp.post("/calendar/revoke")
@login_required
@asks_first(
    _l("Revoke your calendar feed? Calendars that read it stop updating."),
    yes=_l("Yes, revoke it"),
)
def calendar_revoke():
    if FlaskForm().validate_on_submit():
        feeds.revoke_feeds(db.session, current_user)
        db.session.commit()
        flash(_("Your calendar feed is revoked."), "success")
    return redirect(url_for("scheduling.calendar_page"))


@feed_bp.route("/calendar/<token>.ics")
def calendar_feed(token: str):
    user = feeds.user_for_feed(db.session, token)
    if user is None:
        abort(404)
    return Response(
        feeds.build_feed(db.session, user),
        mimetype="text/calendar",
        headers={"Cache-Control": "private, max-age=300"},
    )
