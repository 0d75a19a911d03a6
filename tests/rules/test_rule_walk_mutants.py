"""The walk in key order (``assignment/rotation/walk.py``, DESIGN.md §4 "Rotation" and "Explanation"),
for the mutation run (issue 12, bench/MUTATION.md): the line read page after page past
``WALK_BATCH``, the members of several weights merged in key order, the explanation's bounded
candidate table (at most 20 skipped, the pick with its deficit, the next 5), and the 409 listing why
nobody could take a case."""

from __future__ import annotations

import datetime as dt

import pytest

from assignment.models import Organization, Provider
from tests.rules.builders import _provider


def _line(session, *weights):
    """A civil pool whose members join in turn with these weights (joining order is key order when
    the weights are equal)."""
    from assignment.pools import create_pool, set_pool_member

    pool = create_pool(session, "Civil", ["civil"], ["lawyer"], None)
    providers = [_provider(session, f"Member {i}") for i in range(len(weights))]
    for provider, weight in zip(providers, weights, strict=True):
        set_pool_member(session, pool, provider, None, weight=weight)
    session.flush()
    return pool, providers


def _against_acme(session, make_case_at):
    return make_case_at(session, "accepted", columns={"opposing_party": "Acme Ltd"})


def test_the_explanation_keeps_20_skipped_the_pick_and_the_next_5_across_pages(session, make_case_at):
    """More members passed over than one page of the walk (``WALK_BATCH``): the walk reads on in key
    order; the explanation keeps the first 20 skipped with their reason and deficit, the pick, and
    the next 5 eligible after it."""
    from assignment.panel import declare_conflict
    from assignment.rotation import WALK_BATCH, assign_by_rotation

    conflicted = WALK_BATCH + 8
    pool, providers = _line(session, *[1.0] * (conflicted + 7))
    for provider in providers[:conflicted]:
        declare_conflict(session, provider, "Acme Ltd", None)
    step = 1.0 / len(providers)
    deficit = {p.id: round(1.0 / n - 1.0 + step, 4) for n, p in enumerate(providers, 1)}  # joined n-th

    explanation = assign_by_rotation(session, _against_acme(session, make_case_at), None).explanation
    assert explanation["skipped"] == [
        {"provider_id": p.id, "eligible": False, "reason": "conflict", "deficit": deficit[p.id]}
        for p in providers[:20]
    ]
    picked, *after = providers[conflicted:]
    assert explanation["picked"] == {
        "provider_id": picked.id,
        "eligible": True,
        "deficit": deficit[picked.id],
    }
    assert explanation["next"] == [
        {"provider_id": p.id, "eligible": True, "deficit": deficit[p.id]} for p in after[:5]
    ]
    assert explanation["pool_id"] == pool.id and explanation["mode"] == "rotation"


def test_members_of_several_weights_are_merged_in_key_order(session, make_case_at):
    """Keys at joining: 0 (weight 1), 0.5/1.5 − 1 (weight 0.5), 1/2.5 − 1 (weight 1): the line is
    first, third, second, read from two weights' lines."""
    from assignment.rotation import next_in_line

    pool, (first, half, third) = _line(session, 1.0, 0.5, 1.0)
    line = next_in_line(session, make_case_at(session, "accepted"))
    step = 1.0 / 2.5
    assert line == [
        {"provider_id": first.id, "deficit": round(step, 4)},
        {"provider_id": third.id, "deficit": round(1 / 2.5 - 1 + step, 4)},
        {"provider_id": half.id, "deficit": round(0.5 / 1.5 - 1 + 0.5 * step, 4)},
    ]


@pytest.mark.parametrize("parked", [False, True], ids=["skipped-only", "skipped-and-away"])
def test_nobody_eligible_lists_why_with_counts(session, make_case_at, parked):
    """409 naming each reason with how many members it kept out, the members of this pool parked as
    away included (not those of another pool)."""
    from assignment.panel import declare_conflict
    from assignment.pools import create_pool, set_pool_member
    from assignment.rotation import assign_by_rotation, next_in_line
    from legalaid.errors import NotAllowed

    criminal = create_pool(session, "Criminal", ["criminal"], ["lawyer"], None)
    elsewhere = _provider(session, "Elsewhere")
    set_pool_member(session, criminal, elsewhere, None)
    elsewhere.active = False
    session.flush()
    assert (
        next_in_line(session, make_case_at(session, "accepted", case_type="criminal")) == []
    )  # parked there

    pool, providers = _line(session, 1.0, 1.0, 1.0)
    for provider in providers[:2]:
        declare_conflict(session, provider, "Acme Ltd", None)
    if parked:
        providers[2].active = False
    else:
        declare_conflict(session, providers[2], "Acme Ltd", None)
    session.flush()
    with pytest.raises(NotAllowed) as refused:
        assign_by_rotation(session, _against_acme(session, make_case_at), None)
    assert refused.value.code == "no_eligible_provider"
    reasons = (
        "declared conflict with a party: 2; not active on the panel: 1"
        if parked
        else "declared conflict with a party: 3"
    )
    assert str(refused.value.message) == f"No provider is eligible in pool 'Civil' ({reasons})."


def test_a_pool_without_members_says_so(session, make_case_at):
    from assignment.pools import create_pool
    from assignment.rotation import assign_by_rotation
    from legalaid.errors import NotAllowed

    create_pool(session, "Civil", ["civil"], ["lawyer"], None)
    with pytest.raises(NotAllowed, match="has no members") as refused:
        assign_by_rotation(session, make_case_at(session, "accepted"), None)
    assert refused.value.code == "no_eligible_provider"


def test_members_owed_beyond_the_cap_are_tied_and_go_by_provider_id(session, make_case_at):
    """Two members passed over for cause until both are owed more than the cap, the later one more:
    both are read at the cap, tied, so the lower provider id goes first (DESIGN.md §4 "ties go to the
    lowest provider id")."""
    from assignment.panel import declare_conflict
    from assignment.rotation import assign_by_rotation, next_in_line, owed_cap

    pool, (first, second, third) = _line(session, 1.0, 1.0, 1.0)
    assert assign_by_rotation(session, make_case_at(session, "accepted"), None).provider_id == first.id
    for provider in (first, second):  # second now owed more than first
        declare_conflict(session, provider, "Acme Ltd", None)
    for _ in range(7):
        assert assign_by_rotation(session, _against_acme(session, make_case_at), None).provider_id == third.id
    cap = round(owed_cap(1.0, 3.0), 4)
    line = next_in_line(session, make_case_at(session, "accepted"))
    assert line[:2] == [{"provider_id": first.id, "deficit": cap}, {"provider_id": second.id, "deficit": cap}]


def _bulk_line(session, offsets):
    """A civil pool of ``len(offsets)`` lawyers of weight 1 written in bulk (providers in id order,
    the n-th with ``offsets[n]``), its clock at 0: a pick reads it at ``1 / len(offsets)``."""
    import sqlalchemy as sa

    from assignment.models import PoolMember
    from assignment.pools import create_pool

    pool = create_pool(session, "Civil", ["civil"], ["lawyer"], None)
    firm = Organization(name="Bulk firm", kind="law_firm")
    session.add(firm)
    session.flush()
    ids = session.scalars(
        sa.insert(Provider).returning(Provider.id, sort_by_parameter_order=True),
        [
            {
                "name": f"Member {n}",
                "kind": "lawyer",
                "organization_id": firm.id,
                "practice_since": dt.date(2010, 1, 1),
                "max_open_cases": 10,
            }
            for n in range(len(offsets))
        ],
    ).all()
    session.execute(
        sa.insert(PoolMember),
        [
            {"pool_id": pool.id, "provider_id": pid, "weight": 1.0, "offset": offset, "turns": 0}
            for pid, offset in zip(ids, offsets, strict=True)
        ],
    )
    pool.clock, pool.active_weight, pool.weights = 0.0, float(len(ids)), [1.0]
    session.flush()
    assert sorted(ids) == ids
    return pool, ids


def _whole_line(session, case, *, after_check=None):
    """Every eligible member of the case's pool in the order a pick walks them, with their deficits
    (the walk asked for all of them); ``after_check`` runs between the pick's availability check and
    its walk, as another session's commit can on PostgreSQL."""
    from assignment.rotation.assign import _prepare
    from assignment.rotation.walk import _walk

    pool, facts = _prepare(session, case, None)
    if after_check:
        after_check()
    walk = _walk(session, pool, facts, 10_000, pool.clock + 1.0 / pool.active_weight)
    return pool, walk, [(m.provider_id, round(key, 4)) for m, key in walk.eligible]


def test_more_members_at_the_cap_than_one_read_are_all_tied_in_provider_id_order(session, make_case_at):
    """More than ``CAPPED_READ`` members of one weight owed beyond the cap: the first page of the line
    holds only ``CAPPED_READ + 1`` of them (by offset), so all of them are read again and every one is
    read at the cap, tied, in provider id order (DESIGN.md §4 "ties go to the lowest provider id"),
    the lowest ids first although they are owed the least; then the members below the cap in key
    order, the lowest id of the pool among them."""
    from assignment.rotation import CAPPED_READ, next_in_line, owed_cap

    capped_n, behind_offsets = CAPPED_READ + 3, [0.0, 0.25, 0.5]
    # At the cap (offset -2 and below, the cap is 1 + 1/206 at the clock 1/206): the lower the id,
    # the higher the offset (owed less), so the first page, read by offset, misses the lowest ids.
    capped_offsets = [-2.0 - (capped_n - n) * 0.25 for n in range(capped_n)]
    pool, ids = _bulk_line(session, [behind_offsets[0], *capped_offsets, *behind_offsets[1:]])
    capped, behind = ids[1 : 1 + capped_n], [ids[0], *ids[1 + capped_n :]]
    clock, cap = 1.0 / len(ids), round(owed_cap(1.0, len(ids)), 4)

    case = make_case_at(session, "accepted")
    assert next_in_line(session, case) == [{"provider_id": pid, "deficit": cap} for pid in capped[:5]]
    _, _, line = _whole_line(session, case)
    assert line == [(pid, cap) for pid in capped] + [
        (pid, round(clock - offset, 4)) for pid, offset in zip(behind, behind_offsets, strict=True)
    ]


def test_members_tied_across_a_page_are_read_once_in_provider_id_order(session, make_case_at):
    """More members than one page of the walk (``WALK_BATCH``) on the same offset (tied keys): the next
    page starts after the last member read, by offset then provider id, so each is read once."""
    from assignment.rotation import WALK_BATCH

    pool, ids = _bulk_line(session, [0.25] * (WALK_BATCH + 8))
    _, _, line = _whole_line(session, make_case_at(session, "accepted"))
    assert line == [(pid, round(1.0 / len(ids) - 0.25, 4)) for pid in ids]


def test_a_member_unavailable_after_the_check_is_passed_over_and_parked_by_the_walk(session, make_case_at):
    """A member who becomes unavailable after the pick's availability check (another session's
    commit, seen by the walk's later statements on PostgreSQL) is judged by the walk itself, on the
    first page and on later ones (today's leave on both): passed over with the reason and deficit
    in the explanation, counted, and parked (away since the pool's clock, out of the pool's weight),
    the others walked in order."""
    from assignment.models import ProviderLeave
    from assignment.rotation import WALK_BATCH
    from legalaid import clock

    n = WALK_BATCH + 8
    pool, ids = _bulk_line(session, [k / 64 for k in range(n)])
    providers = {pid: session.get(Provider, pid) for pid in ids}
    # on the first page: one inactive, one on leave; on the second: one on leave, one at their cap
    inactive, on_leave_first, on_leave, at_cap = ids[1], ids[2], ids[WALK_BATCH + 3], ids[WALK_BATCH + 4]

    def after_check():
        providers[inactive].active = False
        for pid in (on_leave_first, on_leave):
            session.add(ProviderLeave(provider_id=pid, starts_on=clock.today(), ends_on=clock.today()))
        providers[at_cap].open_cases = providers[at_cap].max_open_cases
        session.flush()

    pool, walk, line = _whole_line(session, make_case_at(session, "accepted"), after_check=after_check)
    step = 1.0 / n
    deficit = {pid: round(step - k / 64, 4) for k, pid in enumerate(ids)}
    away = {inactive: "inactive", on_leave_first: "on_leave", on_leave: "on_leave", at_cap: "at_cap"}
    assert line == [(pid, deficit[pid]) for pid in ids if pid not in away]
    assert walk.skipped == [
        {"provider_id": pid, "eligible": False, "reason": reason, "deficit": deficit[pid]}
        for pid, reason in away.items()
    ]
    assert dict(walk.reasons) == {"inactive": 1, "on_leave": 2, "at_cap": 1}
    assert [(m.provider_id, m.away_reason, m.away_since) for m in walk.changed] == [
        (pid, reason, 0.0) for pid, reason in away.items()
    ]
    assert pool.active_weight == n - 4
