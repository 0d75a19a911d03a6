"""The rotation's clock at the edges the mutation run of ``assignment/rotation/pool_clock.py`` found
unpinned (issue 12, bench/MUTATION.md): a new weight keeps a member's deficit (DESIGN.md §4
"Rotation"), also while the member is away (parked); a new member has no turns; the pool's active
weight is its present members' weight; many members parked at once; and members on leave or at their
cap parked even when the walk stops before them."""

from __future__ import annotations

import datetime as dt

from assignment.models import Organization, PoolMember, Provider
from assignment.rotation import member_key


def _provider(session, name):
    provider = Provider(
        name=name,
        kind="lawyer",
        organization=Organization(name=f"{name} firm", kind="law_firm"),
        practice_since=dt.date(2010, 1, 1),
        max_open_cases=10,
    )
    session.add(provider)
    session.flush()
    return provider


def _deficit(session, pool, provider, at=None):
    """The member's key: how far below (above, when negative) their fair share they stand."""
    session.flush()
    member = session.get(PoolMember, (pool.id, provider.id))
    session.refresh(member)
    session.refresh(pool)
    return member, member_key(member, pool.clock if at is None else at)


def test_a_new_weight_keeps_the_deficit_of_a_member_present_or_away(session, make_case_at):
    from assignment.pools import create_pool, set_pool_member
    from assignment.rotation import assign_by_rotation

    pool = create_pool(session, "Civil", ["civil"], ["lawyer"], None)
    first, second, third = (_provider(session, name) for name in ("First", "Second", "Third"))
    for provider in (first, second, third):
        set_pool_member(session, pool, provider, None)
    second.active = False  # unavailable: parked at the next pick
    session.flush()
    assign_by_rotation(session, make_case_at(session, "accepted"), None)
    parked, _ = _deficit(session, pool, second)
    assert parked.away_since is not None and parked.away_reason == "inactive"
    owed = member_key(parked, parked.away_since)
    assert owed != 0  # joined second, at the back of the round: a deficit to keep
    active_weight = pool.active_weight

    set_pool_member(session, pool, second, None, weight=2.0)
    parked, _ = _deficit(session, pool, second)
    assert parked.weight == 2.0 and parked.away_since is not None
    assert member_key(parked, parked.away_since) == owed  # the same deficit, at the new weight
    assert pool.active_weight == active_weight  # an absent member's weight is not in the pool's

    present, before = _deficit(session, pool, third)
    set_pool_member(session, pool, third, None, weight=3.0)
    present, after = _deficit(session, pool, third)
    assert present.weight == 3.0 and after == before
    assert pool.active_weight == active_weight + 2.0


def test_a_member_joins_with_no_turns_and_a_pick_counts_one(session, make_case_at):
    from assignment.pools import create_pool, set_pool_member
    from assignment.rotation import assign_by_rotation

    pool = create_pool(session, "Civil", ["civil"], ["lawyer"], None)
    members = [_provider(session, name) for name in ("First", "Second")]
    for provider in members:
        member, created = set_pool_member(session, pool, provider, None)
        assert created and member.turns == 0
    picked = assign_by_rotation(session, make_case_at(session, "accepted"), None).provider_id
    session.flush()
    session.expire_all()
    turns = {p.id: session.get(PoolMember, (pool.id, p.id)).turns for p in members}
    assert turns == {p.id: 1 if p.id == picked else 0 for p in members}


def test_the_pools_active_weight_is_the_present_members_weight(session, make_case_at):
    """Parking takes a member's weight out of the pool's, down to what is left (here 0.5), not to a
    floor of 1."""
    from assignment.pools import create_pool, set_pool_member
    from assignment.rotation import assign_by_rotation

    pool = create_pool(session, "Civil", ["civil"], ["lawyer"], None)
    stays, leaves, big = (_provider(session, name) for name in ("Stays", "Leaves", "Big"))
    for provider, weight in ((stays, 0.5), (leaves, 0.5), (big, 1.0)):
        set_pool_member(session, pool, provider, None, weight=weight)
    session.flush()
    assert pool.active_weight == 2.0
    leaves.active = big.active = False
    session.flush()
    assert assign_by_rotation(session, make_case_at(session, "accepted"), None).provider_id == stays.id
    session.flush()
    session.refresh(pool)
    assert pool.active_weight == 0.5


def test_many_members_parked_at_once_on_sqlite(session, make_case_at):
    """More members change in one pick than the PostgreSQL bulk write takes (``BULK_MEMBERS``): on
    SQLite they are still written one statement for all."""
    from assignment.pools import create_pool, set_pool_member
    from assignment.rotation import assign_by_rotation
    from assignment.rotation.pool_clock import BULK_MEMBERS

    pool = create_pool(session, "Civil", ["civil"], ["lawyer"], None)
    providers = [_provider(session, f"Member {i}") for i in range(BULK_MEMBERS + 2)]
    for provider in providers:
        set_pool_member(session, pool, provider, None)
    for provider in providers[1:]:
        provider.active = False
    session.flush()
    assert assign_by_rotation(session, make_case_at(session, "accepted"), None).provider_id == providers[0].id
    session.flush()
    session.expire_all()
    away = [session.get(PoolMember, (pool.id, p.id)).away_reason for p in providers]
    assert away == [None] + ["inactive"] * (BULK_MEMBERS + 1)


def test_an_unavailable_member_the_walk_never_reaches_is_parked_all_the_same(
    session, make_case_at, centre_clock
):
    """Property 4: members on leave or at their cap accrue nothing while away, even when the walk
    stops before them (it reads a page of members in key order and the first takes the case)."""
    from assignment.panel import add_leave, get_provider
    from assignment.pools import create_pool, set_pool_member
    from assignment.rotation import assign_by_rotation
    from assignment.rotation.walk import WALK_BATCH

    pool = create_pool(session, "Civil", ["civil"], ["lawyer"], None)
    ahead = [_provider(session, f"Ahead {i}") for i in range(WALK_BATCH + 2)]
    on_leave, at_cap = _provider(session, "On leave"), _provider(session, "At cap")
    for provider in [*ahead, on_leave, at_cap]:  # joined in turn: the last two are last in line
        set_pool_member(session, pool, provider, None)
    add_leave(session, get_provider(session, on_leave.id), centre_clock.today(), centre_clock.today(), None)
    at_cap.open_cases, at_cap.max_open_cases = 2, 2
    session.flush()
    assert assign_by_rotation(session, make_case_at(session, "accepted"), None).provider_id == ahead[0].id
    session.flush()
    session.expire_all()
    reasons = {
        p.id: session.get(PoolMember, (pool.id, p.id)).away_reason for p in (ahead[0], on_leave, at_cap)
    }
    assert reasons == {ahead[0].id: None, on_leave.id: "on_leave", at_cap.id: "at_cap"}
