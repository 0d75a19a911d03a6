"""The provider's answer and what follows: accepting or declining an offered assignment (a conflict
keeps the provider's place), expiring the unanswered ones (the case moves on to the next in line),
reassigning a case, and reading one assignment (a provider sees only their own). Every change to a
case's assignments first locks the case row (``_lock_assignment``)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment import labels
from assignment.models import DECLINE_REASONS, Assignment, Case, PoolMember, Provider
from assignment.roles import require_role
from assignment.rotation.assign import _lock_pool, assign_by_rotation, pool_for_case
from assignment.signals import assignment_accepted, assignment_ended
from legalaid import audit, clock
from legalaid.auth import sees_provider_work
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotAllowed, NotFound, say


def get_assignment(session: Session, assignment_id: int, actor=None) -> Assignment:
    """An assignment; a provider may see only their own (another's is NotFound, DESIGN.md §5)."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound(say("No such assignment."))
    if not sees_provider_work(actor, assignment.provider_id):
        raise NotFound(say("No such assignment."))
    return assignment


def _lock_assignment(session: Session, assignment: Assignment) -> None:
    """Every change to a case's assignments first locks the case row (case, then pool, then provider,
    as assigning does), then reads the assignment afresh: of two requests at once, the second sees
    what the first did and is refused (accept against decline, two accepts, expiry against accept)."""
    lock_row(session, Case, assignment.case_id)
    session.refresh(assignment)


def _require_own(assignment: Assignment, actor) -> None:
    if actor is not None and getattr(actor, "provider_id", None) != assignment.provider_id:
        raise NotFound(say("No such assignment."))


SIGNAL_REASONS = {"declined": "declined", "expired": "expired", "replaced": "reassigned"}


def _end(session: Session, assignment: Assignment, status: str, reason: str | None, actor) -> None:
    assignment.status, assignment.live = status, False
    assignment.ended_at, assignment.end_reason = clock.now(), reason
    session.flush()
    release_open_case(session, assignment.provider_id)
    assignment_ended.send(session, assignment=assignment, reason=SIGNAL_REASONS[status], actor=actor)


def release_open_case(session: Session, provider_id: int) -> None:
    """One open case fewer for the provider (the maintained counter the cap reads). Called when an
    assignment ends here, and by closing (supervision) when the case ends."""
    session.execute(
        sa.update(Provider)
        .where(Provider.id == provider_id, Provider.open_cases > 0)
        .values(open_cases=Provider.open_cases - 1)
        .execution_options(synchronize_session="fetch")
    )


def accept_assignment(
    session: Session, assignment: Assignment, actor, *, now: dt.datetime | None = None
) -> Assignment:
    """The provider accepts their assignment within the acceptance limit: the case is in progress."""
    _require_own(assignment, actor)
    _lock_assignment(session, assignment)
    if assignment.status != "offered":
        raise NotAllowed(
            say(
                "This assignment is %(status)s; it cannot be accepted.",
                status=labels.assignment_status(assignment.status),
            )
        )
    if (now or clock.now()) > assignment.respond_by:
        raise NotAllowed(say("The acceptance period has passed; the case moves to the next in line."))
    case = assignment.case
    assignment.status, assignment.accepted_at = "accepted", now or clock.now()
    case.status = "in_progress"
    audit.record(
        session, actor, "assignment.accept", "assignment", assignment.id, {"status": "offered"},
        {"status": "accepted", "case_id": case.id},
    )  # fmt: skip
    assignment_accepted.send(session, assignment=assignment, actor=actor)
    return assignment


def decline_assignment(
    session: Session, assignment: Assignment, reason_code: str, actor, *, note: str | None = None
) -> Assignment:
    """The provider declines; the case returns to ``accepted``. A conflict keeps their place (the
    turn is undone); ``unavailable`` or ``other`` counts as their turn (DESIGN.md §4, property 5)."""
    _require_own(assignment, actor)
    if reason_code not in DECLINE_REASONS:
        raise Invalid(
            say("Say why."),
            fields={"reason_code": [say("One of %(choices)s.", choices=", ".join(DECLINE_REASONS))]},
        )
    _lock_assignment(session, assignment)
    if assignment.status != "offered":
        raise NotAllowed(
            say(
                "This assignment is %(status)s; it cannot be declined.",
                status=labels.assignment_status(assignment.status),
            )
        )
    if assignment.pool_id is not None:
        pool = _lock_pool(session, assignment.pool_id)  # pool before provider, as when assigning
        member = session.get(PoolMember, (pool.id, assignment.provider_id))
        if reason_code == "conflict" and assignment.counted and member is not None:
            member.offset -= assignment.offset_step
            member.turns -= 1
            pool.clock -= assignment.clock_step
            assignment.counted = False
    assignment.decline_reason_code, assignment.decline_note = reason_code, note
    _end(session, assignment, "declined", note, actor)
    assignment.case.status = "accepted"
    audit.record(
        session, actor, "assignment.decline", "assignment", assignment.id, {"status": "offered"},
        {"status": "declined", "reason_code": reason_code, "note": note, "case_id": assignment.case_id},
    )  # fmt: skip
    return assignment


def expire_unanswered_assignments(session: Session, now: dt.datetime) -> list[Assignment]:
    """Assignments not accepted within the acceptance limit count as the provider's turn; the case
    moves on to the next in line. Run by the scheduler and ``legalaid cases expire-assignments``."""
    overdue = session.scalars(
        sa.select(Assignment)
        .where(Assignment.status == "offered", Assignment.respond_by < now)
        .order_by(Assignment.id)
    ).all()
    for assignment in overdue:
        _lock_assignment(session, assignment)
        if assignment.status != "offered":
            continue  # accepted or declined while the sweep ran
        _end(session, assignment, "expired", "not accepted in time", None)
        case = assignment.case
        case.status = "accepted"
        audit.record(
            session, None, "assignment.expire", "assignment", assignment.id, {"status": "offered"},
            {"status": "expired", "case_id": case.id},
        )  # fmt: skip
        try:
            with session.begin_nested():
                assign_by_rotation(session, case, None, today=now.date())
        except NotAllowed:
            pass  # nobody eligible now: the case waits, accepted, on the coordinators' list
    return overdue


def reassign_case(
    session: Session,
    case: Case,
    reason: str,
    actor,
    *,
    today: dt.date | None = None,
    asked_at: dt.datetime | None = None,
) -> Assignment:
    """Replace the provider of an assigned or in-progress case (client's complaint, Law art. 55;
    illness) with a reason; the replacement is picked by rotation and the old assignment ends.

    ``asked_at`` is when the coordinator asked: a request can only replace the assignment that
    stood then. Of several coordinators pressing "reassign" at once, one replaces the provider and
    the others are refused (409) rather than replacing the replacement (each would cost a provider
    their turn)."""
    require_role(actor, "coordinator")
    if not (reason or "").strip():
        raise Invalid(say("A reassignment needs a reason."), fields={"reason": [say("Required.")]})
    lock_row(session, Case, case.id)
    _lock_pool(session, pool_for_case(session, case).id)
    if case.status not in ("assigned", "in_progress"):
        raise NotAllowed(
            say(
                "Case %(number)s is %(status)s; only an assigned case can be reassigned.",
                number=case.number,
                status=labels.case_status(case.status),
            )
        )
    old = session.scalars(
        sa.select(Assignment)
        .where(Assignment.case_id == case.id, Assignment.live.is_(True))
        .execution_options(populate_existing=True)
    ).one_or_none()
    if old is not None and asked_at is not None and old.assigned_at >= asked_at:
        raise NotAllowed(
            say(
                "Case %(number)s was assigned again a moment ago; look at the new assignment before "
                "replacing it.",
                number=case.number,
            ),
            code="conflict",
        )
    before = {"status": case.status, "assignment_id": old.id if old else None}
    if old is not None:
        _end(session, old, "replaced", reason.strip(), actor)
    case.status = "accepted"
    audit.record(session, actor, "case.reassign", "case", case.id, before, {"reason": reason.strip()})
    return assign_by_rotation(session, case, actor, today=today, reason=reason.strip())
