"""Complaint pages: registering, each step on the complaint page (the decision asks first), the
complainant's identity for handlers only, the provider's own page with their statement."""

from __future__ import annotations

import datetime as dt

from legalaid import clock


def new_complaint(client, **extra) -> int:
    data = {
        "received_on": clock.today().isoformat(),
        "complainant_name": "Zhao Lei",
        "complainant_relation": "client",
        "complainant_phone": "13900001111",
        "respondent_kind": "centre",
        "respondent": "",
        "case_number": "",
        "matter": "other",
        "request": "Explain the refusal",
        "facts": "No reason was given",
        **extra,
    }
    r = client.post("/complaints/new", data=data)
    assert r.status_code in (302, 303), r.get_data(as_text=True)
    return int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_lifecycle_on_the_page(as_role, make_provider):
    sup = as_role("supervisor")
    provider_id = make_provider()
    cid = new_complaint(
        sup, respondent_kind="provider", respondent=f"provider:{provider_id}", matter="neglect"
    )
    page = sup.get(f"/complaints/{cid}").get_data(as_text=True)
    assert "Zhao Lei" in page and 'id="acceptance-form"' in page
    refused = sup.post(f"/complaints/{cid}/acceptance", data={"decision": "refuse", "reason": ""})
    assert refused.status_code == 422 and "A refusal needs a written reason." in refused.get_data(
        as_text=True
    )
    assert sup.post(f"/complaints/{cid}/acceptance", data={"decision": "accept"}).status_code in (302, 303)
    due = (clock.today() + dt.timedelta(days=7)).isoformat()
    assert sup.post(f"/complaints/{cid}/statement-request", data={"due_on": due}).status_code in (302, 303)
    lawyer = as_role("provider", provider_id=provider_id)
    mine = lawyer.get("/me/complaints").get_data(as_text=True)
    assert "No reason was given" in mine and "Zhao Lei" not in mine
    assert lawyer.post(f"/me/complaints/{cid}/statement", data={"text": "I called twice"}).status_code in (
        302,
        303,
    )
    decision = {"outcome": "upheld_education", "findings": "Slow to act", "pause_days": ""}
    asked = sup.post(f"/complaints/{cid}/decision", data=decision)
    assert asked.status_code == 200 and "confirm-yes" in asked.get_data(as_text=True)
    done = sup.post(f"/complaints/{cid}/decision", data={**decision, "confirmed": "yes"})
    assert done.status_code in (302, 303)
    answer = {"answered_on": clock.today().isoformat(), "method": "letter"}
    assert sup.post(f"/complaints/{cid}/answer", data=answer).status_code in (302, 303)
    page = sup.get(f"/complaints/{cid}").get_data(as_text=True)
    assert "I called twice" in page and "answered" in page


def test_list_hides_identity_from_admins_and_filters(as_role):
    sup = as_role("supervisor")
    new_complaint(sup)
    assert "Zhao Lei" in sup.get("/complaints").get_data(as_text=True)
    admin_page = as_role("admin").get("/complaints").get_data(as_text=True)
    assert "1 complaint" in admin_page and "Zhao Lei" not in admin_page
    assert "0 complaints" in sup.get("/complaints?overdue=y").get_data(as_text=True)
    assert as_role("desk").get("/complaints").status_code == 403


def test_unknown_case_number_is_a_field_error(as_role):
    r = as_role("supervisor").post(
        "/complaints/new",
        data={
            "received_on": clock.today().isoformat(),
            "complainant_name": "A",
            "complainant_relation": "client",
            "respondent_kind": "centre",
            "case_number": "2020-MS-99999",
            "matter": "other",
            "request": "r",
            "facts": "f",
        },
    )
    assert r.status_code == 422 and "No case has this number." in r.get_data(as_text=True)
