"""The walk in key order: the members of a pool read from the front of the line (largest key first,
ties to the lowest provider id) without scanning the pool, one index range per weight merged, judged
in batches until enough eligible members are found; members found unavailable are parked. Also the
explanation a pick records, and the 409 listing why nobody could take a case."""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import operator
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.models import PoolMember, Provider, ProviderConflict, RotationPool
from assignment.rotation.pool_clock import _MEMBER_T, _POOL_ID, Member, _on_leave, _park, owed_cap
from assignment.rotation.who_may_take import (
    REASONS,
    CaseFacts,
    _case_reason,
    _norm,
    _unavailable_reason,
    eligibility,
)
from legalaid.errors import NotAllowed, joined, say

EXPLAIN_SKIPPED = 20  # the explanation keeps at most 20 skipped members
WALK_BATCH = 32
CAPPED_READ = 200


def _candidates(weight) -> sa.Select:
    """Present members of one weight with the provider columns eligibility reads, and whether
    they are on leave today or have declared any conflict (names are read only for those)."""
    m, p, c = _MEMBER_T, Provider.__table__, ProviderConflict.__table__
    return (
        sa.select(
            m.c.provider_id,
            m.c.weight,
            m.c.turn_offset.label("offset"),
            p.c.id,
            p.c.kind,
            p.c.active,
            p.c.open_cases,
            p.c.max_open_cases,
            p.c.practice_since,
            p.c.organization_id,
            _on_leave(m.c.provider_id).label("on_leave"),
            sa.exists().where(c.c.provider_id == m.c.provider_id).label("has_conflict"),
        )
        .select_from(m.join(p, p.c.id == m.c.provider_id))
        .where(m.c.pool_id == _POOL_ID, m.c.weight == weight, m.c.away_since.is_(None))
    )


_IN_KEY_ORDER = (_MEMBER_T.c.turn_offset, _MEMBER_T.c.provider_id)
_WEIGHT = sa.bindparam("weight", type_=sa.Float)
_THRESHOLD = sa.bindparam("threshold", type_=sa.Float)
_LAST_OFFSET = sa.bindparam("last_offset", type_=sa.Float)
_LAST_ID = sa.bindparam("last_id", type_=sa.Integer)
_NEXT_PAGE = (
    _candidates(_WEIGHT)
    .where(
        sa.or_(
            _MEMBER_T.c.turn_offset > _LAST_OFFSET,
            sa.and_(_MEMBER_T.c.turn_offset == _LAST_OFFSET, _MEMBER_T.c.provider_id > _LAST_ID),
        )
    )
    .order_by(*_IN_KEY_ORDER)
    .limit(WALK_BATCH)
)
_ALL_CAPPED = (
    _candidates(_WEIGHT).where(_MEMBER_T.c.turn_offset <= _THRESHOLD).order_by(_MEMBER_T.c.provider_id)
)


@functools.cache
def _front_stmt(weights: int) -> sa.CompoundSelect:
    """Per weight i: the members at the cap (up to CAPPED_READ + 1) and the first WALK_BATCH after
    them, along the walk index; parameters ``weight_i`` and ``threshold_i``."""
    parts = []
    for i in range(weights):
        weight = sa.bindparam(f"weight_{i}", type_=sa.Float)
        threshold = sa.bindparam(f"threshold_{i}", type_=sa.Float)
        base = _candidates(weight)
        offset = _MEMBER_T.c.turn_offset
        for part, where, limit in (
            (0, offset <= threshold, CAPPED_READ + 1),
            (1, offset > threshold, WALK_BATCH),
        ):
            stmt = base.add_columns(sa.literal_column(str(2 * i + part)).label("part"))
            parts.append(sa.select(stmt.where(where).order_by(*_IN_KEY_ORDER).limit(limit).subquery()))
    return sa.union_all(*parts)


def _first_pages(
    session: Session, pool: RotationPool, clock: float, active_weight: float, today: dt.date
) -> dict[float, tuple[list, list]]:
    """The front of every weight's line in one query."""
    weights = list(pool.weights)
    pages: dict[int, list] = {n: [] for n in range(2 * len(weights))}
    if weights:
        params: dict = {"pool_id": pool.id, "today": today}
        for i, weight in enumerate(weights):
            params[f"weight_{i}"] = weight
            params[f"threshold_{i}"] = weight * clock - owed_cap(weight, active_weight)
        for row in session.execute(_front_stmt(len(weights)), params):
            pages[row.part].append(row)
    key = operator.attrgetter("offset", "provider_id")
    return {
        weight: (sorted(pages[2 * i], key=key), sorted(pages[2 * i + 1], key=key))
        for i, weight in enumerate(weights)
    }


def _weight_stream(
    session: Session,
    pool: RotationPool,
    weight: float,
    clock: float,
    active_weight: float,
    today: dt.date,
    first: tuple[list, list],
) -> Iterator[tuple[float, int, sa.Row]]:
    """Present members of one weight in key order: first those at the cap (tied, so by provider
    id), then the rest by offset ascending (= key descending), in batches after ``first``."""
    cap = owed_cap(weight, active_weight)
    params = {"pool_id": pool.id, "today": today, "weight": weight}
    # Members at the cap are tied; they are few (owed for cause), read along the walk index and
    # ordered by provider id here. Only an unusually long capped prefix is sorted by the database.
    capped, rows = first
    if len(capped) > CAPPED_READ:
        capped = session.execute(_ALL_CAPPED, {**params, "threshold": weight * clock - cap}).all()
    for row in sorted(capped, key=lambda r: r.provider_id):
        yield (-cap, row.provider_id, row)
    while True:
        for row in rows:
            yield (-(weight * clock - row.offset), row.provider_id, row)
        if len(rows) < WALK_BATCH:
            break
        last = {"last_offset": rows[-1].offset, "last_id": rows[-1].provider_id}
        rows = session.execute(_NEXT_PAGE, {**params, **last}).all()


@dataclass
class Walk:
    """The outcome of walking the line for one case: eligible members in order, who was skipped,
    and the members it parked (written by ``_write_members``)."""

    eligible: list[tuple[Member, float]] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    changed: list[Member] = field(default_factory=list)


def _conflicted(session: Session, batch: list[tuple[float, sa.Row]], facts: CaseFacts) -> set[int]:
    """Who in this batch declared a conflict with the case's parties (only those with any conflict
    are looked up; names are compared normalised)."""
    ids = [row.provider_id for _key, row in batch if row.has_conflict]
    if not ids or not facts.parties:
        return set()
    rows = session.execute(
        sa.select(ProviderConflict.provider_id, ProviderConflict.party_name).where(
            ProviderConflict.provider_id.in_(ids)
        )
    )
    return {pid for pid, party in rows if _norm(party) in facts.parties}


def _walk(session: Session, pool: RotationPool, facts: CaseFacts, want: int, clock: float) -> Walk:
    """Walk the line from the front until ``want`` eligible members are found (or the line ends),
    parking those found unavailable. Bounded by ``want`` plus the members skipped."""
    active_weight = pool.active_weight
    first = _first_pages(session, pool, clock, active_weight, facts.today)
    streams = [
        _weight_stream(session, pool, w, clock, active_weight, facts.today, first[w]) for w in pool.weights
    ]
    merged = heapq.merge(*streams, key=lambda item: (item[0], item[1]))
    walk = Walk()
    pending: list[tuple[float, sa.Row]] = []

    def judge(batch: list[tuple[float, sa.Row]]) -> bool:
        on_leave = {row.provider_id for _key, row in batch if row.on_leave}
        conflicted = _conflicted(session, batch, facts)
        for key, row in batch:
            reason = _unavailable_reason(row, on_leave) or _case_reason(row, facts, conflicted)
            member = Member(row.provider_id, row.weight, row.offset)
            if reason is None:
                walk.eligible.append((member, key))
                if len(walk.eligible) >= want:
                    return True
                continue
            walk.reasons[reason] += 1
            if REASONS[reason][0] == "unavailable":
                _park(pool, member, reason)
                walk.changed.append(member)
            if len(walk.skipped) < EXPLAIN_SKIPPED:
                walk.skipped.append(
                    {
                        "provider_id": member.provider_id,
                        "eligible": False,
                        "reason": reason,
                        "deficit": round(key, 4),
                    }
                )
        return False

    for neg_key, _pid, row in merged:
        pending.append((-neg_key, row))
        if len(pending) >= max(want - len(walk.eligible), 1) * 2 or len(pending) >= WALK_BATCH:
            if judge(pending):
                return walk
            pending = []
    if pending:
        judge(pending)
    return walk


def _no_one_eligible(session: Session, walk: Walk, pool: RotationPool) -> NotAllowed:
    """409 listing why nobody could take the case, counting the members parked as away too."""
    away = session.execute(
        sa.select(PoolMember.away_reason, sa.func.count())
        .where(PoolMember.pool_id == pool.id, PoolMember.away_since.is_not(None))
        .group_by(PoolMember.away_reason)
    ).all()
    # Members parked during this walk are among the away ones: count case reasons from the walk only.
    reasons = Counter({r: n for r, n in walk.reasons.items() if REASONS[r][0] == "cause"})
    reasons.update(dict(away))
    if not reasons:
        return NotAllowed(
            say("No provider is eligible: pool %(pool)s has no members.", pool=repr(pool.name)),
            code="no_eligible_provider",
        )
    listed = joined(
        [say("%(reason)s: %(count)s", reason=REASONS[r][1], count=n) for r, n in reasons.most_common()]
    )
    return NotAllowed(
        say("No provider is eligible in pool %(pool)s (%(reasons)s).", pool=repr(pool.name), reasons=listed),
        code="no_eligible_provider",
    )


def _explanation(walk: Walk, pool: RotationPool, picked: PoolMember, key: float, mode: str) -> dict:
    after = [
        {"provider_id": m.provider_id, "eligible": True, "deficit": round(k, 4)}
        for m, k in walk.eligible
        if m is not picked
    ][: eligibility("window_size")]
    return {
        "pool_id": pool.id,
        "mode": mode,
        "skipped": walk.skipped,
        "picked": {"provider_id": picked.provider_id, "eligible": True, "deficit": round(key, 4)},
        "next": after,
    }
