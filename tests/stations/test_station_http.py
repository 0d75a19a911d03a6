"""Stations and cases taken at them over HTTP (API.md "Stations and duty rota", issue 14): the case API
takes and returns the station fields, the forwarding deadline shows with the case's deadlines, the
centre's receipt once, stations corrected and filtered, the figures per station; and the pages."""

from __future__ import annotations

import datetime as dt

from assignment.workdays import set_calendar_day
from legalaid import clock
from legalaid.db import db

APPLICANT = {"name": "Zhang San", "id_number": "110101199003077571", "phone": "13800000000"}


def _iso(day: dt.date, hour: int, minute: int = 0) -> str:
    return dt.datetime.combine(day, dt.time(hour, minute), clock.centre_tz()).isoformat()


def _apply(client, station, **extra):
    body = {
        "case_type": "civil",
        "cause": "wage_arrears",
        "received_on": "2026-09-30",
        "applicant": APPLICANT,
        "station_id": station,
        "station_received_at": _iso(dt.date(2026, 9, 30), 16),
        **extra,
    }
    return client.post("/api/v1/cases", json=body)


def test_the_case_api_takes_and_returns_the_station_fields(app, as_role, station, centre_clock):
    centre_clock.travel_to(dt.date(2026, 10, 8))
    with app.app_context():
        set_calendar_day(db.session, None, dt.date(2026, 10, 1), working=False)
        db.session.commit()
    coordinator = as_role("coordinator")
    answer = _apply(coordinator, station, centre_received_at=_iso(dt.date(2026, 10, 7), 0, 0))
    assert answer.status_code == 201, answer.get_json()
    case = coordinator.get(f"/api/v1/cases/{answer.get_json()['id']}").get_json()
    assert case["station_id"] == station and case["detained"] is False
    assert case["station_received_at"].startswith("2026-09-30T08:00")  # stored in UTC
    assert case["intake_point"] == "新桥镇"  # the station's area, for pools and travel extras
    forwarding = case["deadlines"]["forwarding"]
    assert forwarding["due_on"] == "2026-10-06" and forwarding["state"] == "done_late"
    assert case["deadlines"]["decision"]["due_on"] == "2026-10-14"  # 7 days from the centre's receipt
    page = coordinator.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "forwarded late" in page and "新桥镇法律援助工作站" in page


def test_a_detained_applicants_case_is_due_24_hours_to_the_minute(as_role, station, centre_clock):
    centre_clock.travel_to(dt.date(2026, 10, 8))
    coordinator = as_role("coordinator")
    body = {"station_received_at": _iso(dt.date(2026, 10, 6), 9, 30), "detained": True}
    on_time = _apply(coordinator, station, centre_received_at=_iso(dt.date(2026, 10, 7), 9, 30), **body)
    late = _apply(coordinator, station, centre_received_at=_iso(dt.date(2026, 10, 7), 9, 31), **body)
    assert on_time.get_json()["deadlines"]["forwarding"]["state"] == "done"
    assert late.get_json()["deadlines"]["forwarding"]["state"] == "done_late"
    assert late.get_json()["detained"] is True


def test_bad_station_input_is_422(as_role, station, centre_clock):
    coordinator = as_role("coordinator")
    today = clock.today()
    cases = [
        {"station_received_at": None},
        {"station_id": station + 100},
        {"station_id": None},
        {"centre_received_at": _iso(dt.date(2026, 9, 30), 15)},
        {"station_received_at": "2026-09-30T10:00"},  # no offset: refused, not guessed
        {"station_received_at": _iso(today + dt.timedelta(days=2), 9)},
        {"detained": "maybe"},
        {"station_id": "1"},
    ]
    for extra in cases:
        answer = _apply(coordinator, station, **extra)
        assert answer.status_code == 422, (extra, answer.get_json())
        assert answer.get_json()["error"]["fields"], extra


def test_the_centres_receipt_once(as_role, station, centre_clock):
    centre_clock.travel_to(dt.date(2026, 10, 8))
    coordinator = as_role("coordinator")
    case = _apply(coordinator, station).get_json()
    assert case["deadlines"]["forwarding"]["state"] == "overdue"
    overdue = coordinator.get("/api/v1/deadlines").get_json()
    rows = [d for d in overdue["items"] if d["case_id"] == case["id"]]
    assert [d["deadline"] for d in rows] == ["forwarding"]
    first = coordinator.post(f"/api/v1/cases/{case['id']}/centre-receipt", json={})
    assert first.status_code == 200 and first.get_json()["deadlines"]["forwarding"]["state"] == "done_late"
    again = coordinator.post(f"/api/v1/cases/{case['id']}/centre-receipt", json={})
    assert again.status_code == 409
    figures = coordinator.get("/api/v1/stations/figures").get_json()["items"]
    (mine,) = [f for f in figures if f["station_id"] == station]
    assert (mine["taken"], mine["forwarded_late"], mine["overdue"]) == (1, 1, 0)
    assert as_role("desk").post(f"/api/v1/cases/{case['id']}/centre-receipt", json={}).status_code == 403


def test_stations_are_corrected_deactivated_and_filtered(as_role, station):
    admin = as_role("admin")
    court = admin.post("/api/v1/stations", json={"name": "区人民法院工作站", "kind": "court"})
    assert court.status_code == 201
    changed = admin.patch(f"/api/v1/stations/{station}", json={"hours": "周一至周五", "active": False})
    assert changed.status_code == 200 and changed.get_json()["active"] is False
    assert admin.patch(f"/api/v1/stations/{station}", json={"kind": "prison"}).status_code == 422
    assert admin.patch(f"/api/v1/stations/{station}", json={"name": "区人民法院工作站"}).status_code == 422
    assert admin.patch("/api/v1/stations/9999", json={"active": True}).status_code == 404
    active = admin.get("/api/v1/stations?active=true").get_json()
    assert [s["name"] for s in active["items"]] == ["区人民法院工作站"]
    assert admin.get("/api/v1/stations?kind=township").get_json()["total"] == 1
    assert admin.get("/api/v1/stations?kind=nowhere").status_code == 422
    coordinator = as_role("coordinator")
    refused = _apply(coordinator, station)
    assert refused.status_code == 422 and "station_id" in refused.get_json()["error"]["fields"]
    assert coordinator.patch(f"/api/v1/stations/{station}", json={"active": True}).status_code == 403


def test_the_intake_form_takes_a_station(as_role, station, centre_clock):
    centre_clock.travel_to(dt.date(2026, 10, 8))
    coordinator = as_role("coordinator")
    form = {
        "case_type": "criminal",
        "charge": "theft",
        "cause": "",
        "received_on": "2026-10-07",
        "source": "application",
        "applicant_name": "Li Si",
        "applicant_id_number": "110101199003077571",
        "group_size": "1",
        "station_id": str(station),
        "station_received_at": "2026-10-07T09:00",
        "centre_received_at": "",
        "detained": "y",
    }
    answer = coordinator.post("/cases/new", data=form)
    assert answer.status_code == 302, answer.get_data(as_text=True)[-2000:]
    case_url = answer.headers["Location"]
    page = coordinator.get(case_url).get_data(as_text=True)
    assert "Applicant detained" in page and "record-centre-receipt" in page
    assert "2026-10-08 09:00" in page  # 24 hours after the station took it
    received = coordinator.post(case_url.rstrip("/") + "/centre-receipt", follow_redirects=True)
    # Received at 10:00 the next day: an hour past the 24 hours.
    assert received.status_code == 200 and "forwarded late" in received.get_data(as_text=True)


def test_the_stations_pages(as_role, station):
    admin = as_role("admin")
    listing = admin.get("/admin/stations?kind=township&active=yes").get_data(as_text=True)
    assert "新桥镇法律援助工作站" in listing and "Applications taken" in listing
    assert "新桥镇法律援助工作站" not in admin.get("/admin/stations?kind=court").get_data(as_text=True)
    edit = admin.post(
        f"/admin/stations/{station}",
        data={"name": "新桥镇工作站", "kind": "township", "area": "新桥镇", "address": "", "hours": "9-17"},
    )
    assert edit.status_code == 302
    asked = admin.post(f"/admin/stations/{station}/deactivate", data={})
    assert asked.status_code == 200 and "confirmed" in asked.get_data(as_text=True)
    assert admin.get("/api/v1/stations?active=false").get_json()["total"] == 0
    done = admin.post(f"/admin/stations/{station}/deactivate", data={"confirmed": "yes"})
    assert done.status_code == 302
    stored = admin.get(f"/api/v1/stations/{station}").get_json()
    assert stored["active"] is False and stored["name"] == "新桥镇工作站" and stored["hours"] == "9-17"
