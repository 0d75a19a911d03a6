"""Hearings (庭审): recorded by the coordinator or the case's provider; moving or cancelling one moves
or cancels everything scheduled from it (observation, reminders, the after-hearing call)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from assignment import labels
from assignment.intake import get_case
from assignment.models import Case
from assignment.roles import require_role
from legalaid import audit, clock
from legalaid.auth import sees_provider_work
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotAllowed, NotFound, say
from supervision import signals
from supervision.scheduling import calls, case_assignment, observation_decision, observer_staffing
from supervision.scheduling.models import Hearing
from supervision.scheduling.rows import insert_entity
from supervision.scheduling.rules import setting

# DESIGN.md §5: the coordinator and the provider record hearings (the admin reads them).
RECORDERS = ("coordinator", "provider")
HEARING_CASE_STATUSES = ("assigned", "in_progress")
UNSET = object()


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime | None) -> dt.datetime:
    if starts_at.tzinfo is None:
        raise Invalid(
            say("Give the time with its offset."), fields={"starts_at": [say("Needs a UTC offset.")]}
        )
    ends_at = ends_at or starts_at + dt.timedelta(hours=setting("hearing_hours"))
    if ends_at.tzinfo is None:
        raise Invalid(say("Give the time with its offset."), fields={"ends_at": [say("Needs a UTC offset.")]})
    if ends_at <= starts_at:
        raise Invalid(
            say("A hearing ends after it starts."), fields={"ends_at": [say("Must be after starts_at.")]}
        )
    return ends_at


def _check_provider_may_act(actor, case: Case, assignment=UNSET) -> None:
    """A provider records and changes hearings of their own current case only (404 otherwise).
    ``assignment``: the case's current assignment when the caller already has it (any object with
    ``provider_id``), else it is read."""
    if actor is None or actor.has_role("coordinator", "admin"):
        return
    if assignment is UNSET:
        assignment = case.current_assignment
    if assignment is None or assignment.provider_id != actor.provider_id or actor.provider_id is None:
        raise NotFound(say("No such case."))


def record_hearing(
    session: Session,
    actor,
    case: Case,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    court: str,
    room: str | None = None,
) -> Hearing:
    """Record a hearing and decide, there and then, whether it is observed and by whom."""
    require_role(actor, *RECORDERS)
    # One statement reads the case's current assignment (three columns, not the entity with its joined
    # case, provider and organisation), handed to everything below that needs it, and the facts the
    # observation decision needs.
    assignment, facts = observation_decision.new_hearing_facts(session, case.id, starts_at)
    _check_provider_may_act(actor, case, assignment)
    ends_at = _check_times(starts_at, ends_at)
    if not (court or "").strip():
        raise Invalid(say("Name the court."), fields={"court": [say("Required.")]})
    if case.status not in HEARING_CASE_STATUSES:
        raise NotAllowed(
            say(
                "Case %(number)s is %(status)s; hearings are recorded while it is in progress.",
                number=case.number,
                status=labels.case_status(case.status),
            )
        )
    provider_id = assignment.provider_id if assignment else None
    court = court.strip()
    room = (room or "").strip() or None
    draft = Hearing(case_id=case.id, provider_id=provider_id, starts_at=starts_at, court=court)
    # Decided before the insert (the draw does not need the id): one write for the hearing.
    observe, reason, draw, others = observation_decision.decide_observation_facts(session, draft, case, facts)
    # One INSERT … RETURNING, no unit of work; the returned Hearing is an ordinary persistent object.
    hearing = insert_entity(
        session,
        Hearing,
        case_id=case.id,
        provider_id=provider_id,
        starts_at=starts_at,
        ends_at=ends_at,
        court=court,
        room=room,
        status="scheduled",
        observe=observe,
        observation_reason=reason,
        sample_draw=draw,
        sample_rate=setting("observation_sample_rate") if draw is not None else None,
        recorded_by=getattr(actor, "id", None),
    )
    decision = {"observe": observe, "reason": reason, "sample_draw": draw}
    observation = None
    if observe:
        observation = observer_staffing.schedule_observation(
            session,
            hearing,
            reason,
            actor,
            assigned_by=assignment.assigned_by if assignment else None,
            case_number=case.number,
        )
        decision |= {
            "observation_id": observation.id,
            "observer_id": observation.observer_id,
            "skipped": observation.skipped[:20],
        }
    # A new hearing: its observation is the one just made (or none); no query to find out.
    set_committed_value(hearing, "observation", observation)
    audit.record(
        session,
        actor,
        "hearing.record",
        "hearing",
        hearing.id,
        None,
        {"case_id": case.id, "starts_at": starts_at, "ends_at": ends_at, "court": hearing.court, **decision},
    )
    # With no other scheduled hearing of the case, this one is the provider's first: no query for it.
    calls.plan_after_hearing_call(
        session, case, assignment, first=None if others else (hearing.id, hearing.starts_at)
    )
    signals.hearing_recorded.send(session, hearing=hearing, actor=actor)
    return hearing


def get_hearing(session: Session, hearing_id: int, actor=None) -> Hearing:
    hearing = session.get(Hearing, hearing_id)
    if hearing is None:
        raise NotFound(say("No such hearing."))
    if not sees_provider_work(actor, hearing.provider_id):
        raise NotFound(say("No such hearing."))
    return hearing


def move_hearing(
    session: Session,
    actor,
    hearing: Hearing,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    court: str | None = None,
    room: str | None = None,
) -> Hearing:
    """Change the time or place; the observation, its reminders and the after-hearing call follow."""
    require_role(actor, *RECORDERS)
    case = get_case(session, hearing.case_id)
    assignment = case_assignment.current_assignment(session, case)
    _check_provider_may_act(actor, case, assignment)
    lock_row(session, Hearing, hearing.id)  # a move against a cancel: the move sees the cancellation
    if hearing.status != "scheduled":
        raise NotAllowed(say("This hearing was cancelled; record a new one."))
    if ends_at is None:
        ends_at = starts_at + (hearing.ends_at - hearing.starts_at)
    ends_at = _check_times(starts_at, ends_at)
    before = {
        "starts_at": hearing.starts_at,
        "ends_at": hearing.ends_at,
        "court": hearing.court,
        "room": hearing.room,
    }
    hearing.starts_at, hearing.ends_at = starts_at, ends_at
    if court is not None and court.strip():
        hearing.court = court.strip()
    if room is not None:
        hearing.room = room.strip() or None
    observation = hearing.observation
    if observation is not None and observation.status in ("scheduled", "unassigned"):
        observation.starts_at, observation.ends_at = starts_at, ends_at
        session.flush()
        observer_staffing.restaff_observation(session, observation, actor)
    calls.plan_after_hearing_call(session, case, assignment)
    audit.record(
        session,
        actor,
        "hearing.move",
        "hearing",
        hearing.id,
        before,
        {"starts_at": starts_at, "ends_at": ends_at, "court": hearing.court, "room": hearing.room},
    )
    return hearing


def hearing_state(hearing: Hearing, now: dt.datetime | None = None) -> str:
    """The one status word the pages show: cancelled, held (it has started), or scheduled."""
    if hearing.status == "cancelled":
        return "cancelled"
    return "held" if hearing.starts_at <= (now or clock.now()) else "scheduled"


def cancel_refusal(hearing: Hearing, now: dt.datetime | None = None) -> str | None:
    """Why a hearing can no longer be cancelled, or None: one that has started, or was observed, took
    place (the record and its observation report stay)."""
    if hearing.status == "cancelled":
        return say("This hearing is already cancelled.")
    if hearing.observation is not None and hearing.observation.status == "reported":
        return say("This hearing was observed and reported on; it cannot be cancelled.")
    if hearing.starts_at <= (now or clock.now()):
        return say("This hearing has already started or taken place; it cannot be cancelled.")
    return None


def cancel_hearing(session: Session, actor, hearing: Hearing, reason: str | None = None) -> Hearing:
    """Cancel a hearing still to come, with everything scheduled from it."""
    require_role(actor, *RECORDERS)
    case = get_case(session, hearing.case_id)
    assignment = case_assignment.current_assignment(session, case)
    _check_provider_may_act(actor, case, assignment)
    lock_row(session, Hearing, hearing.id)  # two cancels at once: the second sees it cancelled (409)
    if hearing.status != "scheduled":
        raise NotAllowed(say("This hearing is already cancelled."))
    refusal = cancel_refusal(hearing)
    if refusal:
        raise NotAllowed(refusal)
    hearing.status = "cancelled"

    hearing.cancelled_at, hearing.cancel_reason = clock.now(), (reason or "").strip() or None
    if hearing.observation is not None:
        observer_staffing.cancel_observation(session, hearing.observation, actor)
    session.flush()
    calls.plan_after_hearing_call(session, case, assignment)
    audit.record(
        session,
        actor,
        "hearing.cancel",
        "hearing",
        hearing.id,
        {"status": "scheduled"},
        {"status": "cancelled", "reason": hearing.cancel_reason},
    )
    return hearing


def hearings_statement(
    *,
    case_id: int | None = None,
    provider_id: int | None = None,
    include_cancelled: bool = True,
    from_: dt.datetime | None = None,
) -> sa.Select:
    stmt = sa.select(Hearing)
    if case_id is not None:
        stmt = stmt.where(Hearing.case_id == case_id)
    if provider_id is not None:
        stmt = stmt.where(Hearing.provider_id == provider_id)
    if not include_cancelled:
        stmt = stmt.where(Hearing.status == "scheduled")
    if from_ is not None:
        stmt = stmt.where(Hearing.ends_at >= from_)
    return stmt.order_by(Hearing.starts_at, Hearing.id)
