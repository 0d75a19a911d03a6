"""The desk pages: one form per caller (saved, cleared, channel and station remembered), the
caller's history by phone (with and without the script), the register's filters and paging, and an
application registered from a consultation."""

from __future__ import annotations

import pytest

from legalaid import clock
from legalaid.db import db


def desk_form(**extra) -> dict:
    return {
        "channel": "hotline",
        "station": "",
        "phone": "138 0013 8000",
        "name": "Wang Fang",
        "categories": ["migrant_worker"],
        "cause": "wage_arrears",
        "question": "Unpaid wages for three months",
        "answer": "Explained arbitration; told what to bring",
        "outcome": "application_guided",
        "referred_to": "",
        "minutes": "4",
        **extra,
    }


@pytest.fixture
def desk(as_role):
    return as_role("desk")


@pytest.fixture
def station(app):
    from assignment import stations

    with app.app_context():
        s = stations.create_station(db.session, {"name": "Xinqiao township", "kind": "township"}, None)
        db.session.commit()
        return s.id


def test_saved_cleared_and_channel_and_station_remembered(desk, station):
    r = desk.post("/desk", data=desk_form(channel="workstation", station=str(station)))
    assert r.status_code in (302, 303)
    page = desk.get("/desk").get_data(as_text=True)
    assert "Consultation saved" in page
    assert f'<option selected value="{station}">' in page
    assert '<option selected value="workstation">' in page
    assert "Unpaid wages for three months" not in page.split('id="earlier"')[0]  # the form is empty


def test_form_errors_in_peoples_words(desk):
    r = desk.post("/desk", data=desk_form(question="", outcome="referred"))
    assert r.status_code == 422
    text = r.get_data(as_text=True)
    assert "Name where the person was referred." in text
    assert "referred_to" not in text.split("<form")[1].split("</form>")[0].replace(
        'name="referred_to"', ""
    ).replace('id="referred_to"', "").replace('for="referred_to"', "")


def test_earlier_consultations_and_cases_by_phone(desk, as_role):
    desk.post("/desk", data=desk_form())
    coord = as_role("coordinator")
    coord.post(
        "/api/v1/cases",
        json={
            "case_type": "civil",
            "cause": "wage_arrears",
            "received_on": "2020-01-02",
            "applicant": {"name": "Wang Fang", "id_number": "110101199003077571", "phone": "13800138000"},
        },
    )
    fragment = desk.get("/desk/earlier?phone=13800138000").get_data(as_text=True)
    assert "Unpaid wages for three months" in fragment
    assert "2020-MS-" in fragment
    # Without the script: the button re-shows the form as typed, with the history, saving nothing.
    r = desk.post("/desk", data=desk_form(lookup="1", question="Second call"))
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and 'value="Second call"' in text and "Unpaid wages for three months" in text
    assert desk.get("/api/v1/consultations").get_json()["total"] == 1


def test_register_filters_paging_and_masking(desk, as_role):
    for i in range(55):
        desk.post(
            "/desk", data=desk_form(phone=f"1390000{i:04d}", question=f"Question {i}", outcome="answered")
        )
    desk.post(
        "/desk", data=desk_form(channel="visit", question="Custody of a child", cause="marriage_family")
    )
    supervisor = as_role("supervisor")
    page = supervisor.get("/consultations").get_data(as_text=True)
    assert "56 consultations" in page and 'id="next"' in page
    assert "13900000054" not in page and "*******0054" in page
    assert "Custody of a child" in supervisor.get("/consultations?channel=visit").get_data(as_text=True)
    assert "1 consultation" in supervisor.get("/consultations?q=custody").get_data(as_text=True)
    assert "1 consultation" in supervisor.get("/consultations?phone=13900000007").get_data(as_text=True)
    second = supervisor.get("/consultations?page=2").get_data(as_text=True)
    assert 'id="previous"' in second
    assert supervisor.get("/consultations?from_=1900-01-01").status_code == 422
    assert as_role("finance").get("/consultations").status_code == 403


def test_application_page_prefilled_then_linked_both_ways(desk, as_role):
    desk.post("/desk", data=desk_form())
    consultation_id = desk.get("/api/v1/consultations").get_json()["items"][0]["id"]
    form = desk.get(f"/consultations/{consultation_id}/application").get_data(as_text=True)
    assert 'value="Wang Fang"' in form and 'value="13800138000"' in form
    assert '<option selected value="wage_arrears">' in form
    r = desk.post(
        f"/consultations/{consultation_id}/application",
        data={
            "case_type": "civil",
            "cause": "wage_arrears",
            "received_on": clock.today().isoformat(),
            "source": "application",
            "applicant_name": "Wang Fang",
            "applicant_id_number": "110101199003077571",
            "applicant_phone": "13800138000",
            "categories": ["migrant_worker"],
            "group_size": "1",
        },
    )
    assert r.status_code in (302, 303), r.get_data(as_text=True)
    page = desk.get(f"/consultations/{consultation_id}").get_data(as_text=True)
    assert "-MS-" in page and "application registered" in page
    assert 'id="register-application"' not in page


def test_case_page_names_the_consultation(desk, as_role):
    desk.post("/desk", data=desk_form())
    consultation_id = desk.get("/api/v1/consultations").get_json()["items"][0]["id"]
    body = {"applicant": {"id_number": "110101199003077571"}}
    case = desk.post(f"/api/v1/consultations/{consultation_id}/application", json=body).get_json()
    page = as_role("coordinator").get(f"/cases/{case['id']}").get_data(as_text=True)
    assert f'href="/consultations/{consultation_id}"' in page


def test_desk_home_leads_to_the_form(desk):
    desk.post("/desk", data=desk_form())
    home = desk.get("/").get_data(as_text=True)
    assert "1 consultation recorded today." in home and 'href="/desk"' in home
