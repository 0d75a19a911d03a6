"""The walk in key order (``assignment/rotation/walk.py``, DESIGN.md §4 "Rotation" and "Explanation"),
for the mutation run (issue 12, bench/MUTATION.md): the line read page after page past
``WALK_BATCH``, the members of several weights merged in key order, the explanation's bounded
candidate table (at most 20 skipped, the pick with its deficit, the next 5), and the 409 listing why
nobody could take a case."""

from __future__ import annotations

import datetime as dt

import pytest

from assignment.models import Organization, Provider


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
