"""Follow-up calls (回访) and red flags (DESIGN.md §4 "Follow-up calls"): three calls per case (7 days
after assignment, 3 days after the first hearing, 7 days after closing), each with a caller in
rotation; any supervisor may record an attempt, early or late. An unreachable client is retried on
the next 2 working days, then the call is closed as unreachable. "Took money" raises a red flag."""

from __future__ import annotations

import datetime as dt
from functools import cache

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from assignment.models import Assignment, Case
from assignment.roles import require_role
from assignment.workdays import add_working_days
from legalaid import audit, clock
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotAllowed, NotFound, labelled, say
from supervision import signals
from supervision.scheduling import reminders
from supervision.scheduling.case_assignment import current_assignment
from supervision.scheduling.labels import STATUS_LABELS
from supervision.scheduling.models import (
    SATISFACTION,
    CallAttempt,
    FollowUpCall,
    Hearing,
    RedFlag,
)
from supervision.scheduling.rota import pick_supervisor, users_with_role
from supervision.scheduling.rows import insert_entity
from supervision.scheduling.rules import setting

SUPERVISOR = ("supervisor",)
OPEN = ("planned", "retrying")
UNSET = object()  # "not given" (None is a value: no assignment)

# What the caller asks (Law art. 20 forbids taking money or gifts from the client).
SCRIPTS = {
    "after_assignment": [
        _l("Has your lawyer or adviser contacted you and met you?"),
        _l("Did they explain what happens next and how long it may take?"),
        _l("Has anyone asked you for money or gifts for this case?"),
        _l("How satisfied are you so far?"),
    ],
    "after_hearing": [
        _l("Was your lawyer or adviser well prepared for the hearing?"),
        _l("Were they on time and did they keep you informed?"),
        _l("Has anyone asked you for money or gifts for this case?"),
        _l("How satisfied are you with their work at the hearing?"),
    ],
    "after_closing": [
        _l("Did your lawyer or adviser tell you the outcome and what it means for you?"),
        _l("Did they hand over your documents?"),
        _l("Did you give them any money or gifts?"),
        _l("How satisfied are you with the legal aid you received?"),
    ],
}


def script(purpose: str) -> list[str]:
    return [str(q) for q in SCRIPTS[purpose]]


def client_is_detained(case: Case) -> bool:
    """A detained client is reached through the contact person recorded on the case. Whether the
    client is detained is stated at intake (``Case.detained``, issue 14), no longer guessed from a
    criminal case's contact person."""
    return bool(case.detained)


def _callee(case: Case) -> tuple[bool, str | None, str | None]:
    if client_is_detained(case) and case.contact_phone:
        return True, case.contact_name, case.contact_phone
    return False, case.applicant_name, case.applicant_phone


@cache
def _call_by_key_statement() -> sa.Select:
    # Built once (bound key): planning a call runs it every time.
    return sa.select(FollowUpCall.id, FollowUpCall.status, FollowUpCall.failed_attempts).where(
        FollowUpCall.key == sa.bindparam("key")
    )


def _plan_call(
    session: Session,
    case: Case,
    purpose: str,
    key: str,
    due_on: dt.date,
    *,
    assignment_id: int | None,
    provider_id: int | None,
    hearing_id: int | None = None,
) -> FollowUpCall:
    """Plan the call ``key``, or bring an existing one up to date: a cancelled call is planned again,
    an untouched one takes the new due date; a call in progress or done is left alone."""
    # Three columns decide what to do; the entity is loaded only when an existing call changes.
    existing = session.execute(_call_by_key_statement(), {"key": key}).first()
    via_contact, name, phone = _callee(case)
    if existing is None:
        # The caller is picked before the row is written: one INSERT with the caller, no UPDATE after.
        caller_id = pick_supervisor(session, "call", own_provider_id=provider_id).user_id
        call = insert_entity(
            session,
            FollowUpCall,
            key=key,
            case_id=case.id,
            purpose=purpose,
            due_on=due_on,
            assignment_id=assignment_id,
            provider_id=provider_id,
            hearing_id=hearing_id,
            caller_id=caller_id,
            status="planned",
            failed_attempts=0,
            via_contact=via_contact,
            callee_name=name,
            phone=phone,
        )
        audit.record(
            session,
            None,
            "call.plan",
            "follow_up_call",
            call.id,
            None,
            {"case_id": case.id, "purpose": purpose, "due_on": due_on, "caller_id": call.caller_id},
        )
        return call
    call = session.get(FollowUpCall, existing.id)
    if existing.status == "cancelled" or (existing.status == "planned" and existing.failed_attempts == 0):
        call.status, call.due_on, call.hearing_id = "planned", due_on, hearing_id
        call.via_contact, call.callee_name, call.phone = via_contact, name, phone
    return call


def plan_follow_up_calls(
    session: Session, case: Case, assignment: Assignment | None = None
) -> list[FollowUpCall]:
    """Plan each of the case's three calls whose event has happened: after the provider accepted,
    after the first hearing, after closing. Planning again changes nothing."""
    planned = []
    if assignment is None:
        assignment = session.scalar(
            sa.select(Assignment).where(
                Assignment.case_id == case.id, Assignment.accepted_at.is_not(None), Assignment.live.is_(True)
            )
        )
    if assignment is not None:
        accepted = clock.local_date(assignment.accepted_at or clock.now())
        planned.append(
            _plan_call(
                session,
                case,
                "after_assignment",
                f"{case.id}:after_assignment:{assignment.id}",
                accepted + dt.timedelta(days=setting("call_after_assignment_days")),
                assignment_id=assignment.id,
                provider_id=assignment.provider_id,
            )
        )
    call = plan_after_hearing_call(session, case)
    if call is not None:
        planned.append(call)
    if case.status in ("closed", "archived"):
        planned.append(
            _plan_call(
                session,
                case,
                "after_closing",
                f"{case.id}:after_closing",
                clock.today() + dt.timedelta(days=setting("call_after_closing_days")),
                assignment_id=assignment.id if assignment else None,
                provider_id=assignment.provider_id if assignment else None,
            )
        )
    return planned


def plan_after_hearing_call(
    session: Session,
    case: Case,
    assignment=UNSET,
    *,
    first: tuple[int, dt.datetime] | None = None,
) -> FollowUpCall | None:
    """The call 3 days after the provider's first hearing of the case; it follows that hearing when
    hearings are moved or cancelled. ``assignment``: the case's current assignment (an ``Assignment``
    or ``case_assignment.AssignmentRef``) when the caller has it; ``first``: the (id, start) of that
    first hearing when the caller knows it (a new hearing of a case with no other)."""
    if assignment is UNSET:
        assignment = current_assignment(session, case)
    provider_id = assignment.provider_id if assignment else None
    key = f"{case.id}:after_hearing:{assignment.id if assignment else 0}"
    if first is None:
        first = session.execute(
            sa.select(Hearing.id, Hearing.starts_at)
            .where(
                Hearing.case_id == case.id, Hearing.status == "scheduled", Hearing.provider_id == provider_id
            )
            .order_by(Hearing.starts_at, Hearing.id)
            .limit(1)
        ).first()
    if first is None:
        existing = session.execute(_call_by_key_statement(), {"key": key}).first()
        if existing is not None and existing.status == "planned" and existing.failed_attempts == 0:
            session.get(FollowUpCall, existing.id).status = "cancelled"
        return None
    first_id, first_starts_at = first
    return _plan_call(
        session,
        case,
        "after_hearing",
        key,
        clock.local_date(first_starts_at) + dt.timedelta(days=setting("call_after_hearing_days")),
        assignment_id=assignment.id if assignment else None,
        provider_id=provider_id,
        hearing_id=first_id,
    )


def cancel_assignment_calls(session: Session, assignment: Assignment, actor=None) -> int:
    """The provider's not-yet-done calls go when their assignment ends (a reassignment)."""
    calls = session.scalars(
        sa.select(FollowUpCall).where(
            FollowUpCall.assignment_id == assignment.id, FollowUpCall.status.in_(OPEN)
        )
    ).all()
    for call in calls:
        call.status = "cancelled"
        audit.record(
            session, actor, "call.cancel", "follow_up_call", call.id, None, {"reason": "assignment_ended"}
        )
    return len(calls)


def move_future_hearings_to(session: Session, assignment: Assignment) -> None:
    """After a reassignment, the case's coming hearings evaluate the new provider."""
    now = clock.now()
    hearings = session.scalars(
        sa.select(Hearing).where(
            Hearing.case_id == assignment.case_id,
            Hearing.status == "scheduled",
            Hearing.starts_at > now,
            Hearing.provider_id != assignment.provider_id,
        )
    ).all()
    for hearing in hearings:
        hearing.provider_id = assignment.provider_id
        if hearing.observation is not None and hearing.observation.status != "reported":
            hearing.observation.provider_id = assignment.provider_id


def get_call(session: Session, call_id: int) -> FollowUpCall:
    call = session.get(FollowUpCall, call_id)
    if call is None:
        raise NotFound(say("No such follow-up call."))
    return call


def record_call_attempt(
    session: Session,
    actor,
    call: FollowUpCall,
    *,
    reached: bool,
    satisfaction: str | None = None,
    took_money: bool | None = None,
    notes: str | None = None,
    at: dt.datetime | None = None,
) -> CallAttempt:
    """Any supervisor records an attempt, before or after its due date, covering for the caller."""
    require_role(actor, *SUPERVISOR)
    lock_row(session, FollowUpCall, call.id)  # a reached call is done once: a second attempt is refused
    if call.status not in OPEN:
        raise NotAllowed(
            say(
                "This call is %(status)s; no more attempts are recorded.",
                status=labelled(call.status, STATUS_LABELS),
            )
        )
    if satisfaction is not None and satisfaction not in SATISFACTION:
        raise Invalid(
            say("Unknown satisfaction."),
            fields={"satisfaction": [say("One of %(values)s.", values=", ".join(SATISFACTION))]},
        )
    if not reached and (satisfaction or took_money):
        raise Invalid(
            say("An unreached client gave no answers."),
            fields={"reached": [say("Satisfaction and took_money need a reached client.")]},
        )
    at = at or clock.now()
    attempt = CallAttempt(
        call=call,
        by_id=getattr(actor, "id", None),
        at=at,
        reached=reached,
        satisfaction=satisfaction,
        took_money=took_money if reached else None,
        notes=(notes or "").strip() or None,
    )
    session.add(attempt)
    before = {"status": call.status, "due_on": call.due_on}
    if reached:
        call.status, call.done_at = "done", at
    else:
        call.failed_attempts += 1
        if call.failed_attempts > setting("call_retry_working_days"):
            call.status, call.done_at = "unreachable", at
        else:
            # Unreachable: try again on the next working day (twice), then give up.
            call.status = "retrying"
            call.due_on = add_working_days(session, clock.local_date(at), 1)
    session.flush()
    audit.record(
        session,
        actor,
        "call.attempt",
        "follow_up_call",
        call.id,
        before,
        {
            "status": call.status,
            "due_on": call.due_on,
            "reached": reached,
            "satisfaction": satisfaction,
            "took_money": bool(took_money),
        },
    )
    if reached and took_money:
        raise_red_flag(session, actor, call, attempt)
    return attempt


def raise_red_flag(session: Session, actor, call: FollowUpCall, attempt: CallAttempt) -> RedFlag:
    """The client says the provider took money or gifts: the subsidy is held and the score's veto item
    set (by scoring and subsidies, which read ``red_flags``) until a supervisor resolves it."""
    flag = RedFlag(
        case_id=call.case_id,
        provider_id=call.provider_id,
        call_id=call.id,
        attempt_id=attempt.id,
        kind="took_money",
        status="open",
        raised_by=getattr(actor, "id", None),
    )
    session.add(flag)
    session.flush()
    audit.record(
        session,
        actor,
        "red_flag.raise",
        "red_flag",
        flag.id,
        None,
        {"case_id": call.case_id, "kind": "took_money", "call_id": call.id},
    )
    signals.red_flag_raised.send(session, flag=flag, actor=actor)
    number = session.scalar(sa.select(Case.number).where(Case.id == call.case_id))
    for user_id in users_with_role(session, "supervisor"):
        reminders.plan_reminder(
            session,
            key=f"red_flag:{flag.id}:{user_id}",
            user_id=user_id,
            kind="red_flag",
            subject=reminders.in_user_locale(
                session,
                user_id,
                lambda: _("Red flag on case %(number)s: the client says money was taken", number=number),
            ),
            due_at=clock.now(),
            link=f"/supervision/red-flags/{flag.id}",
            object_type="red_flag",
            object_id=flag.id,
            message="red_flag",
            params={"number": number},
        )
    return flag


def get_red_flag(session: Session, flag_id: int) -> RedFlag:
    flag = session.get(RedFlag, flag_id)
    if flag is None:
        raise NotFound(say("No such red flag."))
    return flag


def resolve_red_flag(session: Session, actor, flag: RedFlag, outcome: str, reason: str) -> RedFlag:
    """Confirmed: the subsidy is 0 and a complaint is opened; dismissed: hold and veto are released."""
    require_role(actor, *SUPERVISOR)
    if outcome not in ("confirmed", "dismissed"):
        raise Invalid(say("Confirm or dismiss."), fields={"outcome": [say("One of confirmed, dismissed.")]})
    if not (reason or "").strip():
        raise Invalid(say("Give the reason."), fields={"reason": [say("Required.")]})
    lock_row(session, RedFlag, flag.id)  # confirm against dismiss at once: the second is refused
    if flag.status != "open":
        raise NotAllowed(say("This red flag is already %(status)s.", status=flag.status))
    flag.status, flag.resolved_at = outcome, clock.now()
    flag.resolved_by, flag.resolution_reason = getattr(actor, "id", None), reason.strip()
    reminders.cancel_reminders(session, "red_flag", flag.id)
    audit.record(
        session,
        actor,
        "red_flag.resolve",
        "red_flag",
        flag.id,
        {"status": "open"},
        {"status": outcome, "reason": flag.resolution_reason},
    )
    signals.red_flag_resolved.send(session, flag=flag, actor=actor)
    return flag


def red_flags(session: Session, case_id: int) -> list[RedFlag]:
    """The case's red flags (``kind`` "took_money", ``status`` open/confirmed/dismissed)."""
    return list(session.scalars(sa.select(RedFlag).where(RedFlag.case_id == case_id).order_by(RedFlag.id)))


SETTLED_CALL_STATUSES = ("done", "unreachable")


def after_closing_calls_settled(session: Session, case_ids) -> set[int]:
    """The cases (of ``case_ids``) whose post-closing call is done or closed as unreachable: archiving
    needs it (DESIGN.md §4). One query, whatever the number of cases; the one place of the rule."""
    ids = sorted(set(case_ids))
    if not ids:
        return set()
    return set(
        session.scalars(
            sa.select(FollowUpCall.case_id)
            .where(
                FollowUpCall.case_id.in_(ids),
                FollowUpCall.purpose == "after_closing",
                FollowUpCall.status.in_(SETTLED_CALL_STATUSES),
            )
            .distinct()
        )
    )


def after_closing_call_settled(session: Session, case_id: int) -> bool:
    """Archiving needs the post-closing call done or closed as unreachable (DESIGN.md §4)."""
    return case_id in after_closing_calls_settled(session, [case_id])


def calls_statement(
    *,
    case_id: int | None = None,
    due_before: dt.date | None = None,
    caller_id: int | None = None,
    status: str | None = None,
    open_only: bool = False,
) -> sa.Select:
    stmt = sa.select(FollowUpCall)
    if case_id is not None:
        stmt = stmt.where(FollowUpCall.case_id == case_id)
    if due_before is not None:
        stmt = stmt.where(FollowUpCall.due_on <= due_before)
    if caller_id is not None:
        stmt = stmt.where(FollowUpCall.caller_id == caller_id)
    if status:
        stmt = stmt.where(FollowUpCall.status == status)
    if open_only:
        stmt = stmt.where(FollowUpCall.status.in_(OPEN))
    return stmt.order_by(FollowUpCall.due_on, FollowUpCall.id)


def daily_call_list(session: Session, day: dt.date, caller_id: int | None = None) -> list[FollowUpCall]:
    """Calls due on ``day`` or overdue and not done; the caller's own first when one is given."""
    calls = list(session.scalars(calls_statement(due_before=day, open_only=True)))
    if caller_id is not None:
        calls.sort(key=lambda c: (c.caller_id != caller_id, c.due_on, c.id))
    return calls
