"""Properties of rota generation (issue 14 "Done when"), on the in-memory planner the service runs
(``rota.plan_month``) and, for swaps, through the services on the database:

* equal weights: over a month nobody has more than one shift more than anybody else;
* weights: each member's count is within 2 of their weighted share;
* leave and clashes: nobody is picked on a day of leave, for a half day they are busy (another shift,
  their own hearing), or twice at one time; a skipped member keeps their place;
* the same input gives the same rota;
* a swap changes no counts."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from types import SimpleNamespace

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assignment.duty.rota_plan import _Seat, plan_month

MONTH = [dt.date(2027, 3, 1) + dt.timedelta(days=d) for d in range(31)]
PARTS = ("am", "pm", "day")


def pool_of(weights: list[float]):
    """A pool and its members joined one by one, as ``pool_clock.join_pool`` seats them."""
    pool = SimpleNamespace(id=1, clock=0.0, active_weight=0.0)
    seats = {}
    for pid, w in enumerate(weights, start=1):
        pool.active_weight += w
        seats[pid] = _Seat(pid, w, w * pool.clock - (w / pool.active_weight - 1.0), kind="lawyer")
    return pool, seats


def run(weights, wanted, leave=None, busy=None, kinds=("lawyer",)):
    pool, seats = pool_of(weights)
    plan = plan_month(pool, seats, wanted, set(kinds), leave or {}, dict(busy or {}))
    return plan, Counter(s["provider_id"] for s in plan.shifts)


shift_lists = st.lists(st.tuples(st.sampled_from(MONTH[:28]), st.just("am")), min_size=1, max_size=60)


@given(
    n=st.integers(2, 12), days=st.integers(1, 31), parts=st.sampled_from([("am",), ("am", "pm"), ("day",)])
)
def test_equal_weights_spread_at_most_one(n, days, parts):
    wanted = [(day, p) for day in MONTH[:days] for p in parts]
    plan, counts = run([1.0] * n, wanted)
    assert None not in counts  # two people or more cover any half or whole day
    got = [counts.get(pid, 0) for pid in range(1, n + 1)]
    assert max(got) - min(got) <= 1, got


@given(
    weights=st.lists(st.sampled_from([0.5, 1.0, 2.0, 3.0]), min_size=2, max_size=10), days=st.integers(10, 31)
)
def test_weighted_shares_within_two(weights, days):
    wanted = [(day, "am") for day in MONTH[:days]]
    _plan, counts = run(weights, wanted)
    total = sum(weights)
    for pid, w in enumerate(weights, start=1):
        assert abs(counts.get(pid, 0) - len(wanted) * w / total) <= 2, (pid, w, counts)


@given(
    n=st.integers(2, 8),
    wanted=st.lists(st.tuples(st.sampled_from(MONTH[:10]), st.sampled_from(PARTS)), min_size=1, max_size=40),
    leave=st.dictionaries(st.sampled_from(MONTH[:10]), st.sets(st.integers(1, 8), max_size=3), max_size=5),
    hearings=st.sets(
        st.tuples(st.integers(1, 8), st.sampled_from(MONTH[:10]), st.sampled_from(("am", "pm"))), max_size=10
    ),
)
def test_leave_and_clashes_are_respected(n, wanted, leave, hearings):
    busy = {}
    for pid, day, half in hearings:
        busy.setdefault((pid, day), set()).add("hearing_" + half)
    plan, _counts = run([1.0] * n, wanted, leave=leave, busy=busy)
    taken: dict[tuple[int, dt.date], set[str]] = {}
    for s in plan.shifts:
        pid, day, part = s["provider_id"], s["on_date"], s["part"]
        if pid is None:
            continue
        halves = {"am", "pm"} if part == "day" else {part}
        assert pid not in leave.get(day, set())
        assert not any((pid, day, h) in hearings for h in halves)
        assert not (taken.get((pid, day), set()) & halves), (pid, day, part)
        taken.setdefault((pid, day), set()).update(halves)


@given(
    n=st.integers(1, 8),
    wanted=shift_lists,
    leave=st.dictionaries(st.sampled_from(MONTH[:28]), st.sets(st.integers(1, 8), max_size=2), max_size=6),
)
def test_the_same_input_gives_the_same_rota(n, wanted, leave):
    first, _ = run([1.0] * n, wanted, leave=leave)
    second, _ = run([1.0] * n, list(wanted), leave={k: set(v) for k, v in leave.items()})
    assert [(s["on_date"], s["part"], s["provider_id"]) for s in first.shifts] == [
        (s["on_date"], s["part"], s["provider_id"]) for s in second.shifts
    ]


def test_skipped_for_a_hearing_keeps_their_place():
    """Busy on the day they were next: they take the following shift instead of waiting a round."""
    wanted = [(MONTH[0], "am"), (MONTH[1], "am"), (MONTH[2], "am"), (MONTH[3], "am")]
    plan, _ = run([1.0, 1.0, 1.0], wanted, busy={(1, MONTH[0]): {"hearing_am"}})
    order = [s["provider_id"] for s in plan.shifts]
    assert order[0] != 1 and order[1] == 1
    assert plan.shifts[0]["explanation"]["reasons"] == {"hearing": 1}


def test_kind_rule_leaves_a_gap_with_reasons():
    pool, seats = pool_of([1.0, 1.0])
    for seat in seats.values():
        seat.kind = "legal_adviser"
    plan = plan_month(pool, seats, [(MONTH[0], "am")], {"lawyer"}, {}, {})
    assert plan.shifts[0]["provider_id"] is None
    assert plan.shifts[0]["explanation"]["reasons"] == {"kind": 2}


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(picks=st.lists(st.integers(0, 100), min_size=1, max_size=4))
def test_a_swap_changes_no_counts(
    session, make_station, make_providers, make_duty_pool, next_month, weekdays, picks
):
    from assignment.duty.models import DutyShift, DutySwap
    from assignment.duty.publish import publish_rota, rota_shifts
    from assignment.duty.rota import generate_rota
    from assignment.duty.swaps import accept_swap, ask_swap, decide_swap
    from assignment.models import PoolMember

    station = make_station("court")
    ids = make_providers(5)
    pool = make_duty_pool(station, ids)
    rota = generate_rota(session, None, station.id, next_month, pool.id, weekdays(next_month, ("am",)))
    publish_rota(session, None, rota.id)
    session.flush()

    def counts():
        return dict(
            session.execute(
                sa.select(PoolMember.provider_id, PoolMember.turns).where(PoolMember.pool_id == pool.id)
            ).all()
        )

    def user(pid):
        """A provider acting on their own shifts (the services read only these attributes)."""
        return SimpleNamespace(id=None, provider_id=pid, has_role=lambda *roles: "provider" in roles)

    before = counts()
    shifts = rota_shifts(session, rota.id)
    for pick in picks:
        shift = shifts[pick % len(shifts)]
        session.refresh(shift)
        busy = {s.provider_id for s in shifts if s.on_date == shift.on_date}
        free = [pid for pid in ids if pid not in busy]
        if not free or session.scalar(
            sa.select(DutySwap.id).where(
                DutySwap.shift_id == shift.id, DutySwap.status.in_(("asked", "accepted"))
            )
        ):
            continue
        swap = ask_swap(session, user(shift.provider_id), shift.id, free[0])
        accept_swap(session, user(free[0]), swap.id)
        decide_swap(session, None, swap.id)
        session.flush()
        assert session.get(DutyShift, shift.id).provider_id == free[0]
    assert counts() == before
    session.rollback()
