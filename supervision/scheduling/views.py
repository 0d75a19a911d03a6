"""Pages of supervision scheduling: call lists and attempts, observation schedules and reports,
hearings, red flags, deadlines, the working-day calendar, the inbox and the calendar feed. Thin: each
form calls the same service function as the API."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from assignment import workdays
from assignment.intake import get_case
from assignment.models import Case, Provider
from legalaid import clock, limits
from legalaid.auth import login_required, roles_required
from legalaid.db import db
from legalaid.errors import DomainError
from legalaid.models import CASE_STAFF, User
from supervision.scheduling import calendar as feeds
from supervision.scheduling import calls, hearings, observations, reminders
from supervision.scheduling.deadlines import open_deadlines
from supervision.scheduling.models import (
    FollowUpCall,
    Hearing,
    Observation,
    OutboxMessage,
    RedFlag,
)

bp = Blueprint("scheduling", __name__, url_prefix="/supervision")
feed_bp = Blueprint("scheduling_feed", __name__)

STAFF = CASE_STAFF
RATING_CHOICES = [SelectChoice(str(i), str(i)) for i in range(1, 6)]


def purpose_label(purpose: str) -> str:
    return {
        "after_assignment": _("7 days after assignment"),
        "after_hearing": _("3 days after the first hearing"),
        "after_closing": _("7 days after closing"),
    }.get(purpose, purpose)


def status_label(status: str) -> str:
    return {
        "planned": _("planned"),
        "retrying": _("retrying"),
        "done": _("done"),
        "unreachable": _("unreachable"),
        "cancelled": _("cancelled"),
        "scheduled": _("scheduled"),
        "unassigned": _("no observer"),
        "reported": _("reported"),
        "open": _("open"),
        "confirmed": _("confirmed"),
        "dismissed": _("dismissed"),
    }.get(status, status)


def satisfaction_label(value: str | None) -> str:
    return {
        "satisfied": _("satisfied"),
        "basically_satisfied": _("basically satisfied"),
        "unsatisfied": _("unsatisfied"),
    }.get(value or "", "")


class HearingForm(FlaskForm):
    starts_at = DateTimeLocalField(
        _l("Starts"), validators=[DataRequired(), limits.InWindow("hearing")], format="%Y-%m-%dT%H:%M"
    )
    ends_at = DateTimeLocalField(
        _l("Ends (default: 3 hours later)"),
        validators=[Optional(), limits.InWindow("hearing")],
        format="%Y-%m-%dT%H:%M",
    )
    court = StringField(_l("Court"), validators=[DataRequired(), Length(max=200)])
    room = StringField(_l("Courtroom"), validators=[Optional(), Length(max=60)])


class CancelForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=300)])


class ReportForm(FlaskForm):
    preparation = RadioField(
        _l("Preparation (庭前准备)"), choices=RATING_CHOICES, validators=[InputRequired()]
    )
    examination = RadioField(
        _l("Examination (法庭调查)"), choices=RATING_CHOICES, validators=[InputRequired()]
    )
    argument = RadioField(_l("Argument (法庭辩论)"), choices=RATING_CHOICES, validators=[InputRequired()])
    effect = RadioField(_l("Effect (庭审效果)"), choices=RATING_CHOICES, validators=[InputRequired()])
    court_view = TextAreaField(
        _l("The court's view of the provider"), validators=[Optional(), Length(max=4000)]
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])


class AttemptForm(FlaskForm):
    reached = RadioField(
        _l("Did you reach the client?"),
        choices=[SelectChoice("yes", _l("Reached")), SelectChoice("no", _l("Not reached"))],
        validators=[InputRequired()],
    )
    satisfaction = SelectField(
        _l("Satisfaction"),
        choices=[
            SelectChoice("", "—"),
            SelectChoice("satisfied", _l("satisfied")),
            SelectChoice("basically_satisfied", _l("basically satisfied")),
            SelectChoice("unsatisfied", _l("unsatisfied")),
        ],
        validators=[Optional()],
    )
    took_money = BooleanField(_l("The provider took money or gifts"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])


class ResolveForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=[SelectChoice("confirmed", _l("Confirmed")), SelectChoice("dismissed", _l("Dismissed"))],
        validators=[InputRequired()],
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class CalendarDayForm(FlaskForm):
    day = DateField(_l("Day"), validators=[DataRequired(), limits.InWindow("planning")])
    working = SelectField(
        _l("Kind"),
        choices=[SelectChoice("holiday", _l("Holiday")), SelectChoice("working", _l("Make-up working day"))],
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class ClearDayForm(FlaskForm):
    day = HiddenField(validators=[DataRequired()])


def _aware(local: dt.datetime | None) -> dt.datetime | None:
    return local.replace(tzinfo=clock.centre_tz()) if local is not None else None


def _fail(exc: DomainError):
    db.session.rollback()
    flash(exc.shown(), "error")


def _lookups(case_ids=(), user_ids=(), provider_ids=()) -> dict:
    out = {"cases": {}, "users": {}, "providers": {}}
    if case_ids:
        out["cases"] = dict(
            db.session.execute(sa.select(Case.id, Case.number).where(Case.id.in_(set(case_ids)))).all()
        )
    if user_ids:
        rows = db.session.execute(
            sa.select(User.id, User.display_name, User.username).where(
                User.id.in_({u for u in user_ids if u})
            )
        )
        out["users"] = {uid: name or username for uid, name, username in rows}
    if provider_ids:
        out["providers"] = dict(
            db.session.execute(
                sa.select(Provider.id, Provider.name).where(Provider.id.in_({p for p in provider_ids if p}))
            ).all()
        )
    return out


def _helpers() -> dict:
    return {
        "purpose_label": purpose_label,
        "status_label": status_label,
        "satisfaction_label": satisfaction_label,
        "reason_label": observations.observation_reason_label,
    }


# --- follow-up calls ---


@bp.route("/calls")
@roles_required("supervisor")
def call_list():
    today = clock.today()
    todo = calls.daily_call_list(db.session, today, current_user.id)
    names = _lookups([c.case_id for c in todo], [c.caller_id for c in todo])
    return render_template(
        "supervision/scheduling/calls.html", calls=todo, today=today, names=names, **_helpers()
    )


@bp.route("/calls/<int:call_id>", methods=["GET", "POST"])
@roles_required("supervisor")
def call_detail(call_id: int):
    call = calls.get_call(db.session, call_id)
    form = AttemptForm()
    if form.validate_on_submit():
        reached = form.reached.data == "yes"
        try:
            calls.record_call_attempt(
                db.session,
                current_user,
                call,
                reached=reached,
                satisfaction=(form.satisfaction.data or None) if reached else None,
                took_money=form.took_money.data if reached else None,
                notes=form.notes.data,
            )
            db.session.commit()
        except DomainError as exc:
            _fail(exc)
        else:
            flash(_("Attempt recorded: the call is %(status)s.", status=status_label(call.status)), "success")
            return redirect(url_for("scheduling.call_list"))
    names = _lookups([call.case_id], [call.caller_id] + [a.by_id for a in call.attempts], [call.provider_id])
    return render_template(
        "supervision/scheduling/call.html",
        call=call,
        form=form,
        names=names,
        script=calls.script(call.purpose),
        **_helpers(),
    ), (422 if form.errors else 200)


# --- observations ---


@bp.route("/observations")
@roles_required("supervisor", "coordinator", "admin")
def observation_list():
    now = clock.now()
    mine = list(
        db.session.scalars(
            observations.observations_statement(observer_id=current_user.id).where(
                Observation.status.in_(("scheduled", "unassigned"))
            )
        )
    )
    unassigned = list(
        db.session.scalars(
            observations.observations_statement(status="unassigned").where(
                Observation.starts_at > now - dt.timedelta(days=30)
            )
        )
    )
    reported = list(
        db.session.scalars(
            observations.observations_statement(observer_id=current_user.id, status="reported")
            .order_by(None)
            .order_by(Observation.starts_at.desc())
            .limit(20)
        )
    )
    every = mine + unassigned + reported
    names = _lookups(
        [o.case_id for o in every], [o.observer_id for o in every], [o.provider_id for o in every]
    )
    return render_template(
        "supervision/scheduling/observations.html",
        mine=mine,
        unassigned=unassigned,
        reported=reported,
        names=names,
        now=now,
        **_helpers(),
    )


@bp.route("/observations/<int:observation_id>", methods=["GET", "POST"])
@roles_required("supervisor", "coordinator", "admin")
def observation_detail(observation_id: int):
    observation = observations.get_observation(db.session, observation_id)
    form = ReportForm()
    if request.method == "POST" and not current_user.has_role("supervisor"):
        abort(403)
    if form.validate_on_submit():
        try:
            observations.report_observation(
                db.session,
                current_user,
                observation,
                **{
                    r: int(getattr(form, r).data)
                    for r in ("preparation", "examination", "argument", "effect")
                },
                court_view=form.court_view.data,
                notes=form.notes.data,
            )
            db.session.commit()
        except DomainError as exc:
            _fail(exc)
        else:
            flash(_("Observation report filed."), "success")
            return redirect(url_for("scheduling.observation_list"))
    names = _lookups([observation.case_id], [observation.observer_id], [observation.provider_id])
    return render_template(
        "supervision/scheduling/observation.html",
        o=observation,
        h=observation.hearing,
        form=form,
        names=names,
        **_helpers(),
    ), (422 if form.errors else 200)


# --- hearings ---


@bp.route("/hearings")
@roles_required(*CASE_STAFF, "provider")
def hearing_list():
    now = clock.now()
    if current_user.has_role(*STAFF):
        stmt = hearings.hearings_statement(from_=now - dt.timedelta(days=7))
    elif current_user.provider_id is not None:
        stmt = hearings.hearings_statement(provider_id=current_user.provider_id)
    else:
        stmt = hearings.hearings_statement(provider_id=-1)
    rows = list(db.session.scalars(stmt.limit(500)))
    names = _lookups([h.case_id for h in rows], [h.observation.observer_id for h in rows if h.observation])
    return render_template(
        "supervision/scheduling/hearings.html", hearings=rows, names=names, now=now, **_helpers()
    )


@bp.route("/cases/<int:case_id>/hearings/new", methods=["GET", "POST"])
@roles_required(*hearings.RECORDERS)
def hearing_new(case_id: int):
    case = get_case(db.session, case_id, current_user)
    form = HearingForm()
    if form.validate_on_submit():
        try:
            hearing = hearings.record_hearing(
                db.session,
                current_user,
                case,
                starts_at=_aware(form.starts_at.data),
                ends_at=_aware(form.ends_at.data),
                court=form.court.data,
                room=form.room.data,
            )
            db.session.commit()
        except DomainError as exc:
            _fail(exc)
        else:
            flash(_("Hearing recorded."), "success")
            return redirect(url_for("scheduling.hearing_detail", hearing_id=hearing.id))
    return render_template("supervision/scheduling/hearing_form.html", case=case, form=form, hearing=None), (
        422 if form.errors else 200
    )


@bp.route("/hearings/<int:hearing_id>", methods=["GET", "POST"])
@roles_required(*CASE_STAFF, "provider")
def hearing_detail(hearing_id: int):
    hearing = hearings.get_hearing(db.session, hearing_id, current_user)
    case = db.session.get(Case, hearing.case_id)
    tz = clock.centre_tz()
    form = HearingForm(
        data={
            "starts_at": hearing.starts_at.astimezone(tz).replace(tzinfo=None),
            "ends_at": hearing.ends_at.astimezone(tz).replace(tzinfo=None),
            "court": hearing.court,
            "room": hearing.room,
        }
    )
    cancel_form = CancelForm(prefix="cancel")
    may_change = current_user.has_role("coordinator", "admin", "provider") and hearing.status == "scheduled"
    if request.method == "POST":
        if not may_change:
            abort(403)
        try:
            if request.form.get("action") == "cancel" and cancel_form.validate_on_submit():
                hearings.cancel_hearing(db.session, current_user, hearing, cancel_form.reason.data)
                db.session.commit()
                flash(_("Hearing cancelled."), "success")
                return redirect(url_for("scheduling.hearing_detail", hearing_id=hearing.id))
            if request.form.get("action") == "move" and form.validate_on_submit():
                hearings.move_hearing(
                    db.session,
                    current_user,
                    hearing,
                    starts_at=_aware(form.starts_at.data),
                    ends_at=_aware(form.ends_at.data),
                    court=form.court.data,
                    room=form.room.data,
                )
                db.session.commit()
                flash(_("Hearing moved; its observation and reminders moved with it."), "success")
                return redirect(url_for("scheduling.hearing_detail", hearing_id=hearing.id))
        except DomainError as exc:
            _fail(exc)
    o = hearing.observation
    names = _lookups([hearing.case_id], [o.observer_id] if o else [], [hearing.provider_id])
    return render_template(
        "supervision/scheduling/hearing.html",
        hearing=hearing,
        case=case,
        form=form,
        cancel_form=cancel_form,
        may_change=may_change,
        names=names,
        **_helpers(),
    )


# --- red flags ---


@bp.route("/red-flags")
@roles_required("supervisor", "coordinator", "admin")
def red_flag_list():
    flags = list(
        db.session.scalars(
            sa.select(RedFlag).order_by(RedFlag.status != "open", RedFlag.raised_at.desc()).limit(300)
        )
    )
    names = _lookups(
        [f.case_id for f in flags], [f.resolved_by for f in flags], [f.provider_id for f in flags]
    )
    return render_template("supervision/scheduling/red_flags.html", flags=flags, names=names, **_helpers())


@bp.route("/red-flags/<int:flag_id>", methods=["GET", "POST"])
@roles_required("supervisor", "coordinator", "admin")
def red_flag_detail(flag_id: int):
    flag = calls.get_red_flag(db.session, flag_id)
    form = ResolveForm()
    if request.method == "POST" and not current_user.has_role("supervisor"):
        abort(403)
    if form.validate_on_submit():
        try:
            calls.resolve_red_flag(db.session, current_user, flag, form.outcome.data, form.reason.data)
            db.session.commit()
        except DomainError as exc:
            _fail(exc)
        else:
            flash(_("Red flag %(status)s.", status=status_label(flag.status)), "success")
            return redirect(url_for("scheduling.red_flag_list"))
    call = db.session.get(FollowUpCall, flag.call_id) if flag.call_id else None
    names = _lookups([flag.case_id], [flag.resolved_by], [flag.provider_id])
    return render_template(
        "supervision/scheduling/red_flag.html", flag=flag, call=call, form=form, names=names, **_helpers()
    ), (422 if form.errors else 200)


# --- deadlines and the working-day calendar ---


@bp.route("/deadlines")
@roles_required(*CASE_STAFF)
def deadline_list():
    today = clock.today()
    return render_template(
        "supervision/scheduling/deadlines.html", deadlines=open_deadlines(db.session, today), today=today
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
            if request.form.get("action") == "clear" and clear.validate_on_submit():
                workdays.clear_calendar_day(db.session, current_user, limits.date_arg(clear.day.data))
                db.session.commit()
                flash(_("Back to the ordinary week."), "success")
                return redirect(url_for("scheduling.working_days", year=year))
            if request.form.get("action") == "set" and form.validate_on_submit():
                workdays.set_calendar_day(
                    db.session, current_user, form.day.data, form.working.data == "working", form.note.data
                )
                db.session.commit()
                flash(_("Calendar saved."), "success")
                return redirect(url_for("scheduling.working_days", year=form.day.data.year))
        except (DomainError, ValueError) as exc:
            _fail(exc if isinstance(exc, DomainError) else DomainError(str(exc)))
    return render_template(
        "supervision/scheduling/working_days.html",
        days=workdays.calendar_days(db.session, year),
        year=year,
        form=form,
        clear=clear,
    )


# --- inbox, e-mail outbox, calendar feed ---


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
        form=FlaskForm(),
        unread=reminders.unread_count(db.session, current_user.id),
    )


@bp.route("/outbox", methods=["GET", "POST"])
@roles_required("admin")
def outbox():
    if request.method == "POST" and FlaskForm().validate_on_submit():
        message = db.session.get(OutboxMessage, limits.int_arg(request.form, "message_id", 0))
        if message is None:
            abort(404)
        reminders.retry_email(db.session, current_user, message)
        db.session.commit()
        flash(_("The e-mail will be sent again."), "success")
        return redirect(url_for("scheduling.outbox"))
    counts = dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return render_template(
        "supervision/scheduling/outbox.html",
        failed=reminders.failed_emails(db.session),
        counts=counts,
        form=FlaskForm(),
    )


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def calendar_page():
    url = None
    if request.method == "POST" and FlaskForm().validate_on_submit():
        if request.form.get("action") == "revoke":
            feeds.revoke_feeds(db.session, current_user)
            flash(_("Your calendar feed is revoked."), "success")
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


def home_panel(user) -> str | None:
    """The home page's "today" block for supervisors: calls due and observations coming."""
    if not user.has_role("supervisor"):
        return None
    today = clock.today()
    due = len(calls.daily_call_list(db.session, today, user.id))
    coming = db.session.scalar(
        sa.select(sa.func.count()).where(
            Observation.observer_id == user.id,
            Observation.status == "scheduled",
            Observation.starts_at > clock.now(),
        )
    )
    return Markup(render_template("supervision/scheduling/_home_panel.html", due=due, coming=coming))


def provider_home_panel(user) -> str | None:
    if user.provider_id is None:
        return None
    coming = list(
        db.session.scalars(
            sa.select(Hearing)
            .where(
                Hearing.provider_id == user.provider_id,
                Hearing.status == "scheduled",
                Hearing.ends_at > clock.now(),
            )
            .order_by(Hearing.starts_at)
            .limit(5)
        )
    )
    if not coming:
        return None
    names = _lookups([h.case_id for h in coming])
    return Markup(
        render_template("supervision/scheduling/_provider_panel.html", hearings=coming, names=names)
    )


def bell_label() -> str:
    """The inbox entry of the navigation: a bell with the unread count."""
    count = reminders.unread_count(db.session, current_user.id)
    return f"🔔 {_('Inbox')} {count}" if count else f"🔔 {_('Inbox')}"
