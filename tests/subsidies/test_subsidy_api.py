"""The archive and subsidy API as API.md writes it, with the error contract; separation of duties."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient

from legalaid import clock

TODAY = clock.today().isoformat()


class FreshContextClient(FlaskClient):
    """Each request in its own app context: the test's open context (its session fixture) would
    otherwise be shared by every request, with flask-login's cached user in ``g``."""

    def open(self, *args, **kwargs):
        from legalaid.db import db

        db.session.commit()  # end the test's transaction: on SQLite it holds the write lock
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def signed_in(app, staff, session):
    """signed_in("finance") -> a test client signed in as a new user with that role."""

    def sign(*roles, provider_id=None):
        username = staff(*roles, provider_id=provider_id).username
        client = FreshContextClient(app, app.response_class, use_cookies=True)
        response = client.post("/api/v1/session", json={"username": username, "password": "Test-passw0rd"})
        assert response.status_code == 200
        return client

    return sign


def error_of(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert {"code", "message"} <= set(body["error"])
    return body["error"]


def test_archive_to_payment_through_the_api(make_case, signed_in, session):
    case_id = make_case()
    supervisor, finance = signed_in("supervisor"), signed_in("finance")
    session.commit()
    r = supervisor.post(f"/api/v1/cases/{case_id}/archive")
    assert r.status_code == 201 and r.get_json()["archive_number"].endswith("-00001")
    error_of(supervisor.post(f"/api/v1/cases/{case_id}/archive"), 409)

    listed = finance.get("/api/v1/subsidies?status=payable").get_json()
    assert listed["total"] == 1
    [item] = listed["items"]
    assert {"amount_fen", "breakdown", "case_id", "provider_id", "archived_on"} <= set(item)
    assert isinstance(item["amount_fen"], int) and item["case_id"] == case_id and item["age_days"] == 0

    error_of(supervisor.post("/api/v1/payment-batches", json={"subsidy_ids": [item["id"]]}), 403)
    r = finance.post("/api/v1/payment-batches", json={"subsidy_ids": [item["id"]]})
    assert r.status_code == 201
    batch = r.get_json()
    assert (batch["count"], batch["total_fen"]) == (1, item["amount_fen"])
    csv = finance.get(f"/api/v1/payment-batches/{batch['id']}/export?format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv" and b"subsidy_id" in csv.data
    xlsx = finance.get(f"/api/v1/payment-batches/{batch['id']}/export?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    xlsx.close()
    error_of(finance.get(f"/api/v1/payment-batches/{batch['id']}/export?format=pdf"), 422)
    detail = finance.get(f"/api/v1/payment-batches/{batch['id']}").get_json()
    assert detail["items"][0]["bank_account"].startswith("*")
    r = finance.post(
        f"/api/v1/payment-batches/{batch['id']}/confirm", json={"bank_reference": "B-1", "paid_on": TODAY}
    )
    assert r.status_code == 200 and r.get_json()["status"] == "confirmed"
    error_of(
        finance.post(
            f"/api/v1/payment-batches/{batch['id']}/confirm", json={"bank_reference": "B-2", "paid_on": TODAY}
        ),
        409,
    )
    assert finance.get(f"/api/v1/subsidies/{item['id']}").get_json()["status"] == "paid"


def test_archive_refusal_names_what_is_missing(make_case, signed_in, session):
    case_id = make_case(score_final=False, materials_missing=["outcome_document"])
    session.commit()
    error = error_of(signed_in("supervisor").post(f"/api/v1/cases/{case_id}/archive"), 409)
    assert "a final score" in error["message"] and "outcome_document" in error["message"]


def test_batch_request_errors(payable, make_case, signed_in, subsidy_of, session):
    [sid] = payable()
    pending = subsidy_of(make_case(status="in_progress")).id
    session.commit()
    finance = signed_in("finance")
    assert error_of(finance.post("/api/v1/payment-batches", json={}), 422)["fields"]
    error_of(finance.post("/api/v1/payment-batches", data="{oops", content_type="application/json"), 400)
    error_of(finance.post("/api/v1/payment-batches", json={"subsidy_ids": [sid, pending]}), 409)
    error_of(finance.post("/api/v1/payment-batches", json={"subsidy_ids": [999999]}), 409)
    error_of(
        finance.post("/api/v1/payment-batches/999/confirm", json={"bank_reference": "x", "paid_on": TODAY}),
        404,
    )
    r = finance.post("/api/v1/payment-batches", json={"filter": {"case_type": "civil"}})
    assert r.status_code == 201 and r.get_json()["count"] == 1
    error_of(
        finance.post(f"/api/v1/payment-batches/{r.get_json()['id']}/confirm", json={"paid_on": TODAY}), 422
    )


def test_hold_and_release_by_supervisor(payable, signed_in, session):
    [sid] = payable()
    session.commit()
    supervisor, finance = signed_in("supervisor"), signed_in("finance")
    error_of(supervisor.post(f"/api/v1/subsidies/{sid}/hold", json={}), 422)
    r = supervisor.post(f"/api/v1/subsidies/{sid}/hold", json={"reason": "red flag"})
    assert r.status_code == 200 and r.get_json()["status"] == "held"
    error_of(finance.post("/api/v1/payment-batches", json={"subsidy_ids": [sid]}), 409)
    r = supervisor.post(f"/api/v1/subsidies/{sid}/release", json={"reason": "dismissed"})
    assert r.status_code == 200 and r.get_json()["status"] == "payable"
    error_of(supervisor.post(f"/api/v1/subsidies/{sid}/release", json={"reason": "again"}), 409)


def _finance_and_supervision_actions(case_id, subsidy_id, batch_id):
    return {
        "archive": ("post", f"/api/v1/cases/{case_id}/archive", None),
        "correct archive": (
            "post",
            f"/api/v1/cases/{case_id}/archive/corrections",
            {"changes": {"applicant_name": "x"}, "reason": "x"},
        ),
        "hold": ("post", f"/api/v1/subsidies/{subsidy_id}/hold", {"reason": "x"}),
        "release": ("post", f"/api/v1/subsidies/{subsidy_id}/release", {"reason": "x"}),
        "score sheet": ("post", f"/api/v1/cases/{case_id}/score-sheets", {"items": []}),
        "batch": ("post", "/api/v1/payment-batches", {"subsidy_ids": [subsidy_id]}),
        "confirm": (
            "post",
            f"/api/v1/payment-batches/{batch_id}/confirm",
            {"bank_reference": "x", "paid_on": TODAY},
        ),
        "cancel": ("post", f"/api/v1/payment-batches/{batch_id}/cancel", {}),
        "export": ("get", f"/api/v1/payment-batches/{batch_id}/export?format=csv", None),
        "reverse": ("post", f"/api/v1/subsidies/{subsidy_id}/reverse", {"reason": "x"}),
        "add rate": (
            "post",
            "/api/v1/subsidy-rates",
            {
                "case_type": "civil",
                "provider_kind": "lawyer",
                "effective_from": "2030-01-01",
                "amount_fen": 1,
            },
        ),
    }


SUPERVISION_ONLY = ("archive", "correct archive", "hold", "release", "score sheet")
FINANCE_ONLY = ("batch", "confirm", "cancel", "export", "reverse")


@pytest.mark.parametrize("action", SUPERVISION_ONLY + ("add rate",))
def test_finance_cannot_change_scores_or_archives(payable, make_case, signed_in, session, action):
    from supervision.subsidies.batches import create_payment_batch

    [sid] = payable()
    case_id = make_case()
    batch = create_payment_batch(session, _clerk(session), [sid])
    session.commit()
    method, url, body = _finance_and_supervision_actions(case_id, sid, batch.id)[action]
    response = getattr(signed_in("finance"), method)(url, json=body)
    error_of(response, 403)


@pytest.mark.parametrize("action", FINANCE_ONLY + ("add rate",))
def test_supervisors_cannot_batch_or_pay(payable, make_case, signed_in, session, action):
    from supervision.subsidies.batches import create_payment_batch

    ids = payable(2)
    batch = create_payment_batch(session, _clerk(session), ids[:1])
    session.commit()
    method, url, body = _finance_and_supervision_actions(make_case(), ids[1], batch.id)[action]
    response = getattr(signed_in("supervisor"), method)(url, json=body)
    error_of(response, 403)


def _clerk(session):
    from legalaid.users import create_user

    user = create_user(
        session, None, f"clerk{id(session)}{clock.now().timestamp()}", "Test-passw0rd", ["finance"]
    )
    session.flush()
    return user


def test_provider_sees_own_subsidies_and_why(make_case, make_provider_here, signed_in, subsidy_of, session):
    mine = make_provider_here()
    waiting = make_case(provider_id=mine, score_final=False)
    other = make_case()
    other_subsidy = subsidy_of(other).id
    session.commit()
    provider = signed_in("provider", provider_id=mine)
    listed = provider.get("/api/v1/me/subsidies").get_json()
    assert [i["case_id"] for i in listed["items"]] == [waiting]
    assert listed["items"][0]["waiting_for"] == "Waiting for a final score"
    error_of(provider.get(f"/api/v1/subsidies/{other_subsidy}"), 404)
    error_of(provider.get("/api/v1/subsidies?status=payable"), 403)


def test_anonymous_is_401(client):
    error_of(client.get("/api/v1/subsidies"), 401)
    error_of(client.post("/api/v1/payment-batches", json={"subsidy_ids": [1]}), 401)


def test_archive_list_and_exports(payable, signed_in, session):
    from openpyxl import load_workbook

    payable(2)
    session.commit()
    supervisor = signed_in("supervisor")
    listed = supervisor.get("/api/v1/archives").get_json()
    assert listed["total"] == 2 and listed["items"][0]["archive_number"].endswith("-00001")
    csv = supervisor.get("/api/v1/archives?format=csv")
    assert csv.status_code == 200 and csv.data.decode("utf-8-sig").count("\n") == 3
    xlsx = supervisor.get("/api/v1/archives?format=xlsx")
    workbook = load_workbook(io.BytesIO(xlsx.data), read_only=True)
    xlsx.close()
    assert [r[0] for r in workbook.active.iter_rows(values_only=True)][1:] == [
        listed["items"][0]["archive_number"],
        listed["items"][1]["archive_number"],
    ]
    workbook.close()


def test_rates_api(signed_in):
    admin = signed_in("admin")
    assert admin.get("/api/v1/subsidy-rates").get_json()["total"] == 16  # 12 for cases, 4 duty (0016)
    body = {
        "case_type": "civil",
        "provider_kind": "lawyer",
        "effective_from": "2030-01-01",
        "amount_fen": 150000,
    }
    assert admin.post("/api/v1/subsidy-rates", json=body).status_code == 201
    error_of(admin.post("/api/v1/subsidy-rates", json=body), 422)
    error_of(admin.post("/api/v1/subsidy-rates", json={**body, "amount_fen": 1.5}), 422)


def test_reconciliation_api(payable, signed_in, session):
    payable(1)
    session.commit()
    figures = signed_in("finance").get("/api/v1/reports/subsidies").get_json()
    assert figures["outstanding"]["payable"]["count"] == 1


def test_openapi_lists_the_subsidy_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/cases/{case_id}/archive",
        "/api/v1/subsidies",
        "/api/v1/payment-batches",
        "/api/v1/payment-batches/{batch_id}/confirm",
        "/api/v1/payment-batches/{batch_id}/export",
    ):
        assert path in paths
