"""The consultation register through the API (API.md "Front desk"): who registers, what is checked,
phones masked in lists, search and filters, and an application registered from a consultation."""

from __future__ import annotations

import datetime as dt

import pytest

from legalaid import clock


def body(**extra) -> dict:
    return {
        "channel": "hotline",
        "occurred_at": clock.now().isoformat(),
        "person": {"name": "Wang Fang", "phone": "138 0013 8000", "categories": ["migrant_worker"]},
        "cause": "wage_arrears",
        "question": "The site owes me three months of wages.",
        "answer": "Explained labour arbitration and legal aid for wage arrears.",
        "duration_s": 240,
        "outcome": "answered",
        **extra,
    }


@pytest.fixture
def desk(as_role):
    return as_role("desk")


def test_desk_registers_and_phone_is_masked_in_the_list(desk):
    r = desk.post("/api/v1/consultations", json=body())
    assert r.status_code == 201, r.get_json()
    created = r.get_json()
    assert created["person"]["phone"] == "13800138000"
    assert created["outcome"] == "answered"
    listed = desk.get("/api/v1/consultations").get_json()
    assert listed["total"] == 1
    assert listed["items"][0]["person"]["phone"] == "*******8000"


@pytest.mark.parametrize("role, status", [("coordinator", 201), ("supervisor", 403), ("finance", 403)])
def test_who_registers(as_role, role, status):
    assert as_role(role).post("/api/v1/consultations", json=body()).status_code == status


def test_supervisor_reads_the_register(as_role, desk):
    desk.post("/api/v1/consultations", json=body())
    assert as_role("supervisor").get("/api/v1/consultations").get_json()["total"] == 1
    assert as_role("provider").get("/api/v1/consultations").status_code == 403


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"outcome": "referred"}, "referred_to"),
        ({"outcome": "application_registered"}, "outcome"),
        ({"channel": "workstation"}, "station_id"),
        ({"station_id": 999}, "station_id"),
        ({"question": " "}, "question"),
        ({"cause": "astrology"}, "cause"),
        ({"duration_s": -1}, "duration_s"),
        ({"person": {"phone": "no digits"}}, "person.phone"),
    ],
)
def test_invalid_consultations_are_refused_naming_the_field(desk, extra, field):
    r = desk.post("/api/v1/consultations", json=body(**extra))
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["fields"]


def test_a_consultation_in_the_future_is_refused(desk):
    later = (clock.now() + dt.timedelta(hours=2)).isoformat()
    r = desk.post("/api/v1/consultations", json=body(occurred_at=later))
    assert r.status_code == 422
    assert "occurred_at" in r.get_json()["error"]["fields"]


def test_search_by_phone_text_and_filters(desk):
    desk.post("/api/v1/consultations", json=body())
    desk.post(
        "/api/v1/consultations",
        json=body(
            channel="visit",
            person={"phone": "13900000001"},
            cause="marriage_family",
            question="Divorce and custody of a child",
            outcome="referred",
            referred_to="District court",
        ),
    )
    get = lambda q: desk.get("/api/v1/consultations", query_string=q).get_json()  # noqa: E731
    assert get({"phone": "13800138000"})["total"] == 1
    assert get({"phone": "138-0013-8000"})["total"] == 1
    assert get({"q": "custody"})["items"][0]["cause"] == "marriage_family"
    assert get({"channel": "visit"})["total"] == 1
    assert get({"outcome": "referred"})["items"][0]["referred_to"] == "District court"
    assert get({"cause": "wage_arrears"})["total"] == 1
    today = clock.today().isoformat()
    assert get({"from": today, "to": today})["total"] == 2
    yesterday = (clock.today() - dt.timedelta(days=1)).isoformat()
    assert get({"to": yesterday})["total"] == 0
    assert desk.get("/api/v1/consultations?channel=fax").status_code == 422


def test_export_csv_masks_phones(desk):
    desk.post("/api/v1/consultations", json=body(question="=HYPERLINK(1)"))
    r = desk.get("/api/v1/consultations/export?format=csv")
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "*******8000" in text and "13800138000" not in text
    assert "'=HYPERLINK(1)" in text
    xlsx = desk.get("/api/v1/consultations/export?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    xlsx.close()


def test_application_from_a_consultation_is_prefilled_and_linked_both_ways(desk):
    consultation = desk.post("/api/v1/consultations", json=body()).get_json()
    url = f"/api/v1/consultations/{consultation['id']}/application"
    r = desk.post(url, json={"applicant": {"id_number": "110101199003077571"}})
    assert r.status_code == 201, r.get_json()
    case = r.get_json()
    assert case["applicant"]["name"] == "Wang Fang"
    assert case["applicant"]["phone"] == "13800138000"
    assert case["applicant"]["categories"] == ["migrant_worker"]
    assert case["cause"] == "wage_arrears" and case["case_type"] == "civil"
    assert case["green_channel"] is True
    again = desk.get(f"/api/v1/consultations/{consultation['id']}").get_json()
    assert again["case_id"] == case["id"] and again["outcome"] == "application_registered"
    second = desk.post(url, json={"applicant": {"id_number": "110101199003077571"}})
    assert second.status_code == 409


def test_application_needs_the_id_number(desk):
    consultation = desk.post("/api/v1/consultations", json=body()).get_json()
    r = desk.post(f"/api/v1/consultations/{consultation['id']}/application", json={"applicant": {}})
    assert r.status_code == 422


def test_stations_admin_creates_desk_reads(as_role, desk):
    admin = as_role("admin")
    r = admin.post("/api/v1/stations", json={"name": "Xinqiao township", "kind": "township"})
    assert r.status_code == 201, r.get_json()
    assert (
        admin.post("/api/v1/stations", json={"name": "xinqiao TOWNSHIP", "kind": "township"}).status_code
        == 422
    )
    assert desk.post("/api/v1/stations", json={"name": "X", "kind": "court"}).status_code == 403
    assert desk.get("/api/v1/stations").get_json()["total"] == 1
    station_id = r.get_json()["id"]
    made = desk.post("/api/v1/consultations", json=body(channel="workstation", station_id=station_id))
    assert made.status_code == 201
