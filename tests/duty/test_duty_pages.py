"""The duty rota's pages: the coordinator draws up a month, publishes it (asked first), reassigns and
marks a no-show; the provider checks in with one tap, checks out with the legal help given, asks and
accepts swaps; the admin adds a duty pool. Both languages; people's words, not codes."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from legalaid.db import db


@pytest.fixture
def grid(app, as_role, next_month):
    from tests.duty.test_duty_api import build_station  # noqa: F401 (one builder for API and pages)

    with app.app_context():
        station_id, pool_id, ids = build_station()
    return {"station": station_id, "pool": pool_id, "ids": ids, "month": next_month,
            "coord": as_role("coordinator")}  # fmt: skip


def draw_up(g):
    url = f"/duty/stations/{g['station']}?month={g['month']}"
    return g["coord"].post(url, data={"pool_id": str(g["pool"]), "weekdays": ["0", "2"], "parts": ["am"]})


def live(app, station_id):
    from assignment.duty.models import DutyRota, DutyShift

    with app.app_context():
        rota = db.session.scalar(
            sa.select(DutyRota).where(DutyRota.station_id == station_id, DutyRota.status != "superseded")
        )
        shifts = list(
            db.session.execute(
                sa.select(DutyShift.id, DutyShift.on_date, DutyShift.provider_id)
                .where(DutyShift.rota_id == rota.id)
                .order_by(DutyShift.on_date)
            )
        )
        return rota.id, rota.status, shifts


def test_coordinator_draws_up_and_publishes(app, grid):
    page = grid["coord"].get(f"/duty/stations/{grid['station']}?month={grid['month']}")
    assert page.status_code == 200 and "Draw up the month" in page.get_data(as_text=True)
    r = draw_up(grid)
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    rota_id, status, shifts = live(app, grid["station"])
    assert status == "draft" and all(
        dt.date.fromisoformat(str(s.on_date)).weekday() in (0, 2) for s in shifts
    )
    text = grid["coord"].get(f"/duty/stations/{grid['station']}?month={grid['month']}").get_data(as_text=True)
    assert "Next in the rotation" in text and "morning" in text and ">am<" not in text
    asked = grid["coord"].post(f"/duty/rota/{rota_id}/publish")
    assert asked.status_code == 200 and "Publish this rota?" in asked.get_data(as_text=True)
    assert live(app, grid["station"])[1] == "draft"
    assert grid["coord"].post(f"/duty/rota/{rota_id}/publish", data={"confirmed": "yes"}).status_code == 302
    assert live(app, grid["station"])[1] == "published"
    assert grid["coord"].get(f"/duty?month={grid['month']}").status_code == 200


def test_bad_month_is_a_400_page_and_bad_form_a_422(grid):
    assert grid["coord"].get(f"/duty/stations/{grid['station']}?month=2026-13").status_code == 400
    assert (
        grid["coord"].post(f"/duty/stations/{grid['station']}?month={grid['month']}", data={}).status_code
        == 422
    )
    assert grid["coord"].get(f"/duty/stations/999999?month={grid['month']}").status_code == 404


def test_provider_checks_in_and_out(app, grid, as_role, centre_clock):
    draw_up(grid)
    rota_id, _status, shifts = live(app, grid["station"])
    grid["coord"].post(f"/duty/rota/{rota_id}/publish", data={"confirmed": "yes"})
    shift = shifts[0]
    lawyer = as_role("provider", provider_id=shift.provider_id)
    centre_clock.travel_to(shift.on_date)
    mine = lawyer.get("/my/shifts").get_data(as_text=True)
    assert f'id="check-in-{shift.id}"' in mine
    assert lawyer.post(f"/my/shifts/{shift.id}/check-in").status_code == 302
    assert f'id="check-out-{shift.id}"' in lawyer.get("/my/shifts").get_data(as_text=True)
    r = lawyer.post(f"/my/shifts/{shift.id}/check-out", data={"advice": "2", "meeting": "1", "note": "ok"})
    assert r.status_code == 302
    text = lawyer.get("/my/shifts").get_data(as_text=True)
    assert "legal advice: 2" in text
    bad = lawyer.post(f"/my/shifts/{shift.id}/check-out", data={"advice": "-5"})
    assert bad.status_code == 302


def test_my_shifts_in_chinese(app, grid, as_role):
    draw_up(grid)
    rota_id, _status, shifts = live(app, grid["station"])
    grid["coord"].post(f"/duty/rota/{rota_id}/publish", data={"confirmed": "yes"})
    lawyer = as_role("provider", provider_id=shifts[0].provider_id)
    lawyer.post("/language", data={"locale": "zh_Hans"})
    assert lawyer.get("/my/shifts").status_code == 200


def test_admin_adds_a_duty_pool(as_role, grid):
    admin = as_role("admin")
    assert admin.get("/duty/pools").status_code == 200
    r = admin.post(
        "/duty/pools",
        data={
            "name": "Court duty",
            "station_id": str(grid["station"]),
            "provider_kinds": ["lawyer", "legal_adviser"],
        },
    )
    assert r.status_code == 422 and "Lawyers only" in r.get_data(as_text=True)
    r = admin.post(
        "/duty/pools",
        data={"name": "Court duty", "station_id": str(grid["station"]), "provider_kinds": ["lawyer"]},
    )
    assert r.status_code == 302


@pytest.mark.parametrize("value", ["x" * 20_000, "99999999999999999999", "-1", "", "\u00e9"])
def test_no_duty_page_answers_bad_input_with_a_500(app, grid, as_role, value):
    draw_up(grid)
    rota_id, _status, shifts = live(app, grid["station"])
    shift_id = shifts[0].id
    lawyer = as_role("provider", provider_id=shifts[0].provider_id)
    fields = {"pool_id": value, "weekdays": value, "parts": value, "provider_id": value, "advice": value,
              "note": value, "name": value, "station_id": value, "provider_kinds": value}  # fmt: skip
    posts = [
        (grid["coord"], f"/duty/stations/{grid['station']}?month={grid['month']}"),
        (grid["coord"], f"/duty/shifts/{shift_id}/reassign"),
        (grid["coord"], f"/duty/rota/{rota_id}/publish"),
        (lawyer, f"/my/shifts/{shift_id}/check-out"),
        (lawyer, f"/my/shifts/{shift_id}/swap"),
        (as_role("admin"), "/duty/pools"),
    ]
    for client, url in posts:
        assert client.post(url, data=fields).status_code < 500, url
    assert grid["coord"].get(f"/duty/stations/{grid['station']}?month={value[:50]}").status_code < 500


def test_a_duty_pools_page_sends_its_settings_to_the_duty_pools_page(as_role, grid):
    admin = as_role("admin")
    page = admin.get(f"/admin/pools/{grid['pool']}").get_data(as_text=True)
    assert 'id="duty-pool-settings"' in page and 'id="pool-settings-form"' not in page
    r = admin.post(f"/admin/pools/{grid['pool']}/settings", data={"settings-name": "Renamed"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/duty/pools")


def test_a_published_month_links_to_its_review_and_archive(app, grid):
    draw_up(grid)
    rota_id, _status, _shifts = live(app, grid["station"])
    grid["coord"].post(f"/duty/rota/{rota_id}/publish", data={"confirmed": "yes"})
    text = grid["coord"].get(f"/duty/stations/{grid['station']}?month={grid['month']}").get_data(as_text=True)
    assert f"/stations/{grid['station']}/months/{grid['month']}" in text


def test_reassigning_a_shift_asks_first_naming_both_providers(app, grid):
    from assignment.models import Provider

    assert draw_up(grid).status_code == 302
    _rota_id, _status, shifts = live(app, grid["station"])
    shift = shifts[0]
    same_day = {s.provider_id for s in shifts if s.on_date == shift.on_date}
    free = next(pid for pid in grid["ids"] if pid not in same_day)
    with app.app_context():
        now, then = db.session.get(Provider, shift.provider_id).name, db.session.get(Provider, free).name
    url = f"/duty/shifts/{shift.id}/reassign"
    asked = grid["coord"].post(url, data={"provider_id": str(free)})
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Give this shift to another provider?" in text
    assert f"{now} → {then}" in text and "morning" in text
    assert live(app, grid["station"])[2][0].provider_id == shift.provider_id  # nothing done yet
    done = grid["coord"].post(url, data={"provider_id": str(free), "confirmed": "yes"})
    assert done.status_code == 302
    assert live(app, grid["station"])[2][0].provider_id == free
