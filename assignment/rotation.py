"""Fair rotation of assignments (DESIGN.md §4 "Rotation (assignment)") and the assignment's own
transitions: assign (rotation, window, designated, continuation), accept, decline, expire, reassign.

How the pick works. Each pool has a virtual ``clock`` that advances by 1/W per counted turn, W being
the weight of the members present (``active_weight``). A member's deficit, its place in line, is
``key = weight × clock − offset``: what they were due minus what they got, in cases. The eligible
member with the largest key goes next (smooth weighted round robin); ties go to the lowest provider
id. A turn adds 1 to the picked member's offset, so a pick writes O(1) rows.

* Skipped for a case-specific reason (conflict, experience, kind, opposing organisation): nothing is
  written; their key keeps growing so they keep their place, but it is read capped at
  ``1 + weight/W`` (owed at most one case). When next picked they go to the back of the round and
  what they were owed beyond one case is forgiven (spread over everyone through the clock), so no
  burst follows.
* Unavailable (on leave, at their open-case cap, inactive): each pick first parks them
  (``away_since`` = the clock; the walk also parks any it meets) and they leave the walk and W.
  When they are available again (checked at the start of every pick) their key is set to the back
  of the current round, ``weight/W − 1``, unless it was lower when they left: they accrue nothing
  while away.
* Members are read in key order without scanning the pool: within one weight, key order is offset
  order (index ``ix_pool_member_walk``); the few weights of a pool are merged.

What a pick costs. Concurrent assigners of one pool queue on its row lock, so the locked section is
kept to a few round trips: before the lock, the pool and the case's links (one query); after it, the
members coming back or going away (one query), the front of the line with every fact eligibility
needs (one query per page; conflict names only for members who declared any), then the write. On
PostgreSQL the write is one statement (``_pick_write_stmt``): the provider's count goes up only if
below the cap, checked under that row's lock, and only then are the offset, clock, case status and
the assignment with its explanation written; on SQLite, separate statements. Statements are built
once with bound parameters, and rows are read as plain columns rather than ORM objects.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import operator
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, lazyload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from assignment import labels
from assignment.deadlines import limits
from assignment.models import (
    DECLINE_REASONS,
    WINDOW_REASONS,
    Assignment,
    Case,
    PoolMember,
    PoolScope,
    Provider,
    ProviderConflict,
    ProviderLeave,
    RotationPool,
)
from assignment.roles import actor_id, require_role
from assignment.signals import assignment_accepted, assignment_ended
from legalaid import audit, clock
from legalaid.db import lock_for_update, lock_row
from legalaid.errors import Invalid, NotAllowed, NotFound, joined, say
from legalaid.models import CASE_STAFF

# DESIGN.md §4; each may be changed through the ELIGIBILITY setting (legalaid.rules).
ELIGIBILITY = {
    "window_size": 5,  # choice within the window: any of the next 5 eligible (Texas art. 26.04(a))
    "life_death_years": 3,  # Law art. 26: possible life or death sentence, ≥3 years of practice
    "juvenile_years": 2,  # Hunan 2016: juvenile defendants, ≥2 years of practice
}


def declare_rules(app) -> None:
    from flask_babel import lazy_gettext as _l

    from legalaid import rules

    rules.declare(app, "ELIGIBILITY", ELIGIBILITY, _l("Rotation: window and experience (years)"))


def eligibility(name: str) -> int:
    return {**ELIGIBILITY, **current_app.config.get("ELIGIBILITY", {})}[name]


EXPLAIN_SKIPPED = 20  # the explanation keeps at most 20 skipped members
WALK_BATCH = 32
CAPPED_READ = 200

# Why a member was passed over. "unavailable" parks them; "cause" keeps their place (property 3).
REASONS = {
    "inactive": ("unavailable", say("not active on the panel")),
    "on_leave": ("unavailable", say("on leave on the assignment date")),
    "at_cap": ("unavailable", say("at their open-case cap")),
    "criminal_needs_lawyer": ("cause", say("criminal defence needs a lawyer (Law arts. 25, 26, 36)")),
    "experience_life_death": ("cause", say("life/death case needs 3 years of practice (Law art. 26)")),
    "experience_juvenile": ("cause", say("juvenile defendant needs 2 years of practice")),
    "conflict": ("cause", say("declared conflict with a party")),
    "opposing_organization": ("cause", say("same organisation as the opposing party's provider")),
    "had_this_case": ("cause", say("already had this case")),
}


def acceptance_days() -> int:
    return limits()["acceptance_days"]


# --- the clock arithmetic ---


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


def _write_members(session: Session, pool_id: int, members: list[Member]) -> None:
    """Write the members a pick changed: one UPDATE (executemany) whatever their number."""
    latest = {m.provider_id: m for m in members}
    if not latest:
        return
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
    for m in latest.values():  # a PoolMember loaded earlier in this transaction is now stale
        m.turns = 0
        loaded = session.identity_map.get(identity_key(PoolMember, (pool_id, m.provider_id)))
        if loaded is not None:
            session.expire(loaded)
    members.clear()


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


# --- eligibility ---


@dataclass
class CaseFacts:
    """What eligibility needs to know about one case, read once per pick."""

    case: Case
    today: dt.date
    parties: set[str]
    opposing_orgs: set[int]
    had_case: set[int]


def _norm(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


def _case_links_stmt(with_pool: bool) -> sa.CompoundSelect:
    """Who had the case, and the linked cases; ``with_pool``: also the pool scopes for its type
    and area (``_pool_id_for_case``), all in one round trip."""
    a, c, scope = Assignment.__table__, Case.__table__, PoolScope.__table__
    case_id = sa.bindparam("case_id", type_=sa.Integer)
    opposing_id = sa.bindparam("opposing_id", type_=sa.Integer)
    no_area = sa.cast(sa.null(), sa.String)
    had = sa.select(
        sa.literal_column("'had'").label("kind"), a.c.provider_id.label("ref"), no_area.label("area")
    )
    parts = [
        had.where(a.c.case_id == case_id),
        sa.select(sa.literal_column("'linked'"), c.c.id, no_area).where(
            sa.or_(c.c.id == opposing_id, c.c.opposing_case_id == case_id), c.c.id != case_id
        ),
    ]
    if with_pool:
        parts.append(
            sa.select(sa.literal_column("'pool'"), scope.c.pool_id, scope.c.area_key).where(
                scope.c.case_type == sa.bindparam("case_type", type_=sa.String),
                sa.or_(scope.c.area_key == sa.bindparam("area", type_=sa.String), scope.c.area_key == ""),
            )
        )
    return sa.union_all(*parts)


_CASE_LINKS = _case_links_stmt(False)
_POOL_AND_LINKS = _case_links_stmt(True)
_CASE_STATUS = sa.select(Case.__table__.c.status).where(Case.__table__.c.id == sa.bindparam("case_id"))


def _case_links(session: Session, case: Case) -> tuple[set[int], list[int]]:
    """Who already had this case, and the cases linked to it as the other party's (one query).
    Neither depends on the rotation state, so it is read before the pool is locked."""
    rows = session.execute(_CASE_LINKS, {"case_id": case.id, "opposing_id": case.opposing_case_id}).all()
    return {r.ref for r in rows if r.kind == "had"}, [r.ref for r in rows if r.kind == "linked"]


def _pool_and_links(session: Session, case: Case) -> tuple[int, set[int], list[int]]:
    """``_pool_id_for_case`` and ``_case_links`` in one query (both read before the pool lock)."""
    area = case.intake_point or ""
    params = {
        "case_id": case.id,
        "opposing_id": case.opposing_case_id,
        "case_type": case.case_type,
        "area": area,
    }
    rows = session.execute(_POOL_AND_LINKS, params).all()
    scopes = [(r.ref, r.area) for r in rows if r.kind == "pool"]
    if not scopes:
        raise NotAllowed(
            say(
                "No rotation pool serves %(case_type)s cases; an admin must define one.",
                case_type=labels.case_type(case.case_type),
            )
        )
    pool_id = next((pid for pid, key in scopes if key == area), scopes[0][0])
    return pool_id, {r.ref for r in rows if r.kind == "had"}, [r.ref for r in rows if r.kind == "linked"]


def _opposing_orgs(session: Session, linked: list[int]) -> set[int]:
    """The organisations of the linked cases' live providers: read under the pool lock, since the
    other party's case may be assigned from the same pool at the same time."""
    if not linked:
        return set()
    return set(
        session.scalars(
            sa.select(Provider.organization_id)
            .join(Assignment, Assignment.provider_id == Provider.id)
            .where(Assignment.case_id.in_(linked), Assignment.live.is_(True))
        )
    )


def _facts(case: Case, today: dt.date, opposing_orgs: set[int], had_case: set[int]) -> CaseFacts:
    parties = {_norm(case.applicant_name), _norm(case.opposing_party)} - {""}
    return CaseFacts(case, today, parties, opposing_orgs, had_case)


def _case_facts(session: Session, case: Case, today: dt.date) -> CaseFacts:
    had_case, linked = _case_links(session, case)
    return _facts(case, today, _opposing_orgs(session, linked), had_case)


def years_of_practice(provider: Provider, on: dt.date) -> int:
    years = on.year - provider.practice_since.year
    if (on.month, on.day) < (provider.practice_since.month, provider.practice_since.day):
        years -= 1
    return years


def _case_reason(provider: Provider, facts: CaseFacts, conflicted: set[int]) -> str | None:
    """The case-specific reason this provider may not take this case, if any (DESIGN.md §4)."""
    case = facts.case
    if provider.id in facts.had_case:
        return "had_this_case"
    if case.case_type == "criminal" and provider.kind != "lawyer":
        return "criminal_needs_lawyer"
    if case.max_sentence in ("life", "death") and years_of_practice(provider, facts.today) < eligibility(
        "life_death_years"
    ):
        return "experience_life_death"
    if case.juvenile and years_of_practice(provider, facts.today) < eligibility("juvenile_years"):
        return "experience_juvenile"
    if provider.id in conflicted:
        return "conflict"
    if provider.organization_id in facts.opposing_orgs:
        return "opposing_organization"
    return None


def _unavailable_reason(provider: Provider, on_leave: set[int]) -> str | None:
    if not provider.active:
        return "inactive"
    if provider.id in on_leave:
        return "on_leave"
    if provider.open_cases >= provider.max_open_cases:
        return "at_cap"
    return None


def _batch_facts(session: Session, provider_ids: list[int], facts: CaseFacts) -> tuple[set[int], set[int]]:
    """Who in this batch is on leave today, and who declared a conflict with the case's parties."""
    on_leave = set(
        session.scalars(
            sa.select(ProviderLeave.provider_id).where(
                ProviderLeave.provider_id.in_(provider_ids),
                ProviderLeave.starts_on <= facts.today,
                ProviderLeave.ends_on >= facts.today,
            )
        )
    )
    conflicted: set[int] = set()
    if facts.parties:
        rows = session.execute(
            sa.select(ProviderConflict.provider_id, ProviderConflict.party_name).where(
                ProviderConflict.provider_id.in_(provider_ids)
            )
        )
        conflicted = {pid for pid, party in rows if _norm(party) in facts.parties}
    return on_leave, conflicted


def provider_ineligibility(session: Session, provider: Provider, case: Case, today: dt.date) -> str | None:
    """Why ``provider`` may not take ``case`` today (a REASONS code), or None when eligible."""
    facts = _case_facts(session, case, today)
    on_leave, conflicted = _batch_facts(session, [provider.id], facts)
    return _unavailable_reason(provider, on_leave) or _case_reason(provider, facts, conflicted)


# --- the walk in key order ---


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


# --- assigning ---


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
    area = case.intake_point or ""
    rows = session.execute(_POOL_FOR, {"case_type": case.case_type, "area": area}).all()
    if not rows:
        raise NotAllowed(
            say(
                "No rotation pool serves %(case_type)s cases; an admin must define one.",
                case_type=labels.case_type(case.case_type),
            )
        )
    return next((pid for pid, key in rows if key == area), rows[0][0])


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


# --- the provider's answer, timeouts and reassignment ---


def get_assignment(session: Session, assignment_id: int, actor=None) -> Assignment:
    """An assignment; a provider may see only their own (another's is NotFound, DESIGN.md §5)."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound(say("No such assignment."))
    staff = actor is None or actor.has_role(*CASE_STAFF)
    if not staff and (actor.provider_id is None or actor.provider_id != assignment.provider_id):
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
