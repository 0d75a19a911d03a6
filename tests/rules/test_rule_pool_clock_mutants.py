"""The rotation's clock at the edges the mutation run of ``assignment/rotation/pool_clock.py`` found
unpinned (issue 12, bench/MUTATION.md): a new weight keeps a member's deficit (DESIGN.md §4
"Rotation"), also while the member is away (parked); a new member has no turns; the pool's active
weight is its present members' weight; many members parked at once; members on leave or at their
cap parked even when the walk stops before them; what a member skipped for cause is owed (at most
one case plus their share of one turn, property 3), what is forgiven beyond it and how a conflict
decline gives the turn back; a member coming back at the back of the round (property 4); and the
members a pick writes read afresh afterwards.

The pools here have weights that make every key a binary fraction, so keys are compared exactly."""

from __future__ import annotations

import datetime as dt

import pytest

from assignment.models import PoolMember
from assignment.rotation import member_key
from tests.rules.builders import _provider


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


def _line(session, *weights):
    """A civil pool whose members join in turn with these weights: the first is first in line."""
    from assignment.pools import create_pool, set_pool_member

    pool = create_pool(session, "Civil", ["civil"], ["lawyer"], None)
    providers = [_provider(session, f"Member {i}") for i in range(len(weights))]
    for provider, weight in zip(providers, weights, strict=True):
        set_pool_member(session, pool, provider, None, weight=weight)
    session.flush()
    return pool, providers


def _keys(session, pool, providers):
    """The pool's clock and each member's key, as stored."""
    session.flush()
    session.expire_all()
    members = [session.get(PoolMember, (pool.id, p.id)) for p in providers]
    return pool.clock, [member_key(m, pool.clock) for m in members]


def _passed_over_for_conflict(session, make_case_at, provider, times):
    """``times`` cases against a party ``provider`` declared a conflict with: they are skipped each time."""
    from assignment.panel import declare_conflict
    from assignment.rotation import assign_by_rotation

    declare_conflict(session, provider, "Acme Ltd", None)
    for _ in range(times):
        case = make_case_at(session, "accepted", columns={"opposing_party": "Acme Ltd"})
        assert assign_by_rotation(session, case, None).provider_id != provider.id


def test_a_member_skipped_for_cause_is_owed_at_most_one_case_and_their_share_of_a_turn(session, make_case_at):
    """Property 3: the owed cap is ``1 + weight / W`` (W the present members' weight), here with
    W = 1 (two part-time members): 1.5, shown as the skipped member's deficit however long they
    were skipped."""
    from assignment.rotation import assign_by_rotation, next_in_line

    pool, (skipped, other) = _line(session, 0.5, 0.5)
    _passed_over_for_conflict(session, make_case_at, skipped, 4)  # key 2.5 at the next turn
    line = next_in_line(session, make_case_at(session, "accepted"))
    assert line == [{"provider_id": skipped.id, "deficit": 1.5}, {"provider_id": other.id, "deficit": -2.0}]
    picked = assign_by_rotation(session, make_case_at(session, "accepted"), None)
    assert picked.provider_id == skipped.id and picked.explanation["picked"]["deficit"] == 1.5


@pytest.mark.parametrize(
    ("passed_over", "after"),
    [
        # owed exactly the cap (key 1.5 = 1 + 1/2): an ordinary turn, one case off their key
        pytest.param(3, (2.0, [0.5, -1.0]), id="at-the-cap"),
        # owed 2.0, above the cap: to the back of the round (1/2 − 1); the 1.5 forgiven beyond
        # one case moves the clock by 1.5 / W for everyone
        pytest.param(4, (3.25, [-0.5, -0.75]), id="above-the-cap"),
    ],
)
def test_what_is_owed_beyond_the_cap_is_forgiven_and_a_conflict_decline_gives_the_turn_back(
    session, make_case_at, passed_over, after
):
    """Two members of weight 1 (W = 2, a turn moves the clock by 1/2); the second in line declared a
    conflict with the party of the first cases. Declining with reason ``conflict`` undoes the turn
    exactly (property 3: they keep their place), forgiveness included."""
    from assignment.rotation import assign_by_rotation, decline_assignment

    pool, (other, skipped) = _line(session, 1.0, 1.0)
    _passed_over_for_conflict(session, make_case_at, skipped, passed_over)
    before = _keys(session, pool, [skipped, other])
    assignment = assign_by_rotation(session, make_case_at(session, "accepted"), None)
    assert assignment.provider_id == skipped.id and assignment.explanation["picked"]["deficit"] == 1.5
    assert _keys(session, pool, [skipped, other]) == after

    decline_assignment(session, assignment, "conflict", None)
    assert _keys(session, pool, [skipped, other]) == before
    assert session.get(PoolMember, (pool.id, skipped.id)).turns == 0


def test_each_designated_assignment_counts_one_more_turn(session, make_case_at):
    from assignment.rotation import assign_designated

    pool, (first, designated) = _line(session, 1.0, 1.0)
    for _ in range(2):
        assign_designated(session, make_case_at(session, "accepted"), designated.id, "Specialist", None)
        session.flush()
    session.expire_all()
    assert session.get(PoolMember, (pool.id, designated.id)).turns == 2


def test_a_member_both_inactive_and_at_their_cap_is_parked_once(session, make_case_at):
    """Parked for the first reason found (inactive); their weight leaves the pool's once."""
    from assignment.rotation import assign_by_rotation

    pool, (first, second, both) = _line(session, 1.0, 1.0, 1.0)
    both.active, both.open_cases, both.max_open_cases = False, 2, 2
    session.flush()
    assert assign_by_rotation(session, make_case_at(session, "accepted"), None).provider_id == first.id
    session.flush()
    session.expire_all()
    assert session.get(PoolMember, (pool.id, both.id)).away_reason == "inactive"
    assert pool.active_weight == 2.0


def test_a_member_back_from_the_front_of_the_line_joins_at_the_back_of_the_round(session, make_case_at):
    """Property 4: first in line (key 0) when made inactive, parked, then active again: they come
    back with the key ``weight / W − 1`` (−1/2 with W = 2), not the key they left with, and tie with
    the member who just had a turn (the lower provider id goes first)."""
    from assignment.rotation import assign_by_rotation, next_in_line

    pool, (returning, other) = _line(session, 1.0, 1.0)
    returning.active = False
    session.flush()
    assert assign_by_rotation(session, make_case_at(session, "accepted"), None).provider_id == other.id
    returning.active = True
    session.flush()
    line = next_in_line(session, make_case_at(session, "accepted"))  # brings them back
    assert _keys(session, pool, [returning, other]) == (1.0, [-0.5, -0.5])
    assert session.get(PoolMember, (pool.id, returning.id)).away_since is None
    assert line == [{"provider_id": returning.id, "deficit": 0.0}, {"provider_id": other.id, "deficit": 0.0}]


def test_members_already_read_in_the_transaction_read_what_the_pick_wrote(session, make_case_at):
    """The pick writes members as plain columns; a ``PoolMember`` read earlier in the same
    transaction (here the one ``set_pool_member`` returned) shows the new state, not the old."""
    from assignment.pools import create_pool, set_pool_member
    from assignment.rotation import assign_by_rotation

    pool = create_pool(session, "Civil", ["civil"], ["lawyer"], None)
    providers = [_provider(session, name) for name in ("Picked", "Inactive")]
    picked, parked = (set_pool_member(session, pool, p, None)[0] for p in providers)
    providers[1].active = False
    session.flush()
    assert assign_by_rotation(session, make_case_at(session, "accepted"), None).provider_id == providers[0].id
    assert (picked.turns, picked.away_since) == (1, None)
    assert (parked.turns, parked.away_reason) == (0, "inactive")


@pytest.mark.parametrize("many", [False, True], ids=["one", "more-than-BULK_MEMBERS"])
def test_a_member_written_twice_counts_its_turn_once(session, many):
    """What a write counted is written once: the ``Member`` it wrote has no turns left to add.
    Above ``BULK_MEMBERS`` PostgreSQL takes the one UPDATE over arrays."""
    from assignment.pools import create_pool, set_pool_member
    from assignment.rotation import Member
    from assignment.rotation.pool_clock import BULK_MEMBERS, _write_members

    pool = create_pool(session, "Civil", ["civil"], ["lawyer"], None)
    providers = [_provider(session, f"Member {i}") for i in range(BULK_MEMBERS + 1 if many else 1)]
    for provider in providers:
        set_pool_member(session, pool, provider, None)
    session.flush()
    members = [Member(p.id, 1.0, 0.5, turns=1) for p in providers]
    for _ in range(2):
        _write_members(session, pool.id, list(members))
    assert [m.turns for m in members] == [0] * len(members)
    session.expire_all()
    assert {session.get(PoolMember, (pool.id, p.id)).turns for p in providers} == {1}


def test_a_duty_day_everyone_is_away_is_a_gap(session, centre_clock):
    """The duty rota walks the same line; on a day every member is on leave the pool's present weight
    is 0 and the shift is left a gap (the owed cap of nobody present), not an error."""
    from assignment.duty.pools import create_duty_pool
    from assignment.duty.publish import rota_shifts
    from assignment.duty.rota import generate_rota
    from assignment.panel import add_leave
    from assignment.pools import set_pool_member
    from assignment.stations import create_station

    station = create_station(
        session, {"name": "Court", "kind": "court", "area": None, "address": None, "hours": None}, None
    )
    pool = create_duty_pool(session, None, "Court duty", ["lawyer"], station_id=station.id)
    day = (centre_clock.today().replace(day=28) + dt.timedelta(days=4)).replace(day=3)
    for name in ("First", "Second"):
        provider = _provider(session, name)
        set_pool_member(session, pool, provider, None)
        add_leave(session, provider, day, day, None)
    session.flush()
    rota = generate_rota(session, None, station.id, day.strftime("%Y-%m"), pool.id, [(day, "am")])
    session.flush()
    (shift,) = rota_shifts(session, rota.id)
    assert shift.provider_id is None and shift.explanation["gap"]
