"""The six fairness properties of DESIGN.md §4 "Rotation": each test fails when its rule breaks."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assignment.models import Assignment
from assignment.panel import add_leave, declare_conflict, end_leave, get_provider
from assignment.pools import set_pool_member
from assignment.rotation import (
    accept_assignment,
    assign_by_rotation,
    decline_assignment,
    expire_unanswered_assignments,
    release_open_case,
)
from legalaid import clock

TODAY = clock.today()


@pytest.fixture
def assign(session, make_case, coordinator):
    """assign(**case_fields) -> the provider id the rotation picked for a new accepted case."""

    def run(**fields):
        case = make_case(**fields)
        assignment = assign_by_rotation(session, case, coordinator)
        session.commit()
        return assignment.provider_id

    return run


def counts(picks, ids):
    return [picks.count(i) for i in ids]


def test_equal_weights_rotate_in_list_order_and_counts_differ_by_at_most_one(lawyers, make_pool, assign):
    ids = lawyers(5)
    make_pool(ids)
    picks = []
    for _ in range(23):
        picks.append(assign())
        c = counts(picks, ids)
        assert max(c) - min(c) <= 1
    assert picks[:10] == ids + ids


def test_weighted_counts_stay_within_two_of_their_share(lawyers, make_pool, assign):
    ids = lawyers(4)
    weights = [1.0, 1.0, 0.5, 2.0]
    make_pool(list(zip(ids, weights, strict=True)))
    picks = []
    for total in range(1, 46):
        picks.append(assign())
        for pid, weight in zip(ids, weights, strict=True):
            assert abs(picks.count(pid) - total * weight / sum(weights)) <= 2


def test_skipped_for_conflict_keeps_place_and_gets_the_next_case_without_a_burst(
    session, lawyers, make_pool, assign
):
    ids = lawyers(4)
    make_pool(ids)
    declare_conflict(session, get_provider(session, ids[0]), "Acme Ltd", None)
    session.commit()
    against_acme = [assign(opposing_party="Acme Ltd") for _ in range(7)]
    assert ids[0] not in against_acme
    assert assign() == ids[0]  # the next case they are eligible for
    following = [assign() for _ in range(4)]
    assert following.count(ids[0]) <= 1  # owed at most one case: no burst


def test_skipped_for_experience_keeps_place(session, lawyers, make_pool, assign):
    junior = lawyers(1, years=1)
    seniors = lawyers(3, years=10)
    make_pool(junior + seniors, case_types=("criminal",))
    juvenile = [assign(case_type="criminal", juvenile=True) for _ in range(5)]
    assert junior[0] not in juvenile
    assert assign(case_type="criminal") == junior[0]
    assert [assign(case_type="criminal") for _ in range(4)].count(junior[0]) <= 1  # no burst


def test_unavailable_accrues_nothing_and_rejoins_at_the_back_of_the_round(
    session, lawyers, make_pool, assign
):
    ids = lawyers(4)
    make_pool(ids)
    leave = add_leave(session, get_provider(session, ids[3]), TODAY, TODAY + dt.timedelta(days=30), None)
    session.commit()
    away = [assign() for _ in range(9)]
    assert ids[3] not in away
    end_leave(session, leave, TODAY - dt.timedelta(days=1), None)
    session.commit()
    next_round = [assign() for _ in range(4)]
    assert next_round[0] != ids[3]  # at the back, not owed the cases missed while away
    assert next_round.count(ids[3]) <= 1


def test_at_cap_is_unavailable_until_a_case_closes(session, lawyers, make_pool, assign):
    ids = lawyers(3, max_open_cases=1)
    make_pool(ids)
    assert [assign() for _ in range(3)] == ids
    with pytest.raises(Exception, match="open-case cap"):
        assign()
    session.rollback()
    release_open_case(session, ids[1])  # the case of ids[1] closed
    session.commit()
    assert assign() == ids[1]


def _decline_and_reassign(session, coordinator, reason):
    offered = session.scalars(sa.select(Assignment).where(Assignment.status == "offered")).one()
    provider = get_provider(session, offered.provider_id)
    actor = type("ProviderActor", (), {"id": None, "provider_id": provider.id})()
    decline_assignment(session, offered, reason, actor)
    again = assign_by_rotation(session, offered.case, coordinator)
    session.commit()
    return offered.provider_id, again.provider_id


@pytest.mark.parametrize("reason", ["unavailable", "other"])
def test_decline_counts_as_the_turn_and_the_case_goes_to_the_next_in_line(
    session, lawyers, make_pool, make_case, coordinator, reason
):
    ids = lawyers(3)
    make_pool(ids)
    assign_by_rotation(session, make_case(), coordinator)
    session.commit()
    decliner, replacement = _decline_and_reassign(session, coordinator, reason)
    assert (decliner, replacement) == (ids[0], ids[1])
    assert assign_by_rotation(session, make_case(), coordinator).provider_id == ids[2]  # not ids[0] again


def test_decline_for_conflict_keeps_the_place(session, lawyers, make_pool, make_case, coordinator):
    ids = lawyers(3)
    make_pool(ids)
    assign_by_rotation(session, make_case(), coordinator)
    session.commit()
    decliner, replacement = _decline_and_reassign(session, coordinator, "conflict")
    assert (decliner, replacement) == (ids[0], ids[1])
    assert assign_by_rotation(session, make_case(), coordinator).provider_id == ids[0]


def test_no_answer_in_time_counts_as_the_turn_and_moves_on(
    session, lawyers, make_pool, make_case, coordinator
):
    ids = lawyers(3)
    make_pool(ids)
    first = assign_by_rotation(session, make_case(), coordinator)
    session.commit()
    expired = expire_unanswered_assignments(session, clock.now() + dt.timedelta(days=2, minutes=1))
    session.commit()
    assert [a.id for a in expired] == [first.id] and first.status == "expired"
    assert first.case.status == "assigned" and first.case.current_assignment.provider_id == ids[1]
    assert assign_by_rotation(session, make_case(), coordinator).provider_id == ids[2]


def test_accepting_late_is_refused(session, lawyers, make_pool, make_case, coordinator):
    from legalaid.errors import NotAllowed

    make_pool(lawyers(1))
    assignment = assign_by_rotation(session, make_case(), coordinator)
    with pytest.raises(NotAllowed):
        accept_assignment(session, assignment, None, now=clock.now() + dt.timedelta(days=3))


# --- property 6 and random histories (hypothesis) ---

_areas = itertools.count(1)

OPS = st.one_of(
    st.tuples(st.just("assign")),
    st.tuples(st.just("assign_against"), st.integers(3, 4)),
    st.tuples(st.just("leave"), st.integers(3, 4)),
    st.tuples(st.just("back"), st.integers(3, 4)),
    st.tuples(st.just("decline"), st.sampled_from(["conflict", "unavailable", "other"])),
    st.tuples(st.just("weight"), st.integers(3, 4), st.sampled_from([0.5, 1.0, 2.0])),
)


class Mirror:
    """One pool of 5 lawyers replaying a history: members 0–2 are never disturbed; 3 and 4 take
    leave, change weight, and have conflicts (with "Party 3" / "Party 4")."""

    def __init__(self, session, lawyers, make_pool, coordinator):
        self.session, self.coordinator = session, coordinator
        self.area = f"Area {next(_areas)}"
        self.ids = lawyers(5)
        self.pool = make_pool(self.ids, area=self.area)
        for m in (3, 4):
            declare_conflict(session, get_provider(session, self.ids[m]), f"Party {m}", None)
        self.leaves: dict[int, object] = {}
        self.picks: list[int] = []  # member index per counted assignment
        self.returned_at: dict[int, tuple[int, float]] = {}
        self.weights = {m: 1.0 for m in range(5)}
        session.commit()

    def run(self, op, make_case):
        s = self.session
        kind = op[0]
        if kind in ("assign", "assign_against"):
            party = f"Party {op[1]}" if kind == "assign_against" else None
            case = make_case(intake_point=self.area, opposing_party=party)
            self._assign(case)
        elif kind == "leave" and op[1] not in self.leaves:
            self.leaves[op[1]] = add_leave(
                s, get_provider(s, self.ids[op[1]]), TODAY, TODAY + dt.timedelta(days=9), None
            )
        elif kind == "back" and op[1] in self.leaves:
            end_leave(s, self.leaves.pop(op[1]), TODAY - dt.timedelta(days=1), None)
            self.returned_at[op[1]] = (len(self.picks), self.weights[op[1]])
        elif kind == "decline":
            # Only the disturbed members (3, 4) decline: a core member declining twice for conflict is
            # owed one case, not two (property 3's cap), and would no longer be level by design.
            offered = s.scalars(
                sa.select(Assignment)
                .where(
                    Assignment.pool_id == self.pool.id,
                    Assignment.status == "offered",
                    Assignment.provider_id.in_([self.ids[3], self.ids[4]]),
                )
                .order_by(Assignment.id)
            ).first()
            if offered is not None:
                actor = type("ProviderActor", (), {"id": None, "provider_id": offered.provider_id})()
                decliner = self.ids.index(offered.provider_id)
                decline_assignment(s, offered, op[1], actor)
                # Nobody left to take it: the decline is rolled back with the failed pick.
                if self._assign(offered.case) and op[1] == "conflict":
                    del self.picks[len(self.picks) - 1 - self.picks[::-1].index(decliner)]
        elif kind == "weight":
            set_pool_member(s, self.pool, get_provider(s, self.ids[op[1]]), None, weight=op[2])
            self.weights[op[1]] = op[2]
            if op[1] in self.returned_at:  # a share raised after the return: their bound is the higher
                at, weight = self.returned_at[op[1]]
                self.returned_at[op[1]] = (at, max(weight, op[2]))
        s.commit()

    def _assign(self, case):
        from legalaid.errors import NotAllowed

        try:
            assignment = assign_by_rotation(self.session, case, self.coordinator)
        except NotAllowed:
            self.session.rollback()
            return False
        accept = type("ProviderActor", (), {"id": None, "provider_id": assignment.provider_id})()
        # Accept or leave offered at random-but-deterministic points: every other one is accepted,
        # so open cases grow and a later decline has an offered assignment to act on.
        if len(self.picks) % 2:
            accept_assignment(self.session, assignment, accept)
        self.picks.append(self.ids.index(assignment.provider_id))
        return True


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=st.lists(OPS, min_size=5, max_size=30))
# Found by the mutation run (bench/MUTATION.md, "Noticed"): back from leave at weight 1, raised to 2
# within the next five picks, it may take two of them; the bound follows the raised weight.
@example(
    history=[
        ("assign",), ("assign",), ("leave", 3), ("assign",), ("assign_against", 4), ("assign",),
        ("assign",), ("leave", 4), ("leave", 3), ("decline", "conflict"), ("back", 3),
        ("assign_against", 3), ("weight", 3, 2.0), ("assign",), ("back", 3), ("assign",),
        ("decline", "unavailable"), ("assign_against", 3), ("decline", "conflict"), ("weight", 3, 1.0),
        ("assign_against", 4), ("weight", 4, 2.0), ("leave", 4), ("weight", 4, 1.0), ("assign",),
        ("leave", 3), ("decline", "unavailable"), ("assign",),
    ]
)  # fmt: skip
def test_random_histories_are_deterministic_and_fair(
    session, lawyers, make_pool, make_case, coordinator, history
):
    first = Mirror(session, lawyers, make_pool, coordinator)
    second = Mirror(session, lawyers, make_pool, coordinator)
    for op in history:
        first.run(op, make_case)
        second.run(op, make_case)
    # Property 6: the same history yields the same picks.
    assert first.picks == second.picks
    # Property 4: back from leave, at most their one turn (per unit of weight) in the next round.
    for m, (at, weight) in first.returned_at.items():
        assert first.picks[at : at + 5].count(m) <= max(1, math.ceil(weight))
    # Properties 1 and 3: the undisturbed members stay level however the others come and go.
    core = [first.picks.count(m) for m in (0, 1, 2)]
    assert max(core) - min(core) <= 2
