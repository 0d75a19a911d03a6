"""Writing an assignment. The generic write (``_create_assignment``: the assignment, the case's
status, the provider's open-case count and the audit record, as ORM rows and separate statements) and,
on PostgreSQL, a counted rotation pick written in one statement (``_pick_write_stmt``,
``_write_pick``): the provider's count goes up only while below the cap, checked under that row's
lock, and only then are the offset, clock, case status and assignment written."""

from __future__ import annotations

import datetime as dt
import functools

import sqlalchemy as sa
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from assignment.deadlines import limits
from assignment.models import Assignment, Case, PoolMember, Provider, RotationPool
from assignment.roles import actor_id
from assignment.rotation.pool_clock import _MEMBER_T, Member, Turn
from legalaid import audit, clock
from legalaid.db import lock_for_update


def acceptance_days() -> int:
    return limits()["acceptance_days"]


_PROVIDER_T = Provider.__table__
_PROVIDER_ID = sa.bindparam("provider_id", type_=sa.Integer)
_LOCK_CAP = lock_for_update(
    sa.select(_PROVIDER_T.c.open_cases, _PROVIDER_T.c.max_open_cases).where(_PROVIDER_T.c.id == _PROVIDER_ID)
)
_ADD_OPEN_CASE = (
    sa.update(_PROVIDER_T)
    .where(_PROVIDER_T.c.id == _PROVIDER_ID)
    .values(open_cases=_PROVIDER_T.c.open_cases + 1)
)


def _has_room(session: Session, provider_id: int) -> bool:
    """The cap check under the provider's row lock (pools share providers), reading two columns."""
    open_cases, max_open_cases = session.execute(_LOCK_CAP, {"provider_id": provider_id}).one()
    return open_cases < max_open_cases


def _add_open_case(session: Session, provider_id: int) -> None:
    """One open case more, in one UPDATE; a Provider loaded in this session reads it again."""
    session.execute(_ADD_OPEN_CASE, {"provider_id": provider_id})
    loaded = session.identity_map.get(identity_key(Provider, (provider_id,)))
    if loaded is not None:
        session.expire(loaded, ["open_cases"])


def _new_assignment(
    case: Case,
    provider_id: int,
    pool: RotationPool | None,
    actor,
    *,
    mode: str,
    explanation: dict,
    turn: Turn,
    counted: bool,
    reason_code: str | None = None,
    reason: str | None = None,
    override: bool = False,
) -> Assignment:
    now = clock.now()
    return Assignment(
        case_id=case.id,
        provider_id=provider_id,
        pool_id=pool.id if pool else None,
        mode=mode,
        status="offered",
        live=True,
        reason_code=reason_code,
        reason=reason,
        counted=counted,
        override=override,
        clock_step=turn.clock_step,
        offset_step=turn.offset_step,
        assigned_at=now,
        assigned_by=actor_id(actor),
        respond_by=now + dt.timedelta(days=acceptance_days()),
        explanation=explanation,
        accepted_at=None,
        ended_at=None,
        decline_reason_code=None,
        decline_note=None,
        end_reason=None,
    )


def _audit_assign(session: Session, case: Case, assignment: Assignment, actor) -> None:
    audit.record(
        session,
        actor,
        "case.assign",
        "case",
        case.id,
        {"status": "accepted"},
        {
            "status": "assigned",
            "assignment_id": assignment.id,
            "provider_id": assignment.provider_id,
            "mode": assignment.mode,
            "reason_code": assignment.reason_code,
            "reason": assignment.reason,
        },
    )


def _create_assignment(session: Session, case: Case, provider_id: int, pool, actor, **fields) -> Assignment:
    """Write the assignment, the case's status and the provider's open-case count (the caller
    holds the provider's row lock and has moved the pool's clock and the member's offset)."""
    assignment = _new_assignment(case, provider_id, pool, actor, **fields)
    session.add(assignment)
    case.status = "assigned"
    session.flush()
    _add_open_case(session, provider_id)
    _audit_assign(session, case, assignment, actor)
    return assignment


# Columns the pick's INSERT writes (the others are NULL on a new assignment).
_NEW_ASSIGNMENT_COLUMNS = (
    "case_id", "provider_id", "pool_id", "mode", "status", "live", "reason_code", "reason", "counted",
    "override", "clock_step", "offset_step", "assigned_at", "assigned_by", "respond_by", "explanation",
)  # fmt: skip


_ONE = sa.literal_column("1", sa.Integer)  # no anonymous parameters in the cached statement


@functools.cache
def _pick_write_stmt() -> sa.Insert:
    """PostgreSQL: the whole write of a rotation pick in one statement. The provider's open-case
    count goes up only while it is below the cap (the UPDATE locks the provider's row and checks
    the cap on its latest version); only then are the member's offset, the pool's clock, the
    case's status and the assignment (with its explanation) written, and only while the case is
    still accepted. No row: the cap is full, or the case was assigned meanwhile."""
    # Parameter names are no column's name: an UPDATE would take such a parameter as a SET value.
    a, m, r, c = Assignment.__table__, _MEMBER_T, RotationPool.__table__, Case.__table__
    provider_id = sa.bindparam("p_provider", type_=sa.Integer)
    case_id = sa.bindparam("p_case", type_=sa.Integer)
    assignable = sa.exists().where(c.c.id == case_id, c.c.status == sa.literal_column("'accepted'"))
    took = (
        sa.update(_PROVIDER_T)
        .where(
            _PROVIDER_T.c.id == provider_id,
            _PROVIDER_T.c.open_cases < _PROVIDER_T.c.max_open_cases,
            assignable,  # the case's status, read after the pool lock was taken
        )
        .values(open_cases=_PROVIDER_T.c.open_cases + _ONE)
        .returning(_PROVIDER_T.c.id)
        .cte("took_case")
    )
    picked = sa.exists(sa.select(took.c.id))
    pool_id = sa.bindparam("p_pool", type_=sa.Integer)
    member = (
        sa.update(m)
        .where(m.c.pool_id == pool_id, m.c.provider_id == provider_id, picked)
        .values(turn_offset=sa.bindparam("p_offset", type_=sa.Float), turns=m.c.turns + _ONE)
        .returning(m.c.provider_id)
        .cte("counted_turn")
    )
    clock = (
        sa.update(r)
        .where(r.c.id == pool_id, picked)
        .values(
            clock=sa.bindparam("p_clock", type_=sa.Float),
            active_weight=sa.bindparam("p_active_weight", type_=sa.Float),
        )
        .returning(r.c.id)
        .cte("moved_clock")
    )
    status = (
        sa.update(c)
        .where(c.c.id == case_id, picked)
        .values(status=sa.literal_column("'assigned'"))
        .returning(c.c.id)
        .cte("case_assigned")
    )
    values = [
        took.c.id if name == "provider_id" else sa.bindparam(f"a_{name}", type_=a.c[name].type)
        for name in _NEW_ASSIGNMENT_COLUMNS
    ]
    return (
        sa.insert(a)
        .from_select(list(_NEW_ASSIGNMENT_COLUMNS), sa.select(*values).select_from(took))
        .returning(a.c.id)
        .add_cte(member, clock, status)
    )


def _write_pick(
    session: Session, case: Case, pool: RotationPool, member: Member, assignment: Assignment
) -> bool:
    """PostgreSQL: write a counted rotation pick in one statement (``_pick_write_stmt``). False,
    and nothing written, when the provider's cap filled since the walk read it (or the case is no
    longer accepted: the caller checks)."""
    params = {
        f"a_{name}": getattr(assignment, name) for name in _NEW_ASSIGNMENT_COLUMNS if name != "provider_id"
    }
    params.update(
        p_provider=member.provider_id,
        p_pool=pool.id,
        p_offset=member.offset,
        p_clock=pool.clock,
        p_active_weight=pool.active_weight,
        p_case=case.id,
    )
    with session.no_autoflush:  # the pool's new clock is in the statement
        new_id = session.execute(_pick_write_stmt(), params).scalar()
    if new_id is None:
        return False
    assignment.id = new_id
    make_transient_to_detached(assignment)
    session.add(assignment)  # persistent, as loaded: no INSERT at commit
    set_committed_value(case, "status", "assigned")
    set_committed_value(pool, "clock", pool.clock)
    set_committed_value(pool, "active_weight", pool.active_weight)
    for key in (
        identity_key(Provider, (member.provider_id,)),
        identity_key(PoolMember, (pool.id, member.provider_id)),
    ):
        loaded = session.identity_map.get(key)
        if loaded is not None:
            session.expire(loaded)
    member.turns = 0
    return True
