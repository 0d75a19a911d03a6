"""Assigning a case: by rotation (with the continuation of a criminal matter to the previous stage's
provider), the coordinator's choice within the window, and a designated assignment; the next in line;
the pool serving a case; and the locks (pool, then provider) that serialise concurrent assigners
(DESIGN.md §4 "Concurrency")."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from assignment import labels
from assignment.models import WINDOW_REASONS, Assignment, Case, PoolMember, PoolScope, Provider, RotationPool
from assignment.roles import require_role
from assignment.rotation.pool_clock import (
    Member,
    Turn,
    _count_turn,
    _park,
    _update_availability,
    _write_members,
    member_key,
)
from assignment.rotation.walk import Walk, _explanation, _no_one_eligible, _walk
from assignment.rotation.who_may_take import (
    _CASE_STATUS,
    REASONS,
    CaseFacts,
    _facts,
    _opposing_orgs,
    _pool_and_links,
    eligibility,
    pool_serving,
    provider_ineligibility,
)
from assignment.rotation.write import (
    _audit_assign,
    _create_assignment,
    _has_room,
    _new_assignment,
    _write_pick,
)
from legalaid import clock
from legalaid.db import lock_for_update
from legalaid.errors import Invalid, NotAllowed, say


def pool_for_case(session: Session, case: Case) -> RotationPool:
    """The pool serving the case's type and intake area; a pool without an area serves the areas
    no other pool claims for that type (DESIGN.md §4 "Pools")."""
    return session.get(RotationPool, _pool_id_for_case(session, case))


_SCOPE = PoolScope.__table__
_POOL_FOR = sa.select(_SCOPE.c.pool_id, _SCOPE.c.area_key).where(
    _SCOPE.c.case_type == sa.bindparam("case_type", type_=sa.String),
    sa.or_(_SCOPE.c.area_key == sa.bindparam("area", type_=sa.String), _SCOPE.c.area_key == ""),
)


def _pool_id_for_case(session: Session, case: Case) -> int:
    rows = session.execute(_POOL_FOR, {"case_type": case.case_type, "area": case.intake_point or ""}).all()
    return pool_serving(case, [tuple(row) for row in rows])


# The pool row lock serialises the pick and its write (DESIGN.md §4 "Concurrency"); on SQLite the
# transaction already holds the write lock (legalaid/db.py).
_LOCK_POOL = lock_for_update(
    sa.select(RotationPool).where(RotationPool.id == sa.bindparam("pool_id", type_=sa.Integer))
).execution_options(populate_existing=True)


def _lock_pool(session: Session, pool_id: int) -> RotationPool:
    return session.scalars(_LOCK_POOL, {"pool_id": pool_id}).one()


def _lock_provider(session: Session, provider_id: int) -> Provider:
    # The cap is checked under the provider's row lock: pools share providers.
    return session.scalars(
        lock_for_update(sa.select(Provider).where(Provider.id == provider_id))
        .options(lazyload(Provider.organization))  # FOR UPDATE cannot lock an outer join's side
        .execution_options(populate_existing=True)
    ).one()


def _require_assignable(case: Case) -> None:
    if case.status != "accepted":
        raise NotAllowed(
            say(
                "Case %(number)s is %(status)s; only an accepted case can be assigned.",
                number=case.number,
                status=labels.case_status(case.status),
            )
        )


def _prepare(
    session: Session, case: Case, today: dt.date | None, *, status_in_write: bool = False
) -> tuple[RotationPool, CaseFacts]:
    """Read what does not depend on the rotation state, then lock the pool and read the rest: the
    locked section (pool lock to commit) is what concurrent assigners of one pool queue for.
    ``status_in_write``: the caller's write checks the case's status itself (``_write_pick``)."""
    pool_id, had_case, linked = _pool_and_links(session, case)
    session.flush()
    pool = _lock_pool(session, pool_id)
    if not status_in_write:
        _check_status(session, case)
    today = today or clock.today()
    _update_availability(session, pool, today)
    return pool, _facts(case, today, _opposing_orgs(session, linked), had_case)


def _check_status(session: Session, case: Case) -> None:
    """The status again, now that the pool's assigners queue behind us (a new statement: on
    PostgreSQL it sees what they committed)."""
    set_committed_value(case, "status", session.scalar(_CASE_STATUS, {"case_id": case.id}))
    _require_assignable(case)


def _take_first_with_room(session: Session, pool: RotationPool, walk: Walk) -> tuple[Member, float] | None:
    """The first eligible member whose cap still has room under the provider's row lock."""
    while walk.eligible:
        member, key = walk.eligible[0]
        if _has_room(session, member.provider_id):
            return member, key
        walk.eligible.pop(0)
        walk.reasons["at_cap"] += 1
        _park(pool, member, "at_cap")
        walk.changed.append(member)
    return None


def _continuation_provider(session: Session, case: Case) -> Provider | None:
    """The previous stage's provider of a criminal matter (the last who accepted it)."""
    if case.case_type != "criminal" or case.previous_case_id is None:
        return None
    provider_id = session.scalar(
        sa.select(Assignment.provider_id)
        .where(Assignment.case_id == case.previous_case_id, Assignment.accepted_at.is_not(None))
        .order_by(Assignment.accepted_at.desc(), Assignment.id.desc())
        .limit(1)
    )
    return session.get(Provider, provider_id) if provider_id else None


def assign_by_rotation(
    session: Session, case: Case, actor, *, today: dt.date | None = None, reason: str | None = None
) -> Assignment:
    """Assign an accepted case to the eligible member furthest below their fair share.

    A later stage of a criminal matter goes to the previous stage's provider when eligible
    (``continuation``, counted as their turn). No eligible provider → NotAllowed listing why."""
    require_role(actor, "coordinator")
    one_statement = session.get_bind().dialect.name == "postgresql"
    previous = _continuation_provider(session, case)
    pool, facts = _prepare(session, case, today, status_in_write=one_statement and previous is None)
    if previous is not None and provider_ineligibility(session, previous, case, facts.today) is None:
        provider = _lock_provider(session, previous.id)
        if provider.open_cases < provider.max_open_cases:
            member = session.get(PoolMember, (pool.id, provider.id))
            counted = member is not None and member.away_since is None
            turn = _count_turn(pool, member, 1.0 / pool.active_weight) if counted else Turn()
            explanation = {
                "pool_id": pool.id,
                "mode": "continuation",
                "continuation_of": case.previous_case_id,
                "picked": {"provider_id": provider.id, "eligible": True},
                "skipped": [],
                "next": [],
            }
            return _create_assignment(
                session, case, provider.id, pool, actor, mode="continuation", explanation=explanation,
                turn=turn, counted=counted, reason=reason,
            )  # fmt: skip
    if pool.active_weight <= 0:
        if one_statement and previous is None:
            _check_status(session, case)
        raise _no_one_eligible(session, Walk(), pool)
    step = 1.0 / pool.active_weight
    while True:
        walk = _walk(session, pool, facts, eligibility("window_size") + 1, pool.clock + step)
        found = len(walk.eligible)
        if one_statement:
            assignment = _pick_and_write(session, case, pool, walk, actor, step, reason)
            if assignment is not None:
                return assignment
            if previous is None:
                _check_status(session, case)
            chosen = None
        else:
            chosen = _take_first_with_room(session, pool, walk)
        # Another pool may have filled a provider's cap since the walk read it: walk again.
        if chosen is not None or found == 0:
            break
        _write_members(session, pool.id, walk.changed)
    if chosen is None:
        _write_members(session, pool.id, walk.changed)
        raise _no_one_eligible(session, walk, pool)
    member, key = chosen
    explanation = _explanation(walk, pool, member, key, "rotation")
    turn = _count_turn(pool, member, step)
    walk.changed.append(member)
    assignment = _create_assignment(
        session, case, member.provider_id, pool, actor, mode="rotation", explanation=explanation, turn=turn,
        counted=True, reason=reason,
    )  # fmt: skip
    _write_members(session, pool.id, walk.changed)
    return assignment


def _pick_and_write(
    session: Session, case: Case, pool: RotationPool, walk: Walk, actor, step: float, reason: str | None
) -> Assignment | None:
    """PostgreSQL: the first eligible member whose cap still has room takes the case, checked and
    written in one statement (``_write_pick``); those found at their cap are parked."""
    while walk.eligible:
        member, key = walk.eligible[0]
        explanation = _explanation(walk, pool, member, key, "rotation")
        before = (pool.clock, member.offset, member.turns)
        turn = _count_turn(pool, member, step)
        assignment = _new_assignment(
            case, member.provider_id, pool, actor, mode="rotation", explanation=explanation, turn=turn,
            counted=True, reason=reason,
        )  # fmt: skip
        if _write_pick(session, case, pool, member, assignment):
            _write_members(session, pool.id, walk.changed)  # members parked by the walk, if any
            _audit_assign(session, case, assignment, actor)
            return assignment
        _check_status(session, case)  # NotAllowed when the case is no longer accepted
        pool.clock, member.offset, member.turns = before
        walk.eligible.pop(0)
        walk.reasons["at_cap"] += 1
        _park(pool, member, "at_cap")
        walk.changed.append(member)
    return None


def next_in_line(session: Session, case: Case, *, today: dt.date | None = None) -> list[dict]:
    """The next 5 eligible members for a case, for the coordinator's window choice. Assigns nothing, but
    like every walk it parks members found unavailable (so they accrue nothing while away): the caller
    commits."""
    pool, facts = _prepare(session, case, today)
    if pool.active_weight <= 0:
        return []
    walk = _walk(session, pool, facts, eligibility("window_size"), pool.clock + 1.0 / pool.active_weight)
    _write_members(session, pool.id, walk.changed)
    return [{"provider_id": m.provider_id, "deficit": round(k, 4)} for m, k in walk.eligible]


def assign_within_window(
    session: Session, case: Case, provider_id: int, reason_code: str, actor, *, today: dt.date | None = None
) -> Assignment:
    """The coordinator picks any of the next 5 eligible members, with a reason code; it counts as
    that member's turn (DESIGN.md §4 "Choice within the window")."""
    require_role(actor, "coordinator")
    if reason_code not in WINDOW_REASONS:
        raise Invalid(
            say("Give the reason for the choice."),
            fields={"reason_code": [say("One of %(choices)s.", choices=", ".join(WINDOW_REASONS))]},
        )
    pool, facts = _prepare(session, case, today)
    if pool.active_weight <= 0:
        raise _no_one_eligible(session, Walk(), pool)
    step = 1.0 / pool.active_weight
    walk = _walk(session, pool, facts, eligibility("window_size"), pool.clock + step)
    _write_members(session, pool.id, walk.changed)
    if not walk.eligible:
        raise _no_one_eligible(session, walk, pool)
    window = {m.provider_id: (m, k) for m, k in walk.eligible}
    if provider_id not in window:
        raise Invalid(
            say("That provider is not among the next 5 eligible; a designated assignment needs a reason."),
            fields={"provider_id": [say("Not within the window of the next 5 eligible.")]},
        )
    member, key = window[provider_id]
    provider = _lock_provider(session, provider_id)
    if provider.open_cases >= provider.max_open_cases:
        raise NotAllowed(say("That provider has reached their open-case cap."))
    explanation = _explanation(walk, pool, member, key, "window")
    explanation["window"] = [{"provider_id": m.provider_id, "deficit": round(k, 4)} for m, k in walk.eligible]
    turn = _count_turn(pool, member, step)
    assignment = _create_assignment(
        session, case, provider.id, pool, actor, mode="window", explanation=explanation, turn=turn,
        counted=True, reason_code=reason_code,
    )  # fmt: skip
    _write_members(session, pool.id, [member])
    return assignment


def assign_designated(
    session: Session, case: Case, provider_id: int, reason: str, actor, *, today: dt.date | None = None
) -> Assignment:
    """Designate a pool member outside the window: needs a reason, is recorded as an override and
    counts against the member's share. The legal rules (kind, experience, conflicts, leave, cap)
    still apply."""
    require_role(actor, "coordinator")
    if not (reason or "").strip():
        raise Invalid(say("A designated assignment needs a reason."), fields={"reason": [say("Required.")]})
    pool, facts = _prepare(session, case, today)
    member = session.get(PoolMember, (pool.id, provider_id))
    if member is None:
        raise Invalid(
            say("That provider is not a member of the pool serving this case."),
            fields={"provider_id": [say("Not in the pool.")]},
        )
    provider = _lock_provider(session, provider_id)
    why = provider_ineligibility(session, provider, case, facts.today)
    if why is not None:
        raise NotAllowed(
            say("%(name)s cannot take this case: %(reason)s.", name=provider.name, reason=REASONS[why][1]),
            code="not_eligible",
        )
    key = member_key(member, pool.clock)
    if member.away_since is None and pool.active_weight > 0:
        turn = _count_turn(pool, member, 1.0 / pool.active_weight)
    else:  # parked but available again by now: counted without moving the clock
        member.offset += 1.0
        member.turns += 1
        turn = Turn(0.0, 1.0)
    explanation = {
        "pool_id": pool.id,
        "mode": "designated",
        "picked": {"provider_id": provider_id, "eligible": True, "deficit": round(key, 4)},
        "skipped": [],
        "next": [],
    }
    return _create_assignment(
        session, case, provider.id, pool, actor, mode="designated", explanation=explanation, turn=turn,
        counted=True, reason=reason.strip(), override=True,
    )  # fmt: skip
