"""The duty rota through the API (API.md "Stations and duty rota"): generate, publish, my shifts,
swap (ask, accept, approve), reassign, check in and out, missed; 401/403/404/409/422 on each."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import sqlalchemy as sa

from assignment.duty.models import DutyShift
from assignment.models import PoolMember
from legalaid import clock

_seq = itertools.count(1)


def build_station(kind="court", n=4, kinds=("lawyer",)) -> tuple[int, int, list[int]]:
    """A station, n providers and a duty pool of them, made and committed in the caller's app context."""
    from assignment.duty.pools import create_duty_pool
    from assignment.models import Provider
    from assignment.panel import create_organization, create_provider
    from assignment.pools import set_pool_member
    from assignment.stations import create_station
    from legalaid.db import db

    s = db.session
    tag = next(_seq)
    station = create_station(s, {"name": f"API station {tag}", "kind": kind, "area": None}, None)
    org = create_organization(s, f"API org {tag}", "law_firm", None)
    ids = []
    for i in range(n):
        data = {"name": f"API lawyer {tag}-{i}", "kind": "lawyer", "organization_id": org.id,
                "practice_since": clock.today() - dt.timedelta(days=3000)}  # fmt: skip
        ids.append(create_provider(s, data, None).id)
    pool = create_duty_pool(s, None, f"API duty pool {tag}", kinds, station_id=station.id)
    for pid in ids:
        set_pool_member(s, pool, s.get(Provider, pid), None)
    s.commit()
    return station.id, pool.id, ids


@pytest.fixture
def duty(app, as_role, next_month, weekdays):
    """A court station, a pool of four lawyers (each with a login) and a coordinator."""
    with app.app_context():
        station_id, pool_id, ids = build_station()
    coord = as_role("coordinator")
    providers = {pid: as_role("provider", provider_id=pid) for pid in ids}
    return {"station": station_id, "pool": pool_id, "ids": ids, "coord": coord, "providers": providers,
            "month": next_month, "wanted": weekdays(next_month)[:8]}  # fmt: skip


def turns(app) -> dict:
    """Each member's counted turns."""
    from legalaid.db import db

    with app.app_context():
        return dict(db.session.execute(sa.select(PoolMember.provider_id, PoolMember.turns)).all())


def provider_of(app, shift_id):
    from legalaid.db import db

    with app.app_context():
        return db.session.scalar(sa.select(DutyShift.provider_id).where(DutyShift.id == shift_id))


def generate(d, shifts=None, month=None):
    body = {
        "month": month or d["month"],
        "pool_id": d["pool"],
        "shifts": [{"date": day.isoformat(), "part": part} for day, part in (shifts or d["wanted"])],
    }
    return d["coord"].post(f"/api/v1/stations/{d['station']}/rota", json=body)


def published(d, shifts=None, month=None):
    r = generate(d, shifts, month)
    assert r.status_code == 201, r.get_json()
    rota = r.get_json()
    assert d["coord"].post(f"/api/v1/rota/{rota['id']}/publish").status_code == 200
    return rota


def test_generate_and_publish(duty, client):
    r = generate(duty)
    assert r.status_code == 201, r.get_json()
    rota = r.get_json()
    assert rota["status"] == "draft" and len(rota["shifts"]) == 8 and rota["gaps"] == 0
    assert all(
        s["provider_id"] in duty["ids"] and s["why"].startswith("Next in the rotation")
        for s in rota["shifts"]
    )
    read = duty["coord"].get(f"/api/v1/stations/{duty['station']}/rota?month={duty['month']}").get_json()
    assert read["rota"]["id"] == rota["id"] and read["pools"][0]["id"] == duty["pool"]
    assert duty["coord"].post(f"/api/v1/rota/{rota['id']}/publish").get_json()["status"] == "published"
    again = duty["coord"].post(f"/api/v1/rota/{rota['id']}/publish")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "not_allowed"
    assert generate(duty).status_code == 409
    assert client.post(f"/api/v1/rota/{rota['id']}/publish").status_code == 401
    some = duty["providers"][duty["ids"][0]]
    assert some.post(f"/api/v1/rota/{rota['id']}/publish").status_code == 403
    assert duty["coord"].post("/api/v1/rota/999999/publish").status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"month": "2026-13"},
        {"month": "x"},
        {"month": "0000-01", "shifts": []},  # no year 0 (schemathesis found a 500)
        {"month": "9999-12"},
        {"pool_id": 0},
        {"shifts": []},
        {"shifts": [{"date": "2000-01-01", "part": "am"}]},
        {"shifts": [{"part": "noon"}]},
        {"shifts": [{"date": "2026-01-01", "part": "am"}] * 94},
    ],
)
def test_generate_refuses_bad_input(duty, change):
    body = {
        "month": duty["month"],
        "pool_id": duty["pool"],
        "shifts": [{"date": f"{duty['month']}-03", "part": "am"}],
    }
    r = duty["coord"].post(f"/api/v1/stations/{duty['station']}/rota", json={**body, **change})
    assert r.status_code == 422, r.get_json()
    assert "fields" in r.get_json()["error"]


def test_generate_unknown_station_or_pool(duty):
    one = [{"date": f"{duty['month']}-03", "part": "am"}]
    body = {"month": duty["month"], "pool_id": duty["pool"], "shifts": one}
    assert duty["coord"].post("/api/v1/stations/999999/rota", json=body).status_code == 404
    body = {
        "month": duty["month"],
        "pool_id": 999999,
        "shifts": [{"date": f"{duty['month']}-03", "part": "am"}],
    }
    assert duty["coord"].post(f"/api/v1/stations/{duty['station']}/rota", json=body).status_code == 404


def test_shift_outside_the_month_is_refused(duty):
    other = dt.date.fromisoformat(f"{duty['month']}-01") + dt.timedelta(days=40)
    r = generate(duty, shifts=[(other, "am")])
    assert r.status_code == 422 and "shifts" in r.get_json()["error"]["fields"]


def _shift_of(rota, pid):
    return next(s for s in rota["shifts"] if s["provider_id"] == pid)


def test_swap_ask_accept_approve_moves_no_turn(duty, app):
    rota = published(duty)
    a, b = duty["ids"][0], None
    shift = _shift_of(rota, a)
    busy = {s["provider_id"] for s in rota["shifts"] if s["date"] == shift["date"]}
    b = next(pid for pid in duty["ids"] if pid not in busy)
    before = turns(app)
    pa, pb = duty["providers"][a], duty["providers"][b]
    mine = pa.get("/api/v1/me/shifts").get_json()
    assert shift["id"] in [s["id"] for s in mine["items"]]
    # not your shift: 404; yourself: 422; unknown provider: 422
    assert pb.post(f"/api/v1/shifts/{shift['id']}/swap", json={"with_provider_id": a}).status_code == 404
    assert pa.post(f"/api/v1/shifts/{shift['id']}/swap", json={"with_provider_id": a}).status_code == 422
    assert pa.post(f"/api/v1/shifts/{shift['id']}/swap", json={"with_provider_id": 999999}).status_code == 422
    assert pa.post(f"/api/v1/shifts/{shift['id']}/swap", json={}).status_code == 422
    r = pa.post(f"/api/v1/shifts/{shift['id']}/swap", json={"with_provider_id": b})
    assert r.status_code == 201, r.get_json()
    swap = r.get_json()
    assert pa.post(f"/api/v1/shifts/{shift['id']}/swap", json={"with_provider_id": b}).status_code == 409
    assert duty["coord"].post(f"/api/v1/swaps/{swap['id']}/approve").status_code == 409  # not accepted yet
    assert pb.get("/api/v1/me/shifts").get_json()["swaps_asked"][0]["id"] == swap["id"]
    assert pa.post(f"/api/v1/swaps/{swap['id']}/accept").status_code == 404  # not asked of them
    assert pb.post(f"/api/v1/swaps/{swap['id']}/accept").get_json()["status"] == "accepted"
    assert pb.post(f"/api/v1/swaps/{swap['id']}/accept").status_code == 409
    assert pb.post(f"/api/v1/swaps/{swap['id']}/approve").status_code == 403
    r = duty["coord"].post(f"/api/v1/swaps/{swap['id']}/approve")
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
    assert duty["coord"].post(f"/api/v1/swaps/{swap['id']}/approve").status_code == 409
    assert provider_of(app, shift["id"]) == b
    assert turns(app) == before
    assert duty["coord"].post("/api/v1/swaps/999999/approve").status_code == 404


def test_swap_with_a_busy_provider_is_refused(duty):
    rota = published(duty)
    shift = rota["shifts"][0]
    other = next(s for s in rota["shifts"] if s["date"] == shift["date"] and s["id"] != shift["id"])
    pa = duty["providers"][shift["provider_id"]]
    if other["part"] == shift["part"] or "day" in (other["part"], shift["part"]):
        r = pa.post(f"/api/v1/shifts/{shift['id']}/swap", json={"with_provider_id": other["provider_id"]})
        assert r.status_code == 422


def test_withdraw_and_refuse(duty):
    rota = published(duty)
    shift = rota["shifts"][0]
    busy = {s["provider_id"] for s in rota["shifts"] if s["date"] == shift["date"]}
    b = next(pid for pid in duty["ids"] if pid not in busy)
    pa = duty["providers"][shift["provider_id"]]
    swap = pa.post(f"/api/v1/shifts/{shift['id']}/swap", json={"with_provider_id": b}).get_json()
    assert pa.post(f"/api/v1/swaps/{swap['id']}/withdraw").get_json()["status"] == "withdrawn"
    assert pa.post(f"/api/v1/swaps/{swap['id']}/withdraw").status_code == 409
    swap = pa.post(f"/api/v1/shifts/{shift['id']}/swap", json={"with_provider_id": b}).get_json()
    assert duty["coord"].post(f"/api/v1/swaps/{swap['id']}/refuse").get_json()["status"] == "refused"


def test_check_in_and_out_on_the_day(duty, centre_clock):
    rota = published(duty)
    shift = rota["shifts"][0]
    p = duty["providers"][shift["provider_id"]]
    other = duty["providers"][next(pid for pid in duty["ids"] if pid != shift["provider_id"])]
    assert p.post(f"/api/v1/shifts/{shift['id']}/check-in").status_code == 409  # not the day yet
    centre_clock.travel_to(dt.date.fromisoformat(shift["date"]))
    assert other.post(f"/api/v1/shifts/{shift['id']}/check-in").status_code == 404
    assert p.post(f"/api/v1/shifts/{shift['id']}/check-out", json={}).status_code == 409  # not in yet
    r = p.post(f"/api/v1/shifts/{shift['id']}/check-in")
    assert r.status_code == 200 and r.get_json()["status"] == "checked_in"
    assert p.post(f"/api/v1/shifts/{shift['id']}/check-in").status_code == 409
    bad = p.post(f"/api/v1/shifts/{shift['id']}/check-out", json={"legal_help": {"advice": -1}})
    assert bad.status_code == 422
    assert (
        p.post(f"/api/v1/shifts/{shift['id']}/check-out", json={"legal_help": {"bribe": 1}}).status_code
        == 422
    )
    r = p.post(
        f"/api/v1/shifts/{shift['id']}/check-out",
        json={"legal_help": {"advice": 3, "plea_witness": 1}, "note": "busy"},
    )
    assert r.status_code == 200, r.get_json()
    out = r.get_json()
    assert out["status"] == "done" and out["legal_help"]["advice"] == 3 and out["legal_help"]["meeting"] == 0
    assert duty["coord"].post(f"/api/v1/shifts/{shift['id']}/missed").status_code == 409


def test_missed_counts_as_the_turn(duty, centre_clock, app):
    rota = published(duty)
    shift = rota["shifts"][0]
    before = turns(app)
    assert duty["coord"].post(f"/api/v1/shifts/{shift['id']}/missed").status_code == 409  # not come yet
    centre_clock.travel_to(dt.date.fromisoformat(shift["date"]))
    p = duty["providers"][shift["provider_id"]]
    assert p.post(f"/api/v1/shifts/{shift['id']}/missed").status_code == 403
    r = duty["coord"].post(f"/api/v1/shifts/{shift['id']}/missed")
    assert r.status_code == 200 and r.get_json()["status"] == "missed"
    assert duty["coord"].post(f"/api/v1/shifts/{shift['id']}/missed").status_code == 409
    assert turns(app) == before


def test_reassign(duty):
    rota = published(duty)
    shift = rota["shifts"][0]
    busy = {s["provider_id"] for s in rota["shifts"] if s["date"] == shift["date"]}
    free = next(pid for pid in duty["ids"] if pid not in busy)
    url = f"/api/v1/shifts/{shift['id']}/reassign"
    assert duty["coord"].post(url, json={"provider_id": shift["provider_id"]}).status_code == 422
    assert duty["coord"].post(url, json={"provider_id": 999999}).status_code == 422
    assert duty["coord"].post(url, json={}).status_code == 422
    r = duty["coord"].post(url, json={"provider_id": free})
    assert r.status_code == 200 and r.get_json()["provider_id"] == free
    assert r.get_json()["why"] == "Reassigned by a coordinator."
    assert duty["coord"].post("/api/v1/shifts/999999/reassign", json={"provider_id": free}).status_code == 404


def test_my_shifts_only_published_and_own(duty, as_role):
    generate(duty)
    p = duty["providers"][duty["ids"][0]]
    assert p.get("/api/v1/me/shifts").get_json()["items"] == []
    assert as_role("coordinator").get("/api/v1/me/shifts").status_code == 403
