"""The clock arithmetic of the rotation (DESIGN.md §4 "Rotation (assignment)"): each pool's virtual
clock, a member's key (``weight × clock − offset``) and the cap on what they are owed, joining a pool
and changing weight, parking members who are unavailable and bringing them back, and counting a
turn. Members are handled as plain columns (``Member``) and written back in one UPDATE
(``_write_members``). The package's ``__init__`` explains the design."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from assignment.models import PoolMember, Provider, ProviderLeave, RotationPool


def member_key(member: PoolMember, clock: float) -> float:
    return member.weight * clock - member.offset


def owed_cap(weight: float, active_weight: float) -> float:
    """Property 3: a member is owed at most one case (plus their normal share of one turn)."""
    return 1.0 + weight / active_weight if active_weight > 0 else 1.0


def join_pool(session: Session, pool: RotationPool, provider: Provider, weight: float) -> PoolMember:
    """A new member joins at the back of the current round."""
    pool.active_weight += weight
    member = PoolMember(pool_id=pool.id, provider_id=provider.id, weight=weight, turns=0)
    member.offset = weight * pool.clock - (weight / pool.active_weight - 1.0)
    session.add(member)
    return member


def change_weight(pool: RotationPool, member: PoolMember, weight: float) -> None:
    """A new weight keeps the member's deficit; only their future share changes."""
    if member.away_since is not None:
        deficit = member_key(member, member.away_since)
        member.weight, member.offset = weight, weight * member.away_since - deficit
        return
    deficit = member_key(member, pool.clock)
    pool.active_weight += weight - member.weight
    member.weight, member.offset = weight, weight * pool.clock - deficit


def _park(pool: RotationPool, member: PoolMember, reason: str) -> None:
    member.away_since, member.away_reason = pool.clock, reason
    pool.active_weight = max(pool.active_weight - member.weight, 0.0)


@dataclass(eq=False)
class Member:
    """One pool member's rotation state as the pick reads and writes it (plain columns, no ORM
    object): ``member_key``, ``_park`` and ``_count_turn`` work on it as on a ``PoolMember``."""

    provider_id: int
    weight: float
    offset: float
    away_since: float | None = None
    away_reason: str | None = None
    turns: int = 0  # turns counted in this pick (added to the stored count)


_MEMBER_T = PoolMember.__table__
_WRITE_MEMBER = (
    sa.update(_MEMBER_T)
    .where(
        _MEMBER_T.c.pool_id == sa.bindparam("b_pool"), _MEMBER_T.c.provider_id == sa.bindparam("b_provider")
    )
    .values(
        turn_offset=sa.bindparam("b_offset"),
        turns=_MEMBER_T.c.turns + sa.bindparam("b_turns"),
        away_since=sa.bindparam("b_away_since"),
        away_reason=sa.bindparam("b_away_reason"),
    )
)


# Many members at once (a month of duty shifts parks and returns hundreds): on PostgreSQL one UPDATE
# over arrays, instead of one statement per member in the executemany.
BULK_MEMBERS = 50
_WRITE_MEMBERS_ARRAYS = sa.text(
    "UPDATE pool_member AS m SET turn_offset = v.turn_offset, turns = m.turns + v.turns,"
    " away_since = v.away_since, away_reason = v.away_reason"
    " FROM unnest(CAST(:providers AS integer[]), CAST(:offsets AS double precision[]),"
    " CAST(:turns AS integer[]), CAST(:away_since AS double precision[]), CAST(:away_reason AS varchar[]))"
    " AS v(provider_id, turn_offset, turns, away_since, away_reason)"
    " WHERE m.pool_id = :pool AND m.provider_id = v.provider_id"
)


def _write_members(session: Session, pool_id: int, members: list[Member]) -> None:
    """Write the members a pick changed: one UPDATE (executemany, or over arrays for many on
    PostgreSQL) whatever their number."""
    latest = {m.provider_id: m for m in members}
    if not latest:
        return
    if len(latest) > BULK_MEMBERS and session.get_bind().dialect.name == "postgresql":
        rows = list(latest.values())
        session.execute(
            _WRITE_MEMBERS_ARRAYS,
            {
                "pool": pool_id,
                "providers": [m.provider_id for m in rows],
                "offsets": [m.offset for m in rows],
                "turns": [m.turns for m in rows],
                "away_since": [m.away_since for m in rows],
                "away_reason": [m.away_reason for m in rows],
            },
        )
    else:
        _write_each(session, pool_id, latest)
    for m in latest.values():  # a PoolMember loaded earlier in this transaction is now stale
        m.turns = 0
        loaded = session.identity_map.get(identity_key(PoolMember, (pool_id, m.provider_id)))
        if loaded is not None:
            session.expire(loaded)
    members.clear()


def _write_each(session: Session, pool_id: int, latest: dict[int, Member]) -> None:
    params = [
        {
            "b_pool": pool_id,
            "b_provider": m.provider_id,
            "b_offset": m.offset,
            "b_turns": m.turns,
            "b_away_since": m.away_since,
            "b_away_reason": m.away_reason,
        }
        for m in latest.values()
    ]
    session.execute(_WRITE_MEMBER, params)


# The pick's statements are built once, with bound parameters: building and cache-keying them
# again on every pick costs more than running them.
_POOL_ID = sa.bindparam("pool_id", type_=sa.Integer)
_TODAY = sa.bindparam("today", type_=sa.Date)


def _on_leave(provider_id):
    leave = ProviderLeave.__table__
    return sa.exists().where(
        leave.c.provider_id == provider_id, leave.c.starts_on <= _TODAY, leave.c.ends_on >= _TODAY
    )


def _availability_stmt() -> sa.CompoundSelect:
    """Parked members available again ("back"), and present members unavailable today. Each
    branch starts from the few unavailable providers (partial indexes) or the few parked members,
    not from the pool's members."""
    m, p = _MEMBER_T, Provider.__table__
    cols = (m.c.provider_id, m.c.weight, m.c.turn_offset, m.c.away_since)
    joined = m.join(p, p.c.id == m.c.provider_id)

    def branch(kind: str, *where):
        return (
            sa.select(sa.literal_column(f"'{kind}'").label("kind"), *cols).select_from(joined).where(*where)
        )

    present = (m.c.pool_id == _POOL_ID, m.c.away_since.is_(None))
    return sa.union_all(
        branch(
            "back",
            m.c.pool_id == _POOL_ID,
            m.c.away_since.is_not(None),
            p.c.active.is_(True),
            p.c.open_cases < p.c.max_open_cases,
            ~_on_leave(m.c.provider_id),
        ),
        branch("inactive", *present, sa.not_(p.c.active)),  # matches ix_provider_inactive
        branch("at_cap", *present, p.c.open_cases >= p.c.max_open_cases),  # ix_provider_at_cap
        branch("on_leave", *present, _on_leave(m.c.provider_id)),
    )


_AVAILABILITY = _availability_stmt()


def _update_availability(session: Session, pool: RotationPool, today: dt.date) -> None:
    """Bring back parked members who are available again (at the back of the current round), then
    park present members who are unavailable today (inactive, at their cap, on leave), so they
    accrue nothing while away even if the walk never reaches them (property 4). One query;
    changes are written at once (usually there are none)."""
    rows = session.execute(_AVAILABILITY, {"pool_id": pool.id, "today": today}).all()
    if not rows:
        return
    changed: dict[int, Member] = {}
    for kind in ("back", "inactive", "at_cap", "on_leave"):  # returns first, then as before
        for row in sorted((r for r in rows if r.kind == kind), key=lambda r: r.provider_id):
            member = changed.get(row.provider_id)
            if member is None:
                member = Member(row.provider_id, row.weight, row.turn_offset, row.away_since)
            if kind == "back":
                pool.active_weight += member.weight
                at_departure = member_key(member, member.away_since)
                key = min(at_departure, member.weight / pool.active_weight - 1.0)
                member.offset = member.weight * pool.clock - key
                member.away_since = member.away_reason = None
            elif member.away_since is None:
                _park(pool, member, kind)
            changed[row.provider_id] = member
    _write_members(session, pool.id, list(changed.values()))


@dataclass
class Turn:
    """How one counted turn moved the pool clock and the member's offset (a conflict decline undoes it)."""

    clock_step: float = 0.0
    offset_step: float = 0.0


def _count_turn(pool: RotationPool, member: PoolMember, step: float) -> Turn:
    """Count one turn for ``member``."""
    pool.clock += step
    member.turns += 1
    key = member_key(member, pool.clock)
    if key <= owed_cap(member.weight, pool.active_weight):
        member.offset += 1.0
        return Turn(step, 1.0)
    # Owed more than one case (skipped for cause many times): they get this one and go to the back
    # of the round, like a member just picked, so no burst follows (property 3). What is forgiven
    # goes back to everyone through the clock, one row, so the keys stay centred on zero.
    back = member.weight / pool.active_weight - 1.0
    forgiven = (key - 1.0) - back
    pool.clock += forgiven / pool.active_weight
    before = member.offset
    member.offset = member.weight * pool.clock - back
    return Turn(step + forgiven / pool.active_weight, member.offset - before)
