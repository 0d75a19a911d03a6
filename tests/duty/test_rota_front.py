"""A month's rota read from the front of the pool's line (``rota._plan`` with a depth) is the rota over
the whole pool: the same provider for every shift, the same clock and member state, whether the
front was deep enough (bounds never reached), too shallow (``NeedMore``, then the whole pool), or
the pool was read whole. Members on leave, inactive, away since before, busy at another station
and a superseded draft's turns are all part of the month."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from assignment.duty import rota as rota_module
from assignment.duty.models import DutyRota
from assignment.duty.rota import _counted_turns, _leave_days, _plan, allowed_kinds, generate_rota
from assignment.duty.rota_plan import NeedMore
from assignment.models import PoolMember, Provider, ProviderLeave, RotationPool


@pytest.fixture
def month_state(session, coordinator, make_station, make_providers, make_duty_pool, next_month, weekdays):
    """Two stations sharing one pool of 30 (every fifth of weight 2), leave in the month, one
    inactive, one away since before; the first station's rota published, the second's a draft."""
    first_station, second = make_station("court"), make_station("court")
    ids = make_providers(30)
    members = [(pid, 2.0 if n % 5 == 0 else 1.0) for n, pid in enumerate(ids)]
    pool = make_duty_pool(first_station, members, station_bound=False)
    first = dt.date.fromisoformat(f"{next_month}-01")
    for n, pid in enumerate(ids[3:12:2]):
        session.add(
            ProviderLeave(
                provider_id=pid,
                starts_on=first + dt.timedelta(days=3 * n),
                ends_on=first + dt.timedelta(days=3 * n + 4),
            )
        )
    session.get(Provider, ids[20]).active = False
    member = session.get(PoolMember, (pool.id, ids[25]))
    member.away_since, member.away_reason = session.get(RotationPool, pool.id).clock, "on_leave"
    session.commit()
    wanted = weekdays(next_month)
    generate_rota(session, coordinator, first_station.id, next_month, pool.id, wanted)
    session.commit()
    generate_rota(session, coordinator, second.id, next_month, pool.id, wanted[:20])
    session.commit()
    # Planned again below: a week's mornings, so a shallow front of the line can be enough for it.
    return {
        "station": second,
        "pool_id": pool.id,
        "month": next_month,
        "wanted": wanted,
        "week": wanted[:10:2],
    }


def plan_at(session, state, depth, wanted):
    """Plan the second station's ``wanted`` shifts again at ``depth`` (None: the whole pool); rolled
    back. None when the front read was not deep enough."""
    pool = session.get(RotationPool, state["pool_id"])
    station = state["station"]
    first, last = rota_module.month_bounds(state["month"])
    live = session.scalar(sa.select(DutyRota).where(DutyRota.station_id == station.id))
    counted = _counted_turns(session, live, pool)
    facts = (first, last, _leave_days(session, pool, first, last))
    try:
        plan = _plan(session, pool, facts, wanted, allowed_kinds(pool, station), counted, depth)
    except NeedMore:
        session.rollback()
        return None
    result = (
        [(s["on_date"], s["part"], s["provider_id"]) for s in plan.shifts],
        round(pool.clock, 9),
        round(pool.active_weight, 9),
        sorted(
            (pid, round(seat.offset, 9), seat.turns, seat.away_since, seat.away_reason)
            for pid, seat in plan.changed.items()
        ),
    )
    session.rollback()
    return result


def test_front_of_the_line_plans_as_the_whole_pool(session, month_state):
    partial, shallow = [], []
    for wanted in (month_state["week"], month_state["wanted"]):
        whole = plan_at(session, month_state, None, wanted)
        assert whole is not None and all(pid is not None for _, _, pid in whole[0])
        for depth in (1, 2, 4, 8, 16, 64):
            got = plan_at(session, month_state, depth, wanted)
            if got is None:  # too shallow: the plan says so rather than guess
                shallow.append(depth)
            else:
                assert got == whole, depth
                partial += [depth] if depth < 24 else []  # the line of weight 1 was cut there
    assert shallow and partial  # both ways were taken


def test_generation_falls_back_to_the_whole_pool(session, coordinator, month_state, monkeypatch):
    """Through the service: a front too shallow for the month gives the rota the whole pool gives."""
    state = month_state
    station = state["station"]

    def generate():
        rota = generate_rota(
            session, coordinator, station.id, state["month"], state["pool_id"], state["wanted"]
        )
        session.flush()
        got = session.execute(
            sa.text("SELECT on_date, part, provider_id FROM duty_shift WHERE rota_id = :r ORDER BY id"),
            {"r": rota.id},
        ).all()
        members = session.execute(
            sa.select(PoolMember.provider_id, PoolMember.offset, PoolMember.turns, PoolMember.away_since)
            .where(PoolMember.pool_id == state["pool_id"])
            .order_by(PoolMember.provider_id)
        ).all()
        session.rollback()
        return [tuple(r) for r in got], [(p, round(o, 9), t, a) for p, o, t, a in members]

    default = generate()
    monkeypatch.setattr(rota_module, "FRONT_PER_SHIFT", 0)
    monkeypatch.setattr(rota_module, "FRONT_EXTRA", 1)
    assert generate() == default


def test_members_owed_the_cap_beyond_the_front_are_not_guessed():
    """Members owed the cap are tied and taken by provider id, not by offset: when the front read
    stops among them, a member not read may be first, so the plan asks for the whole pool."""
    from types import SimpleNamespace

    from assignment.duty.rota_plan import _Seat, plan_month

    def pool_and_seats():
        pool = SimpleNamespace(id=1, clock=10.0, active_weight=3.0)
        offsets = {1: 4.0, 2: 3.0, 3: 10.0}  # 1 and 2 owed more than the cap; 2 first by offset
        return pool, {pid: _Seat(pid, 1.0, off, kind="lawyer") for pid, off in offsets.items()}

    day = dt.date(2027, 3, 1)
    pool, seats = pool_and_seats()
    whole = plan_month(pool, seats, [(day, "am")], {"lawyer"}, {}, {})
    assert whole.shifts[0]["provider_id"] == 1  # tied at the cap: the lowest provider id
    pool, seats = pool_and_seats()
    with pytest.raises(NeedMore):
        plan_month(pool, {2: seats[2]}, [(day, "am")], {"lawyer"}, {}, {}, bounds={1.0: (3.0, 2)})
