"""Races for the duty rota (issue 14): rotas, swaps, shifts (the table and its rules:
tests/races/harness.py)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from legalaid import clock
from legalaid.db import db
from tests.races.centre import Centre
from tests.races.harness import one_winner, only, race, races, seq

# --- duty rota (issue 14) ------------------------------------------------------------------------


def _duty_station(c: Centre, n: int = 3) -> dict:
    """A court station with a duty pool of ``n`` new lawyers (each with a login)."""
    from assignment.duty.pools import create_duty_pool
    from assignment.models import Provider
    from assignment.pools import set_pool_member

    r = c.admin.post("/api/v1/stations", json={"name": f"Race court {next(seq)}", "kind": "court"})
    assert r.status_code == 201, r.get_json()
    station_id = r.get_json()["id"]
    ids = [c.new_provider() for _ in range(n)]
    with c.app.app_context():
        pool = create_duty_pool(db.session, None, f"Race duty {next(seq)}", ["lawyer"], station_id=station_id)
        for pid in ids:
            set_pool_member(db.session, pool, db.session.get(Provider, pid), None)
        db.session.commit()
        pool_id = pool.id
    return {"station": station_id, "pool": pool_id, "ids": ids}


def _rota_body(d: dict, shifts: list[tuple[dt.date, str]]) -> dict:
    month = shifts[0][0].strftime("%Y-%m")
    return {
        "month": month,
        "pool_id": d["pool"],
        "shifts": [{"date": s.isoformat(), "part": p} for s, p in shifts],
    }


def _duty_rota(c: Centre, *, publish: bool = True, day: dt.date | None = None) -> tuple[dict, dict]:
    """A station's rota of one morning shift (today by default), published; (station, rota)."""
    d = _duty_station(c)
    r = c.coord.post(
        f"/api/v1/stations/{d['station']}/rota", json=_rota_body(d, [(day or clock.today(), "am")])
    )
    assert r.status_code == 201, r.get_json()
    rota = r.get_json()
    if publish:
        assert c.coord.post(f"/api/v1/rota/{rota['id']}/publish").status_code == 200
    return d, rota


def _duty_swap(c: Centre, stage: str = "asked") -> tuple[dict, dict, int]:
    """A swap of a shift to come, asked (or accepted); (station, shift, swap id)."""
    d, rota = _duty_rota(c, day=clock.today() + dt.timedelta(days=1))
    shift = rota["shifts"][0]
    other = next(pid for pid in d["ids"] if pid != shift["provider_id"])
    asker = c.one(c.lawyer(shift["provider_id"]))
    r = asker.post(f"/api/v1/shifts/{shift['id']}/swap", json={"with_provider_id": other})
    assert r.status_code == 201, r.get_json()
    swap_id = r.get_json()["id"]
    if stage == "accepted":
        assert c.one(c.lawyer(other)).post(f"/api/v1/swaps/{swap_id}/accept").status_code == 200
    return d, shift, swap_id


@races("duty_api.create_rota.post", kind="idempotent")
def race_rota_generations_of_one_month(c: Centre):
    from assignment.duty.models import DutyRota

    d = _duty_station(c)
    days = [clock.today() + dt.timedelta(days=k) for k in range(3)]
    body = _rota_body(d, [(day, "am") for day in days if day.month == days[0].month])
    answers = race(
        c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/stations/{d['station']}/rota", json=body)
    )
    only(answers, {201, 409})
    live = c.scalars(
        sa.select(DutyRota.id).where(DutyRota.station_id == d["station"], DutyRota.status != "superseded")
    )
    assert len(live) == 1
    # Every superseded draft gave its turns back: the pool counts the live rota's shifts only.
    assert c.turns(d["pool"]) == len(body["shifts"])


@races("duty_api.create_month.post", kind="idempotent")
def race_month_generations_of_one_pool(c: Centre):
    """Two coordinators draw up the month for every station of one pool at once: the pool's lock
    queues them; each station ends with one live draft and the pool counts its shifts only."""
    from assignment.duty.models import DutyRota

    d = _duty_station(c)
    days = [clock.today() + dt.timedelta(days=k) for k in range(3)]
    body = _rota_body(d, [(day, "am") for day in days if day.month == days[0].month])
    del body["pool_id"]
    answers = race(
        c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/duty-pools/{d['pool']}/month", json=body)
    )
    only(answers, {201, 409})
    live = c.scalars(
        sa.select(DutyRota.id).where(DutyRota.station_id == d["station"], DutyRota.status != "superseded")
    )
    assert len(live) == 1
    assert c.turns(d["pool"]) == len(body["shifts"])


@races("duty_api.publish_rota.post", kind="transition")
def race_rota_publications(c: Centre):
    _d, rota = _duty_rota(c, publish=False)
    answers = race(c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/rota/{rota['id']}/publish"))
    one_winner(answers, 200)
    assert c.audit("duty_rota.published", rota["id"]) == 1


@races("duty_api.ask_swap.post", kind="unique")
def race_swaps_of_one_shift(c: Centre):
    from assignment.duty.models import DutySwap

    d, rota = _duty_rota(c, day=clock.today() + dt.timedelta(days=1))
    shift = rota["shifts"][0]
    other = next(pid for pid in d["ids"] if pid != shift["provider_id"])
    answers = race(
        c.many(c.lawyer(shift["provider_id"])),
        lambda cl, i: cl.post(f"/api/v1/shifts/{shift['id']}/swap", json={"with_provider_id": other}),
    )
    one_winner(answers, 201)
    assert c.count(DutySwap, DutySwap.shift_id == shift["id"]) == 1


@races("duty_api.accept_swap.post", kind="transition")
def race_swap_accepts(c: Centre):
    _d, _shift, swap_id = _duty_swap(c)
    to = c.scalar(sa.text("SELECT to_provider_id FROM duty_swap WHERE id = :i").bindparams(i=swap_id))
    answers = race(c.many(c.lawyer(to)), lambda cl, i: cl.post(f"/api/v1/swaps/{swap_id}/accept"))
    one_winner(answers, 200)
    assert c.audit("duty_swap.accepted", swap_id) == 1


@races("duty_api.approve_swap.post", kind="transition")
def race_swap_approvals(c: Centre):
    from assignment.duty.models import DutyShift

    d, shift, swap_id = _duty_swap(c, "accepted")
    turns = c.turns(d["pool"])
    answers = race(c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/swaps/{swap_id}/approve"))
    one_winner(answers, 200)
    assert c.audit("duty_swap.approved", swap_id) == 1
    assert (
        c.scalar(sa.select(DutyShift.provider_id).where(DutyShift.id == shift["id"])) != shift["provider_id"]
    )
    assert c.turns(d["pool"]) == turns  # a swap moves no turn


@races("duty_api.refuse_swap.post", kind="transition")
def race_swap_refusals(c: Centre):
    _d, _shift, swap_id = _duty_swap(c, "accepted")
    answers = race(c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/swaps/{swap_id}/refuse"))
    one_winner(answers, 200)
    assert c.audit("duty_swap.refused", swap_id) == 1


@races("duty_api.withdraw_swap.post", kind="transition")
def race_swap_withdrawals(c: Centre):
    _d, shift, swap_id = _duty_swap(c)
    answers = race(
        c.many(c.lawyer(shift["provider_id"])), lambda cl, i: cl.post(f"/api/v1/swaps/{swap_id}/withdraw")
    )
    one_winner(answers, 200)
    assert c.audit("duty_swap.withdrawn", swap_id) == 1


@races("duty_api.approve_swap.post", "duty_api.refuse_swap.post", kind="mixed")
def race_swap_approve_against_refuse(c: Centre):
    _d, _shift, swap_id = _duty_swap(c, "accepted")
    answers = race(
        c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/swaps/{swap_id}/{('approve', 'refuse')[i % 2]}")
    )
    one_winner(answers, 200)
    assert c.audit("duty_swap.approved", swap_id) + c.audit("duty_swap.refused", swap_id) == 1


@races("duty_api.reassign_shift.post", kind="transition")
def race_shift_reassignments(c: Centre):
    d, rota = _duty_rota(c, day=clock.today() + dt.timedelta(days=1))
    shift = rota["shifts"][0]
    other = next(pid for pid in d["ids"] if pid != shift["provider_id"])
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.post(f"/api/v1/shifts/{shift['id']}/reassign", json={"provider_id": other}),
    )
    one_winner(answers, 200, (409, 422))
    assert c.audit("duty_shift.reassigned", shift["id"]) == 1


@races("duty_api.check_in.post", kind="transition")
def race_check_ins(c: Centre):
    _d, rota = _duty_rota(c)
    shift = rota["shifts"][0]
    answers = race(
        c.many(c.lawyer(shift["provider_id"])),
        lambda cl, i: cl.post(f"/api/v1/shifts/{shift['id']}/check-in"),
    )
    one_winner(answers, 200)
    assert c.audit("duty_shift.checked_in", shift["id"]) == 1


@races("duty_api.check_out.post", kind="transition")
def race_check_outs(c: Centre):
    _d, rota = _duty_rota(c)
    shift = rota["shifts"][0]
    lawyer = c.lawyer(shift["provider_id"])
    assert c.one(lawyer).post(f"/api/v1/shifts/{shift['id']}/check-in").status_code == 200
    answers = race(
        c.many(lawyer),
        lambda cl, i: cl.post(f"/api/v1/shifts/{shift['id']}/check-out", json={"legal_help": {"advice": i}}),
    )
    one_winner(answers, 200)
    assert c.audit("duty_shift.checked_out", shift["id"]) == 1


@races("duty_api.mark_missed.post", kind="transition")
def race_missed_shifts(c: Centre):
    d, rota = _duty_rota(c)
    shift = rota["shifts"][0]
    turns = c.turns(d["pool"])
    answers = race(c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/shifts/{shift['id']}/missed"))
    one_winner(answers, 200)
    assert c.audit("duty_shift.missed", shift["id"]) == 1
    assert c.turns(d["pool"]) == turns  # a no-show keeps the turn it took
