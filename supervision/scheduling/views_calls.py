"""The supervisors' follow-up call pages (the day's list, a call and its attempts) and the red flags
those calls raise (the list, a flag and its resolution)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from assignment.models import Case
from legalaid import clock, listing
from legalaid.auth import roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError
from supervision.scheduling import calls, lists
from supervision.scheduling.blueprint import bp, fail, lookups, page_helpers
from supervision.scheduling.forms import (
    AttemptForm,
    ResolveForm,
)
from supervision.scheduling.models import (
    FollowUpCall,
    RedFlag,
)


@bp.route("/calls")
@roles_required("supervisor")
def call_list():
    """Today's calls (due or overdue, the supervisor's own first), then every call, paged, sorted and
    filtered as ``GET /api/v1/follow-ups``."""
    today = clock.today()
    todo = lists.daily_call_page(db.session, today, current_user.id)
    form = lists.CallFilterForm(request.args)
    form.sort.choices = listing.sort_choices(lists.CALL_SORTS, lists.CALL_SORT_LABELS)
    form.caller_id.choices = lists.caller_choices(db.session)
    args = None
    if form.validate():
        args = {field.name: (field.data if field.data not in ("", False) else None) for field in form}
    if args is None:
        page = listing.empty_page()
    else:
        caller = current_user.id if args["mine"] else args["caller_id"]
        stmt = calls.calls_statement(status=args["status"], caller_id=int(caller) if caller else None)
        page = listing.read_capped_page(db.session, lists.filter_calls(stmt, args))
    every = todo.rows + page.rows
    names = lookups([c.case_id for c in every], [c.caller_id for c in every])
    return render_template(
        "supervision/scheduling/calls.html",
        calls=todo.rows,
        todo=todo,
        page=page,
        filters=form,
        today=today,
        names=names,
        **page_helpers(),
    ), (200 if args is not None else 422)


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
            fail(exc)
        else:
            _flash_attempt(call, took_money=reached and bool(form.took_money.data))
            return redirect(url_for("scheduling.call_list"))
    names = lookups([call.case_id], [call.caller_id] + [a.by_id for a in call.attempts], [call.provider_id])
    return render_template(
        "supervision/scheduling/call.html",
        call=call,
        form=form,
        names=names,
        script=calls.script(call.purpose),
        **page_helpers(),
    ), (422 if form.errors else 200)


def _flash_attempt(call: FollowUpCall, *, took_money: bool) -> None:
    """What the recorded attempt means, in people's words (not the call's status code)."""
    if took_money:
        # A warning, not an error: the call was recorded; what it found needs a supervisor's decision.
        flash(
            _(
                "A red flag is raised: the client says the provider took money or gifts. The call is "
                "recorded; the provider's subsidy is held and the score's veto item is set until a "
                "supervisor confirms or dismisses the flag."
            ),
            "warning",
        )
        return
    flash(
        {
            "done": _("The call is recorded as done."),
            "retrying": _(
                "The client was not reached; the call will be tried again on the next working day."
            ),
            "unreachable": _(
                "The client could not be reached after every retry; the call is closed as unreachable."
            ),
        }.get(call.status, _("The call attempt is recorded.")),
        "success",
    )


def _flag_detail(flag_id: int) -> str | None:
    flag = db.session.get(RedFlag, flag_id)
    if flag is None:
        return None
    number = db.session.scalar(sa.select(Case.number).where(Case.id == flag.case_id))
    outcome = request.form.get("outcome")
    decision = {
        "confirmed": _(
            "Confirm: the provider's subsidy becomes 0, the score fails by the veto and a complaint "
            "is opened."
        ),
        "dismissed": _("Dismiss: the subsidy hold and the veto are lifted."),
    }.get(outcome, "")
    return f"{number} · {decision}" if decision else number


@bp.route("/red-flags")
@roles_required("supervisor", "coordinator", "admin")
def red_flag_list():
    """Red flags, the open ones first, paged, sorted and filtered as ``GET /api/v1/red-flags``."""
    form, args = listing.load_filter(lists.RedFlagFilterForm, lists.FLAG_SORTS, lists.FLAG_SORT_LABELS)
    page = (
        listing.read_page(db.session, lists.red_flags_statement(args))
        if args is not None
        else listing.empty_page()
    )
    flags = page.rows
    names = lookups(
        [f.case_id for f in flags], [f.resolved_by for f in flags], [f.provider_id for f in flags]
    )
    return render_template(
        "supervision/scheduling/red_flags.html",
        flags=flags,
        page=page,
        filters=form,
        names=names,
        **page_helpers(),
    ), (200 if args is not None else 422)


@bp.route("/red-flags/<int:flag_id>", methods=["GET", "POST"])
@roles_required("supervisor", "coordinator", "admin")
@asks_first(
    _l("Record this decision on the red flag? It cannot be changed afterwards."),
    yes=_l("Yes, record the decision"),
    detail=lambda flag_id: _flag_detail(flag_id),
)
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
            fail(exc)
        else:
            flash(
                _(
                    "The red flag is confirmed: the subsidy is 0, the score fails by the veto, "
                    "a complaint is opened."
                )
                if flag.status == "confirmed"
                else _("The red flag is dismissed: the subsidy hold and the score's veto are lifted."),
                "success",
            )
            return redirect(url_for("scheduling.red_flag_list"))
    call = db.session.get(FollowUpCall, flag.call_id) if flag.call_id else None
    names = lookups([flag.case_id], [flag.resolved_by], [flag.provider_id])
    return render_template(
        "supervision/scheduling/red_flag.html", flag=flag, call=call, form=form, names=names, **page_helpers()
    ), (422 if form.errors else 200)
