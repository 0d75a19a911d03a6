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
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, lazyload

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
from legalaid import audit
from legalaid.db import lock_for_update, utcnow
from legalaid.errors import Invalid, NotAllowed, NotFound

WINDOW_SIZE = 5  # DESIGN.md §4: any of the next 5 eligible (Texas art. 26.04(a))
EXPLAIN_SKIPPED = 20  # the explanation keeps at most 20 skipped members
WALK_BATCH = 32
CAPPED_READ = 200

# Why a member was passed over. "unavailable" parks them; "cause" keeps their place (property 3).
REASONS = {
    "inactive": ("unavailable", "not active on the panel"),
    "on_leave": ("unavailable", "on leave on the assignment date"),
    "at_cap": ("unavailable", "at their open-case cap"),
    "criminal_needs_lawyer": ("cause", "criminal defence needs a lawyer (Law arts. 25, 26, 36)"),
    "experience_life_death": ("cause", "life/death case needs 3 years of practice (Law art. 26)"),
    "experience_juvenile": ("cause", "juvenile defendant needs 2 years of practice"),
    "conflict": ("cause", "declared conflict with a party"),
    "opposing_organization": ("cause", "same organisation as the opposing party's provider"),
    "had_this_case": ("cause", "already had this case"),
}
LIFE_DEATH_YEARS = 3
JUVENILE_YEARS = 2


def acceptance_days() -> int:
    from assignment.intake import limits

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


def _send_away(session: Session, pool: RotationPool, today: dt.date) -> None:
    """Park present members who are unavailable today (inactive, at their cap, on leave), so they
    accrue nothing while away even if the walk never reaches them (property 4). Each query starts
    from the few unavailable providers (partial indexes), not from the pool's members."""
    present = sa.select(PoolMember).join(Provider, Provider.id == PoolMember.provider_id)
    present = present.where(PoolMember.pool_id == pool.id, PoolMember.away_since.is_(None))
    present = present.options(lazyload(PoolMember.provider))
    checks = [
        ("inactive", present.where(sa.not_(Provider.active))),  # matches ix_provider_inactive
        ("at_cap", present.where(Provider.open_cases >= Provider.max_open_cases)),
        (
            "on_leave",
            present.join(ProviderLeave, ProviderLeave.provider_id == PoolMember.provider_id).where(
                ProviderLeave.ends_on >= today, ProviderLeave.starts_on <= today
            ),
        ),
    ]
    for reason, stmt in checks:
        for member in session.scalars(stmt.order_by(PoolMember.provider_id)):
            if member.away_since is None:
                _park(pool, member, reason)


def _return_from_away(session: Session, pool: RotationPool, today: dt.date) -> None:
    """Bring back parked members who are available again, at the back of the current round."""
    on_leave = sa.exists().where(
        ProviderLeave.provider_id == PoolMember.provider_id,
        ProviderLeave.starts_on <= today,
        ProviderLeave.ends_on >= today,
    )
    back = session.scalars(
        sa.select(PoolMember)
        .join(Provider, Provider.id == PoolMember.provider_id)
        .where(
            PoolMember.pool_id == pool.id,
            PoolMember.away_since.is_not(None),
            Provider.active.is_(True),
            Provider.open_cases < Provider.max_open_cases,
            ~on_leave,
        )
        .order_by(PoolMember.provider_id)
    ).all()
    for member in back:
        pool.active_weight += member.weight
        at_departure = member_key(member, member.away_since)
        key = min(at_departure, member.weight / pool.active_weight - 1.0)
        member.offset = member.weight * pool.clock - key
        member.away_since = member.away_reason = None


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


def _case_facts(session: Session, case: Case, today: dt.date) -> CaseFacts:
    linked = sa.or_(Case.id == case.opposing_case_id, Case.opposing_case_id == case.id)
    opposing_orgs = set(
        session.scalars(
            sa.select(Provider.organization_id)
            .join(Assignment, Assignment.provider_id == Provider.id)
            .join(Case, Case.id == Assignment.case_id)
            .where(linked, Case.id != case.id, Assignment.live.is_(True))
        )
    )
    had_case = set(session.scalars(sa.select(Assignment.provider_id).where(Assignment.case_id == case.id)))
    parties = {_norm(case.applicant_name), _norm(case.opposing_party)} - {""}
    return CaseFacts(case, today, parties, opposing_orgs, had_case)


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
    if case.max_sentence in ("life", "death") and years_of_practice(provider, facts.today) < LIFE_DEATH_YEARS:
        return "experience_life_death"
    if case.juvenile and years_of_practice(provider, facts.today) < JUVENILE_YEARS:
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


def _weight_stream(
    session: Session, pool: RotationPool, weight: float, clock: float, active_weight: float
) -> Iterator[tuple[float, int, PoolMember]]:
    """Present members of one weight in key order: first those at the cap (tied, so by provider
    id), then the rest by offset ascending (= key descending), fetched in small batches."""
    cap = owed_cap(weight, active_weight)
    threshold = weight * clock - cap  # offset at or below it: key at or above the cap
    base = (
        sa.select(PoolMember)
        .where(PoolMember.pool_id == pool.id, PoolMember.weight == weight, PoolMember.away_since.is_(None))
        .options(joinedload(PoolMember.provider).lazyload(Provider.organization))
    )
    # Members at the cap are tied; they are few (owed for cause), read along the walk index and
    # ordered by provider id here. Only an unusually long capped prefix is sorted by the database.
    capped = session.scalars(
        base.where(PoolMember.offset <= threshold)
        .order_by(PoolMember.offset, PoolMember.provider_id)
        .limit(CAPPED_READ + 1)
    ).all()
    if len(capped) > CAPPED_READ:
        capped = session.scalars(
            base.where(PoolMember.offset <= threshold).order_by(PoolMember.provider_id)
        ).all()
    for member in sorted(capped, key=lambda m: m.provider_id):
        yield (-cap, member.provider_id, member)
    last_offset, last_id = threshold, None
    while True:
        after = (
            PoolMember.offset > last_offset
            if last_id is None
            else sa.or_(
                PoolMember.offset > last_offset,
                sa.and_(PoolMember.offset == last_offset, PoolMember.provider_id > last_id),
            )
        )
        rows = session.scalars(
            base.where(after).order_by(PoolMember.offset, PoolMember.provider_id).limit(WALK_BATCH)
        ).all()
        for member in rows:
            yield (-(weight * clock - member.offset), member.provider_id, member)
        if len(rows) < WALK_BATCH:
            break
        last_offset, last_id = rows[-1].offset, rows[-1].provider_id


@dataclass
class Walk:
    """The outcome of walking the line for one case: eligible members in order, and who was skipped."""

    eligible: list[tuple[PoolMember, float]] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)


def _walk(session: Session, pool: RotationPool, facts: CaseFacts, want: int, clock: float) -> Walk:
    """Walk the line from the front until ``want`` eligible members are found (or the line ends),
    parking those found unavailable. Bounded by ``want`` plus the members skipped."""
    active_weight = pool.active_weight
    streams = [_weight_stream(session, pool, w, clock, active_weight) for w in pool.weights]
    merged = heapq.merge(*streams, key=lambda item: (item[0], item[1]))
    walk = Walk()
    pending: list[tuple[float, PoolMember]] = []

    def judge(batch: list[tuple[float, PoolMember]]) -> bool:
        ids = [m.provider_id for _k, m in batch]
        on_leave, conflicted = _batch_facts(session, ids, facts)
        for key, member in batch:
            provider = member.provider
            reason = _unavailable_reason(provider, on_leave) or _case_reason(provider, facts, conflicted)
            if reason is None:
                walk.eligible.append((member, key))
                if len(walk.eligible) >= want:
                    return True
                continue
            walk.reasons[reason] += 1
            if REASONS[reason][0] == "unavailable":
                _park(pool, member, reason)
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

    for neg_key, _pid, member in merged:
        pending.append((-neg_key, member))
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
            f"No provider is eligible: pool {pool.name!r} has no members.", code="no_eligible_provider"
        )
    listed = "; ".join(f"{REASONS[r][1]}: {n}" for r, n in reasons.most_common())
    return NotAllowed(
        f"No provider is eligible in pool {pool.name!r} ({listed}).", code="no_eligible_provider"
    )


# --- assigning ---


def pool_for_case(session: Session, case: Case) -> RotationPool:
    """The pool serving the case's type and intake area; a pool without an area serves the areas
    no other pool claims for that type (DESIGN.md §4 "Pools")."""
    area = case.intake_point or ""
    rows = session.execute(
        sa.select(PoolScope.pool_id, PoolScope.area_key).where(
            PoolScope.case_type == case.case_type, PoolScope.area_key.in_({area, ""})
        )
    ).all()
    if not rows:
        raise NotAllowed(f"No rotation pool serves {case.case_type} cases; an admin must define one.")
    pool_id = next((pid for pid, key in rows if key == area), rows[0][0])
    return session.get(RotationPool, pool_id)


def _lock_pool(session: Session, pool_id: int) -> RotationPool:
    # The pool row lock serialises the pick and its write (DESIGN.md §4 "Concurrency"); on SQLite
    # the transaction already holds the write lock (legalaid/db.py).
    return session.scalars(
        lock_for_update(sa.select(RotationPool).where(RotationPool.id == pool_id)).execution_options(
            populate_existing=True
        )
    ).one()


def _lock_provider(session: Session, provider_id: int) -> Provider:
    # The cap is checked under the provider's row lock: pools share providers.
    return session.scalars(
        lock_for_update(sa.select(Provider).where(Provider.id == provider_id))
        .options(lazyload(Provider.organization))  # FOR UPDATE cannot lock an outer join's side
        .execution_options(populate_existing=True)
    ).one()


def _require_assignable(case: Case) -> None:
    if case.status != "accepted":
        raise NotAllowed(f"Case {case.number} is {case.status}; only an accepted case can be assigned.")


def _prepare(session: Session, case: Case, today: dt.date | None) -> tuple[RotationPool, CaseFacts]:
    pool = _lock_pool(session, pool_for_case(session, case).id)
    session.flush()
    session.refresh(case)  # read the status again now that the pool's assigners queue behind us
    _require_assignable(case)
    today = today or dt.date.today()
    _return_from_away(session, pool, today)
    _send_away(session, pool, today)
    return pool, _case_facts(session, case, today)


def _take_first_with_room(
    session: Session, pool: RotationPool, walk: Walk
) -> tuple[PoolMember, float] | None:
    """The first eligible member whose cap still has room under the provider's row lock."""
    while walk.eligible:
        member, key = walk.eligible[0]
        provider = _lock_provider(session, member.provider_id)
        if provider.open_cases < provider.max_open_cases:
            return member, key
        walk.eligible.pop(0)
        walk.reasons["at_cap"] += 1
        _park(pool, member, "at_cap")
    return None


def _explanation(walk: Walk, pool: RotationPool, picked: PoolMember, key: float, mode: str) -> dict:
    after = [
        {"provider_id": m.provider_id, "eligible": True, "deficit": round(k, 4)}
        for m, k in walk.eligible
        if m is not picked
    ][:WINDOW_SIZE]
    return {
        "pool_id": pool.id,
        "mode": mode,
        "skipped": walk.skipped,
        "picked": {"provider_id": picked.provider_id, "eligible": True, "deficit": round(key, 4)},
        "next": after,
    }


def _create_assignment(
    session: Session,
    case: Case,
    provider: Provider,
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
    now = utcnow()
    assignment = Assignment(
        case_id=case.id,
        provider_id=provider.id,
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
    )
    session.add(assignment)
    provider.open_cases += 1
    case.status = "assigned"
    session.flush()
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
            "provider_id": provider.id,
            "mode": mode,
            "reason_code": reason_code,
            "reason": reason,
        },
    )
    return assignment


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
    pool, facts = _prepare(session, case, today)
    previous = _continuation_provider(session, case)
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
                session, case, provider, pool, actor, mode="continuation", explanation=explanation,
                turn=turn, counted=counted, reason=reason,
            )  # fmt: skip
    if pool.active_weight <= 0:
        raise _no_one_eligible(session, Walk(), pool)
    step = 1.0 / pool.active_weight
    while True:
        walk = _walk(session, pool, facts, WINDOW_SIZE + 1, pool.clock + step)
        found = len(walk.eligible)
        chosen = _take_first_with_room(session, pool, walk)
        # Another pool may have filled a provider's cap since the walk read it: walk again.
        if chosen is not None or found == 0:
            break
    if chosen is None:
        raise _no_one_eligible(session, walk, pool)
    member, key = chosen
    explanation = _explanation(walk, pool, member, key, "rotation")
    turn = _count_turn(pool, member, step)
    return _create_assignment(
        session, case, member.provider, pool, actor, mode="rotation", explanation=explanation, turn=turn,
        counted=True, reason=reason,
    )  # fmt: skip


def next_in_line(session: Session, case: Case, *, today: dt.date | None = None) -> list[dict]:
    """The next 5 eligible members for a case, for the coordinator's window choice (read only)."""
    pool, facts = _prepare(session, case, today)
    if pool.active_weight <= 0:
        return []
    walk = _walk(session, pool, facts, WINDOW_SIZE, pool.clock + 1.0 / pool.active_weight)
    return [{"provider_id": m.provider_id, "deficit": round(k, 4)} for m, k in walk.eligible]


def assign_within_window(
    session: Session, case: Case, provider_id: int, reason_code: str, actor, *, today: dt.date | None = None
) -> Assignment:
    """The coordinator picks any of the next 5 eligible members, with a reason code; it counts as
    that member's turn (DESIGN.md §4 "Choice within the window")."""
    require_role(actor, "coordinator")
    if reason_code not in WINDOW_REASONS:
        raise Invalid(
            "Give the reason for the choice.",
            fields={"reason_code": [f"One of {', '.join(WINDOW_REASONS)}."]},
        )
    pool, facts = _prepare(session, case, today)
    if pool.active_weight <= 0:
        raise _no_one_eligible(session, Walk(), pool)
    step = 1.0 / pool.active_weight
    walk = _walk(session, pool, facts, WINDOW_SIZE, pool.clock + step)
    if not walk.eligible:
        raise _no_one_eligible(session, walk, pool)
    window = {m.provider_id: (m, k) for m, k in walk.eligible}
    if provider_id not in window:
        raise Invalid(
            "That provider is not among the next 5 eligible; a designated assignment needs a reason.",
            fields={"provider_id": ["Not within the window of the next 5 eligible."]},
        )
    member, key = window[provider_id]
    provider = _lock_provider(session, provider_id)
    if provider.open_cases >= provider.max_open_cases:
        raise NotAllowed("That provider has reached their open-case cap.")
    explanation = _explanation(walk, pool, member, key, "window")
    explanation["window"] = [{"provider_id": m.provider_id, "deficit": round(k, 4)} for m, k in walk.eligible]
    turn = _count_turn(pool, member, step)
    return _create_assignment(
        session, case, provider, pool, actor, mode="window", explanation=explanation, turn=turn, counted=True,
        reason_code=reason_code,
    )  # fmt: skip


def assign_designated(
    session: Session, case: Case, provider_id: int, reason: str, actor, *, today: dt.date | None = None
) -> Assignment:
    """Designate a pool member outside the window: needs a reason, is recorded as an override and
    counts against the member's share. The legal rules (kind, experience, conflicts, leave, cap)
    still apply."""
    require_role(actor, "coordinator")
    if not (reason or "").strip():
        raise Invalid("A designated assignment needs a reason.", fields={"reason": ["Required."]})
    pool, facts = _prepare(session, case, today)
    member = session.get(PoolMember, (pool.id, provider_id))
    if member is None:
        raise Invalid(
            "That provider is not a member of the pool serving this case.",
            fields={"provider_id": ["Not in the pool."]},
        )
    provider = _lock_provider(session, provider_id)
    why = provider_ineligibility(session, provider, case, facts.today)
    if why is not None:
        raise NotAllowed(f"{provider.name} cannot take this case: {REASONS[why][1]}.", code="not_eligible")
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
        session, case, provider, pool, actor, mode="designated", explanation=explanation, turn=turn,
        counted=True, reason=reason.strip(), override=True,
    )  # fmt: skip


# --- the provider's answer, timeouts and reassignment ---


def get_assignment(session: Session, assignment_id: int, actor=None) -> Assignment:
    """An assignment; a provider may see only their own (another's is NotFound, DESIGN.md §5)."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("No such assignment.")
    staff = actor is None or actor.has_role("coordinator", "supervisor", "admin")
    if not staff and (actor.provider_id is None or actor.provider_id != assignment.provider_id):
        raise NotFound("No such assignment.")
    return assignment


def _require_own(assignment: Assignment, actor) -> None:
    if actor is not None and getattr(actor, "provider_id", None) != assignment.provider_id:
        raise NotFound("No such assignment.")


SIGNAL_REASONS = {"declined": "declined", "expired": "expired", "replaced": "reassigned"}


def _end(session: Session, assignment: Assignment, status: str, reason: str | None, actor) -> None:
    assignment.status, assignment.live = status, False
    assignment.ended_at, assignment.end_reason = utcnow(), reason
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
    if assignment.status != "offered":
        raise NotAllowed(f"This assignment is {assignment.status}; it cannot be accepted.")
    if (now or utcnow()) > assignment.respond_by:
        raise NotAllowed("The acceptance period has passed; the case moves to the next in line.")
    case = assignment.case
    assignment.status, assignment.accepted_at = "accepted", now or utcnow()
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
        raise Invalid("Say why.", fields={"reason_code": [f"One of {', '.join(DECLINE_REASONS)}."]})
    if assignment.status != "offered":
        raise NotAllowed(f"This assignment is {assignment.status}; it cannot be declined.")
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
    session: Session, case: Case, reason: str, actor, *, today: dt.date | None = None
) -> Assignment:
    """Replace the provider of an assigned or in-progress case (client's complaint, Law art. 55;
    illness) with a reason; the replacement is picked by rotation and the old assignment ends."""
    require_role(actor, "coordinator")
    if not (reason or "").strip():
        raise Invalid("A reassignment needs a reason.", fields={"reason": ["Required."]})
    _lock_pool(session, pool_for_case(session, case).id)
    session.refresh(case)
    if case.status not in ("assigned", "in_progress"):
        raise NotAllowed(f"Case {case.number} is {case.status}; only an assigned case can be reassigned.")
    old = case.current_assignment
    before = {"status": case.status, "assignment_id": old.id if old else None}
    if old is not None:
        _end(session, old, "replaced", reason.strip(), actor)
    case.status = "accepted"
    audit.record(session, actor, "case.reassign", "case", case.id, before, {"reason": reason.strip()})
    return assign_by_rotation(session, case, actor, today=today, reason=reason.strip())
