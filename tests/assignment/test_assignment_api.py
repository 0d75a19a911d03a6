"""The Panel and Cases-and-assignment endpoints of API.md, through HTTP, with the error contract."""

from __future__ import annotations

import pytest

from legalaid import clock

TODAY = clock.today().isoformat()
APPLICANT = {"name": "Zhang San", "id_number": "110101199003077571", "phone": "13800000000"}


def error_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()["error"]


@pytest.fixture
def panel(as_role):
    """An admin client with one law firm, two lawyers and a civil pool holding both."""
    admin = as_role("admin")
    org = admin.post("/api/v1/organizations", json={"name": "Mingde", "kind": "law_firm"}).get_json()["id"]
    ids = []
    for name in ("Li", "Wang"):
        r = admin.post(
            "/api/v1/providers",
            json={"name": name, "kind": "lawyer", "organization_id": org, "practice_since": "2012-03-01"},
        )
        assert r.status_code == 201, r.get_json()
        ids.append(r.get_json()["id"])
    pool = admin.post(
        "/api/v1/pools", json={"name": "Civil", "case_types": ["civil"], "provider_kinds": ["lawyer"]}
    ).get_json()["id"]
    for pid in ids:
        assert admin.put(f"/api/v1/pools/{pool}/members/{pid}", json={}).status_code == 201
    return {"admin": admin, "org": org, "providers": ids, "pool": pool}


def new_case(client, **extra):
    body = {"case_type": "civil", "cause": "wage_arrears", "received_on": TODAY, "applicant": APPLICANT}
    return client.post("/api/v1/cases", json={**body, **extra})


def test_one_case_from_intake_to_in_progress(panel, as_role):
    coord = as_role("coordinator")
    r = new_case(coord, applicant={**APPLICANT, "categories": ["migrant_worker"]})
    assert r.status_code == 201
    case = r.get_json()
    assert case["status"] == "applied" and case["green_channel"] is True and case["number"]
    decided = coord.post(
        f"/api/v1/cases/{case['id']}/decision", json={"approved": True, "means_test": "waived"}
    )
    assert decided.get_json()["status"] == "accepted"
    assert coord.get(f"/api/v1/cases/{case['id']}").get_json()["deadlines"]["assignment"]["state"] == "open"
    r = coord.post(f"/api/v1/cases/{case['id']}/assignments", json={"mode": "rotation"})
    assert r.status_code == 201
    assignment = r.get_json()
    assert assignment["provider_id"] == panel["providers"][0] and assignment["mode"] == "rotation"
    assert [c["provider_id"] for c in assignment["candidates"] if c.get("picked")] == [panel["providers"][0]]
    lawyer = as_role("provider", provider_id=panel["providers"][0])
    mine = lawyer.get("/api/v1/me/assignments").get_json()
    assert mine["total"] == 1 and mine["items"][0]["why_you"] and mine["items"][0]["case"]["number"]
    assert mine["items"][0]["case"]["applicant"]["id_number"] == "**************7571"
    assert lawyer.post(f"/api/v1/assignments/{assignment['id']}/accept").status_code == 200
    shown = coord.get(f"/api/v1/cases/{case['id']}").get_json()
    assert shown["status"] == "in_progress" and shown["assignment"]["status"] == "accepted"
    error_of(coord.post(f"/api/v1/cases/{case['id']}/decision", json={"approved": True}), 409)
    report = coord.get(f"/api/v1/reports/rotation?pool_id={panel['pool']}&from={TODAY}&to={TODAY}").get_json()
    assert {"members", "spread", "top_decile_ratio", "overrides"} <= set(report)
    assert [m["count"] for m in report["members"]] == [1, 0]
    csv = coord.get(f"/api/v1/reports/rotation.csv?pool_id={panel['pool']}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"


def test_another_providers_assignment_is_not_found(panel, as_role):
    coord = as_role("coordinator")
    cid = new_case(coord).get_json()["id"]
    coord.post(f"/api/v1/cases/{cid}/decision", json={"approved": True})
    aid = coord.post(f"/api/v1/cases/{cid}/assignments", json={}).get_json()["id"]
    other = as_role("provider", provider_id=panel["providers"][1])
    error_of(other.post(f"/api/v1/assignments/{aid}/accept"), 404)
    error_of(other.post(f"/api/v1/assignments/{aid}/decline", json={"reason_code": "other"}), 404)
    error_of(other.get(f"/api/v1/cases/{cid}"), 404)
    assert other.get("/api/v1/me/assignments").get_json()["total"] == 0


def test_decline_returns_the_case_to_accepted(panel, as_role):
    coord = as_role("coordinator")
    cid = new_case(coord).get_json()["id"]
    coord.post(f"/api/v1/cases/{cid}/decision", json={"approved": True})
    aid = coord.post(f"/api/v1/cases/{cid}/assignments", json={}).get_json()["id"]
    lawyer = as_role("provider", provider_id=panel["providers"][0])
    error_of(lawyer.post(f"/api/v1/assignments/{aid}/decline", json={"reason_code": "bored"}), 422)
    assert (
        lawyer.post(f"/api/v1/assignments/{aid}/decline", json={"reason_code": "unavailable"}).status_code
        == 200
    )
    assert coord.get(f"/api/v1/cases/{cid}").get_json()["status"] == "accepted"
    again = coord.post(f"/api/v1/cases/{cid}/assignments", json={}).get_json()
    assert again["provider_id"] == panel["providers"][1]
    r = coord.post(f"/api/v1/cases/{cid}/reassign", json={"reason": "client complaint (Law art. 55)"})
    error_of(r, 409)  # nobody left who has not had this case


def test_no_eligible_provider_is_409_listing_reasons(panel, as_role):
    admin, coord = panel["admin"], as_role("coordinator")
    for pid in panel["providers"]:
        admin.post(f"/api/v1/providers/{pid}/leave", json={"from": TODAY, "to": TODAY})
    cid = new_case(coord).get_json()["id"]
    coord.post(f"/api/v1/cases/{cid}/decision", json={"approved": True})
    error = error_of(coord.post(f"/api/v1/cases/{cid}/assignments", json={"mode": "rotation"}), 409)
    assert "on leave" in error["message"]


def test_window_and_designated_assignments(panel, as_role, make_provider):
    coord = as_role("coordinator")
    ids = panel["providers"]
    cases = []
    for _ in range(3):
        cid = new_case(coord).get_json()["id"]
        coord.post(f"/api/v1/cases/{cid}/decision", json={"approved": True})
        cases.append(cid)
    r = coord.post(f"/api/v1/cases/{cases[0]}/assignments", json={"mode": "window", "provider_id": ids[1]})
    assert "reason_code" in error_of(r, 422)["fields"]
    r = coord.post(
        f"/api/v1/cases/{cases[0]}/assignments",
        json={"mode": "window", "provider_id": ids[1], "reason_code": "client_choice"},
    )
    assert r.status_code == 201 and r.get_json()["mode"] == "window"
    # Window picks count as the turn: the rotation now goes to the one not chosen.
    assert coord.post(f"/api/v1/cases/{cases[1]}/assignments", json={}).get_json()["provider_id"] == ids[0]
    outsider = make_provider()
    r = coord.post(
        f"/api/v1/cases/{cases[2]}/assignments",
        json={"mode": "designated", "provider_id": outsider, "reason": "x"},
    )
    error_of(r, 422)  # not in the pool
    r = coord.post(
        f"/api/v1/cases/{cases[2]}/assignments", json={"mode": "designated", "provider_id": ids[1]}
    )
    assert "reason" in error_of(r, 422)["fields"]
    r = coord.post(
        f"/api/v1/cases/{cases[2]}/assignments",
        json={"mode": "designated", "provider_id": ids[1], "reason": "the only Uyghur speaker"},
    )
    assert r.status_code == 201 and r.get_json()["override"] is True
    report = coord.get(f"/api/v1/reports/rotation?pool_id={panel['pool']}").get_json()
    assert report["overrides"] == 1


def test_pools_may_not_overlap_and_lawyers_only_pool_refuses_an_adviser(panel, make_provider):
    admin = panel["admin"]
    r = admin.post(
        "/api/v1/pools", json={"name": "Civil 2", "case_types": ["civil"], "provider_kinds": ["lawyer"]}
    )
    error_of(r, 422)
    r = admin.post(
        "/api/v1/pools",
        json={"name": "Civil east", "case_types": ["civil"], "provider_kinds": ["lawyer"], "area": "East"},
    )
    assert r.status_code == 201
    adviser = make_provider(kind="legal_adviser")
    error_of(admin.put(f"/api/v1/pools/{panel['pool']}/members/{adviser}", json={}), 422)
    r = admin.put(f"/api/v1/pools/{panel['pool']}/members/{panel['providers'][0]}", json={"weight": 0.5})
    assert r.status_code == 200 and r.get_json()["weight"] == 0.5


def test_provider_bank_account_is_encrypted_at_rest_and_shown_masked(app, as_role, make_organization):
    from cryptography.fernet import Fernet
    from sqlalchemy import text

    from legalaid.db import db

    app.config["BANK_ACCOUNT_KEY"] = Fernet.generate_key().decode()
    admin = as_role("admin")
    body = {
        "name": "Zhao",
        "kind": "lawyer",
        "organization_id": make_organization(),
        "practice_since": "2015-01-01",
        "bank_account": "6222021234567890123",
    }
    created = admin.post("/api/v1/providers", json=body).get_json()
    assert created["bank_account"] == "***************0123"
    with app.app_context():
        stored = db.session.execute(text("SELECT bank_account_stored FROM provider")).scalar()
    assert "6222021234567890123" not in stored
    r = admin.patch(f"/api/v1/providers/{created['id']}", json={"active": False, "max_open_cases": 3})
    assert r.status_code == 200 and r.get_json()["active"] is False


def test_roles(panel, as_role):
    provider = as_role("provider", provider_id=panel["providers"][0])
    error_of(new_case(provider), 403)
    error_of(as_role("coordinator").post("/api/v1/pools", json={}), 403)
    error_of(as_role("supervisor").get("/api/v1/me/assignments"), 403)


def test_causes_are_published_with_labels(client):
    items = client.get("/api/v1/causes").get_json()["items"]
    assert {"code": "wage_arrears", "label": "Wage arrears", "label_zh": "追索劳动报酬"} in items


def test_case_list_masks_id_numbers_and_puts_green_channel_first(as_role):
    coord = as_role("coordinator")
    plain = new_case(coord, cause="contract").get_json()["id"]
    green = new_case(coord, applicant={**APPLICANT, "categories": ["elderly"]}).get_json()["id"]
    listed = coord.get("/api/v1/cases").get_json()
    assert [c["id"] for c in listed["items"]] == [green, plain]
    assert all(
        c["applicant"]["id_number"].endswith("7571") and "1101" not in c["applicant"]["id_number"]
        for c in listed["items"]
    )
    assert coord.get("/api/v1/cases?green_channel=false").get_json()["total"] == 1


def test_bad_case_bodies_are_422(as_role):
    coord = as_role("coordinator")
    assert "applicant" in error_of(coord.post("/api/v1/cases", json={"case_type": "civil"}), 422)["fields"]
    error_of(new_case(coord, cause="astrology"), 422)
    error_of(new_case(coord, source="notification"), 422)  # only criminal cases are notified
    error_of(new_case(coord, applicant={**APPLICANT, "categories": ["pirate"]}), 422)


def test_deep_pages_are_read_once_and_say_the_same_totals(as_role, monkeypatch, count_queries):
    """Past the count's cap a page is not counted again (``listing.page_total``): with a row after
    it there are more, without one the list ends on it, and a page past the end is counted."""
    from legalaid import listing

    coord = as_role("coordinator")
    ids = [new_case(coord, cause="contract").get_json()["id"] for _ in range(7)]
    monkeypatch.setattr(listing, "COUNT_CAP", 3)

    def page(n):
        body = coord.get(f"/api/v1/cases?per_page=2&page={n}").get_json()
        return [c["id"] for c in body["items"]], body["total"], body["total_capped"]

    assert page(1)[1:] == (3, True)  # counted up to the cap
    assert page(2)[1:] == (4, True)  # deep, a row after it: at least the end of the page
    assert page(4) == ([ids[-1]], 7, False)  # deep, the last page: the list's end
    assert page(5) == ([], 7, False)  # past the end: counted
    assert sorted(i for n in (1, 2, 3, 4) for i in page(n)[0]) == sorted(ids)
    with count_queries() as shallow:
        page(1)
    with count_queries() as deep:
        page(3)
    assert deep.count == shallow.count - 1


def test_the_case_list_pages_by_its_next_place(as_role):
    """``next`` reads the list in its order, green channel first, without offsets; a place that is
    not one is a 422."""
    coord = as_role("coordinator")
    plain = [new_case(coord, cause="contract").get_json()["id"] for _ in range(3)]
    green = [
        new_case(coord, applicant={**APPLICANT, "categories": ["elderly"]}).get_json()["id"] for _ in range(2)
    ]
    whole = [c["id"] for c in coord.get("/api/v1/cases").get_json()["items"]]
    assert whole == green + plain
    seen, url = [], "/api/v1/cases?per_page=2"
    while url:
        body = coord.get(url).get_json()
        seen += [c["id"] for c in body["items"]]
        url = f"/api/v1/cases?per_page=2&after={body['next']}" if body["next"] else None
    assert seen == whole
    first = coord.get("/api/v1/cases?per_page=1").get_json()
    rest = coord.get(f"/api/v1/cases?per_page=10&after={first['next']}&green_channel=false").get_json()
    assert [c["id"] for c in rest["items"]] == plain and rest["next"] is None and rest["total"] == 3
    for bad in ("x", "2.2026-01-01.1", "1.2026-02-30.5", "1.2026-01-01.", "0." + "9" * 40):
        assert "after" in error_of(coord.get(f"/api/v1/cases?after={bad}"), 422)["fields"]
