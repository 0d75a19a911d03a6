"""The input boundary (legalaid.limits; README "Input limits"): every input issue 10 found answered
with a 500 or stored although implausible, as a test. The checks that keep the limits from drifting
away from the columns they protect: test_limits_cannot_drift.py."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.db import db
from tests.conftest import PASSWORD
from tests.subsidies import conftest as subsidy_fixtures

# Archived cases with payable subsidies come from the subsidy tests' fixtures.
default_rates = subsidy_fixtures.default_rates
facts = subsidy_fixtures.facts
make_case = subsidy_fixtures.make_case
make_provider_here = subsidy_fixtures.make_provider_here
payable = subsidy_fixtures.payable
staff = subsidy_fixtures.staff
subsidy_of = subsidy_fixtures.subsidy_of


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    error = response.get_json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    return error


def case_body(**changes) -> dict:
    body = {
        "case_type": "civil",
        "cause": "wage_arrears",
        "received_on": clock.today().isoformat(),
        "applicant": {"name": "Li Lei", "id_number": "110101199003071234", "categories": []},
    }
    body.update(changes)
    return body


# --- the request boundary ---------------------------------------------------------------------------


def test_json_nested_1000_deep_is_a_400_before_anyone_signs_in(client):
    deep = '{"username": ' + "[" * 1000 + "]" * 1000 + ', "password": "x"}'
    response = client.post("/api/v1/session", data=deep, content_type="application/json")
    assert error_of(response, 400)["code"] == "malformed_json"


def test_json_depth_limit_is_the_configured_one(app, client):
    app.config["INPUT_LIMITS"] = {**app.config["INPUT_LIMITS"], "max_json_depth": 4}
    within = {"username": {"a": {"b": {"c": 1}}}, "password": "x"}  # 4 deep: the schema refuses it
    assert client.post("/api/v1/session", json=within).status_code == 422
    beyond = {"username": {"a": {"b": {"c": {"d": 1}}}}, "password": "x"}
    assert error_of(client.post("/api/v1/session", json=beyond), 400)["code"] == "malformed_json"


def test_lone_surrogate_in_the_sign_in_username_is_a_422_naming_it(client):
    response = client.post(
        "/api/v1/session", data='{"username": "\\ud800", "password": "x"}', content_type="application/json"
    )
    assert "username" in error_of(response, 422)["fields"]


def test_nul_in_any_string_is_a_422_naming_the_field(as_role):
    coordinator = as_role("coordinator")
    body = case_body(applicant={"name": "Li\x00Lei", "id_number": "110101199003071234"})
    error = error_of(coordinator.post("/api/v1/cases", json=body), 422)
    assert list(error["fields"]) == ["applicant.name"]


def test_nul_in_a_key_is_refused_too(client):
    response = client.post("/api/v1/session", json={"username": "a", "password": "b", "x\x00": 1})
    assert error_of(response, 422)["fields"]


@pytest.mark.parametrize("query", ["q=a%00b", "q=%ED%A0%80", "q=%FF", "status=%00"])
def test_nul_or_invalid_utf8_in_a_query_is_a_400(as_role, query):
    assert error_of(as_role("coordinator").get(f"/api/v1/cases?{query}"), 400)["code"] == "malformed_text"


@pytest.mark.parametrize("segment", ["\x00", "\xed\xa0\x80", "\xff"])
def test_nul_or_invalid_utf8_in_a_path_is_a_400(as_role, segment):
    # PATH_INFO as a server passes it (PEP 3333: the raw bytes as latin-1); the test client would
    # already have replaced invalid UTF-8.
    path = "/api/v1/calendar/days/" + segment
    response = as_role("admin").put("/x", json={"working": False}, environ_overrides={"PATH_INFO": path})
    assert error_of(response, 400)["code"] == "malformed_text"


def test_pages_refuse_nul_and_invalid_utf8_with_a_400_page(client):
    assert client.post("/login", data={"username": "a\x00", "password": "x"}).status_code == 400
    response = client.post(
        "/login", data=b"username=%FF&password=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert client.get("/login?next=%00").status_code == 400


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(as_role, constant):
    admin = as_role("admin")
    response = admin.put(
        "/api/v1/pools/1/members/1", data=f'{{"weight": {constant}}}', content_type="application/json"
    )
    assert error_of(response, 400)["code"] == "malformed_json"


def test_a_number_beyond_a_float_is_a_422(as_role):
    admin = as_role("admin")
    response = admin.put(
        "/api/v1/pools/1/members/1", data='{"weight": 1e999}', content_type="application/json"
    )
    assert "weight" in error_of(response, 422)["fields"]


def test_a_body_over_the_configured_size_is_a_413_with_the_error_body(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    body = json.dumps({"username": "x" * 2000, "password": "x"})
    assert error_of(client.post("/api/v1/session", data=body, content_type="application/json"), 413)
    # Also where the view never reads a body.
    assert error_of(client.delete("/api/v1/session", data=body, content_type="application/json"), 413)


def test_the_body_limit_defaults_to_one_mebibyte(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024


def test_a_body_that_is_not_json_is_refused_by_every_endpoint(as_role):
    coordinator = as_role("coordinator")
    response = coordinator.post(
        "/api/v1/tokens", data="a=b", content_type="application/x-www-form-urlencoded"
    )
    assert error_of(response, 400)["code"] == "unsupported_media_type"


# --- ids and integers ----------------------------------------------------------------------------


@pytest.mark.parametrize("id_", ["2147483648", "99999999999", "9" * 5000])
def test_a_path_id_beyond_the_integer_column_is_a_plain_404(as_role, id_):
    staff_client = as_role("admin", "coordinator")
    assert error_of(staff_client.get(f"/api/v1/cases/{id_}"), 404)["code"] == "not_found"
    # Same path, another method's route: still 404, not 405.
    assert error_of(staff_client.get(f"/api/v1/cases/{id_}/assignments"), 404)
    assert error_of(staff_client.patch(f"/api/v1/providers/{id_}", json={}), 404)
    assert staff_client.get(f"/cases/{id_}").status_code == 404  # a page


def test_the_largest_id_still_reaches_the_view(as_role):
    assert error_of(as_role("coordinator").get("/api/v1/cases/2147483647"), 404)


@pytest.mark.parametrize(
    "query",
    ["page=9223372036854775807", "per_page=99999999999999999999", "page=2147483648", "page=-1"],
)
def test_out_of_range_paging_is_a_422(as_role, query):
    assert error_of(as_role("coordinator").get(f"/api/v1/cases?{query}"), 422)["fields"]


def test_out_of_range_filter_ids_are_a_422(as_role):
    supervisor = as_role("supervisor")
    assert "case_id" in error_of(supervisor.get(f"/api/v1/hearings?case_id={2**40}"), 422)["fields"]


@pytest.mark.parametrize(
    "roles, path, body, field",
    [
        (("admin",), "/api/v1/subsidy-rates", {"amount_fen": 10**20}, "amount_fen"),
        (("admin",), "/api/v1/subsidy-rates", {"amount_fen": 2**62}, "amount_fen"),
        (("admin",), "/api/v1/users", {"provider_id": 2**40}, "provider_id"),
        (("admin",), "/api/v1/providers", {"organization_id": 2**40}, "organization_id"),
        (("coordinator",), "/api/v1/cases", {"previous_case_id": 2**31}, "previous_case_id"),
        (("finance",), "/api/v1/payment-batches", {"subsidy_ids": [2**63]}, "subsidy_ids.0"),
        (("admin",), "/api/v1/providers", {"max_open_cases": 10**20}, "max_open_cases"),
    ],
)
def test_out_of_range_integers_in_a_body_are_a_422(as_role, roles, path, body, field):
    assert field in error_of(as_role(*roles).post(path, json=body), 422)["fields"]


def test_reminder_ids_are_bounded_integers(as_role):
    supervisor = as_role("supervisor")
    assert error_of(supervisor.post("/api/v1/me/inbox/read", json={"ids": [2**40]}), 422)["fields"]
    assert error_of(supervisor.post("/api/v1/me/inbox/read", json={"ids": [True]}), 422)["fields"]


# --- dates -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("received_on", ["0001-01-01", "1999-12-31", "9999-12-31", "tomorrow"])
def test_cases_received_outside_the_plausible_window_are_refused(as_role, received_on):
    if received_on == "tomorrow":
        received_on = (clock.today() + dt.timedelta(days=1)).isoformat()
    response = as_role("coordinator").post("/api/v1/cases", json=case_body(received_on=received_on))
    assert "received_on" in error_of(response, 422)["fields"]


def test_a_case_received_today_or_in_2000_is_registered(as_role):
    coordinator = as_role("coordinator")
    assert coordinator.post("/api/v1/cases", json=case_body()).status_code == 201
    assert coordinator.post("/api/v1/cases", json=case_body(received_on="2000-01-01")).status_code == 201


def test_the_windows_are_configuration(app, as_role):
    app.config["INPUT_LIMITS"] = {**app.config["INPUT_LIMITS"], "earliest_date": dt.date(1990, 1, 1)}
    response = as_role("coordinator").post("/api/v1/cases", json=case_body(received_on="1995-06-01"))
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize("starts_at", ["9999-12-31T21:00:00+00:00", "0001-01-01T00:00:00+00:00"])
def test_hearings_at_year_9999_or_1_are_refused(as_role, starts_at):
    response = as_role("coordinator").post(
        "/api/v1/cases/1/hearings", json={"starts_at": starts_at, "court": "Court"}
    )
    assert "starts_at" in error_of(response, 422)["fields"]


def test_hearings_are_recorded_within_five_years_of_today(as_role):
    later = clock.now() + dt.timedelta(days=6 * 366)
    response = as_role("coordinator").post(
        "/api/v1/cases/1/hearings", json={"starts_at": later.isoformat(), "court": "Court"}
    )
    assert "starts_at" in error_of(response, 422)["fields"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/rotation?pool_id=1&from=0001-01-01",
        "/api/v1/reports/rotation?pool_id=1&to=9999-12-31",
        "/api/v1/reports/summary?from=0001-01-01",
        "/api/v1/reports/quality?from=0001-01-01",
        "/api/v1/reports/subsidies?from=0001-01-01",
        "/api/v1/calendar/days?year=99999",
        "/api/v1/calendar/days?year=1",
        "/api/v1/archives?year=99999",
        "/api/v1/follow-ups?due_before=0001-01-01",
        "/api/v1/subsidies?archived_from=0001-01-01",
    ],
)
def test_absurd_dates_and_years_in_a_query_are_a_422(as_role, path):
    staff_client = as_role("admin", "coordinator", "supervisor", "finance")
    assert error_of(staff_client.get(path), 422)["fields"]


def test_a_calendar_day_outside_the_window_is_not_a_day_of_the_calendar(as_role):
    admin = as_role("admin")
    assert error_of(admin.put("/api/v1/calendar/days/9999-12-31", json={"working": False}), 404)
    assert error_of(admin.delete("/api/v1/calendar/days/0001-01-01"), 404)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_leave_rates_and_checklists_effective_in_year_1_or_9999_are_refused(as_role, make_provider, day):
    admin = as_role("admin")
    provider_id = make_provider()
    leave = admin.post(f"/api/v1/providers/{provider_id}/leave", json={"from": day, "to": day})
    assert "from" in error_of(leave, 422)["fields"]
    rate = admin.post(
        "/api/v1/subsidy-rates",
        json={"case_type": "civil", "provider_kind": "lawyer", "effective_from": day, "amount_fen": 100},
    )
    assert "effective_from" in error_of(rate, 422)["fields"]
    checklist = admin.post(
        "/api/v1/checklists", json={"case_type": "civil", "effective_from": day, "items": []}
    )
    assert "effective_from" in error_of(checklist, 422)["fields"]


def test_a_provider_may_have_practised_since_before_2000(as_role, make_organization):
    admin = as_role("admin")
    body = {"name": "Old Hand", "kind": "lawyer", "organization_id": make_organization()}
    assert admin.post("/api/v1/providers", json={**body, "practice_since": "1985-09-01"}).status_code == 201
    refused = admin.post("/api/v1/providers", json={**body, "practice_since": "0001-01-01"})
    assert "practice_since" in error_of(refused, 422)["fields"]


def test_a_batch_is_paid_on_or_after_the_day_it_was_made_and_not_in_the_future(payable, as_role):
    finance = as_role("finance")
    batch = finance.post("/api/v1/payment-batches", json={"subsidy_ids": payable(2)}).get_json()
    confirm = f"/api/v1/payment-batches/{batch['id']}/confirm"
    today = clock.today()
    for paid_on in ("9999-12-31", (today + dt.timedelta(days=1)).isoformat(), "0001-01-01"):
        response = finance.post(confirm, json={"bank_reference": "B-1", "paid_on": paid_on})
        assert "paid_on" in error_of(response, 422)["fields"]
    before_it_was_made = (today - dt.timedelta(days=1)).isoformat()
    response = finance.post(confirm, json={"bank_reference": "B-1", "paid_on": before_it_was_made})
    assert "paid_on" in error_of(response, 422)["fields"]
    assert (
        finance.post(confirm, json={"bank_reference": "B-1", "paid_on": today.isoformat()}).status_code == 200
    )


# --- strings -------------------------------------------------------------------------------------------


def test_an_archive_correction_of_1_mb_is_refused_and_nothing_changes(payable, subsidy_of, session, as_role):
    from assignment.models import Case
    from supervision.subsidies.models import Subsidy

    case_id = session.get(Subsidy, payable()[0]).case_id
    before = session.get(Case, case_id).opposing_party
    session.rollback()  # SQLite: one writer; the requests below write
    supervisor = as_role("supervisor")
    path = f"/api/v1/cases/{case_id}/archive/corrections"
    huge = {"changes": {"opposing_party": "x" * 1_000_000}, "reason": "typo"}
    assert "changes" in json.dumps(error_of(supervisor.post(path, json=huge), 422)["fields"])
    one_over = {"changes": {"applicant_name": "x" * 121}, "reason": "typo"}
    assert error_of(supervisor.post(path, json=one_over), 422)
    not_null = {"changes": {"applicant_name": None}, "reason": "typo"}
    assert error_of(supervisor.post(path, json=not_null), 422)
    assert session.get(Case, case_id).opposing_party == before
    session.rollback()
    fits = {"changes": {"opposing_party": "x" * 200}, "reason": "typo"}
    assert supervisor.post(path, json=fits).status_code == 200


# --- duplicates and list lengths --------------------------------------------------------------------


def test_a_score_sheet_with_the_same_item_twice_is_refused(as_role):
    items = [{"code": "meeting", "points": 10}, {"code": "meeting", "points": 0}]
    response = as_role("supervisor").post("/api/v1/cases/1/score-sheets", json={"items": items})
    assert "items" in error_of(response, 422)["fields"]


@pytest.mark.parametrize(
    "missing", [["ID card", "ID card"], [str(i) for i in range(100_000)]], ids=["twice", "100000"]
)
def test_missing_materials_listed_twice_or_by_the_hundred_thousand_are_refused(as_role, missing):
    response = as_role("coordinator").post("/api/v1/cases/1/materials-request", json={"missing": missing})
    assert "missing" in error_of(response, 422)["fields"]


@pytest.mark.parametrize(
    "roles, path, body, field",
    [
        (("admin",), "/api/v1/pools", {"case_types": ["civil", "civil"]}, "case_types"),
        (("admin",), "/api/v1/users", {"roles": ["admin", "admin"]}, "roles"),
        (("finance",), "/api/v1/payment-batches", {"subsidy_ids": [1, 1]}, "subsidy_ids"),
        (("provider",), "/api/v1/cases/1/documents", {"documents": ["closing_report"] * 2}, "documents"),
        (("supervisor",), "/api/v1/cases/1/score-sheets", {"vetoes": ["took_money"] * 2}, "vetoes"),
    ],
)
def test_lists_refuse_an_item_given_twice(as_role, roles, path, body, field):
    assert field in error_of(as_role(*roles).post(path, json=body), 422)["fields"]


def test_the_missing_materials_page_refuses_an_item_twice(as_role, app):
    coordinator = as_role("coordinator")
    case_id = coordinator.post("/api/v1/cases", json=case_body()).get_json()["id"]
    response = coordinator.post(
        f"/cases/{case_id}/materials-request", data={"materials-missing": "ID card\nID card"}
    )
    assert response.status_code in (400, 422) and "Each item once" in response.get_data(as_text=True)


# --- usernames ---------------------------------------------------------------------------------------


def test_usernames_are_unique_regardless_of_case_and_sign_in_keeps_working(make_user, as_role, client):
    make_user(roles=("admin",), username="admin")
    admin = as_role("admin")
    response = admin.post(
        "/api/v1/users", json={"username": "ADMIN", "password": PASSWORD, "roles": ["finance"]}
    )
    assert "username" in error_of(response, 422)["fields"]
    assert client.post("/api/v1/session", json={"username": "admin", "password": PASSWORD}).status_code == 200


def test_the_database_refuses_usernames_differing_only_in_case(app, make_user):
    from legalaid.models import User

    make_user(roles=("admin",), username="Chen")
    with app.app_context():
        db.session.add(User(username="CHEN", password_hash="x"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


# --- pages -------------------------------------------------------------------------------------------


def test_page_forms_refuse_implausible_dates_without_a_500(as_role):
    coordinator = as_role("coordinator")
    response = coordinator.post(
        "/cases/new",
        data={
            "case_type": "civil",
            "cause": "wage_arrears",
            "received_on": "0001-01-01",
            "source": "application",
        },
    )
    assert response.status_code == 422 and "A date from" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/supervision/working-days?year=99999",
        "/supervision/archive?year=99999",
        "/scoring/quality?provider_id=99999999999",
        "/scoring/quality?provider_id=abc",
    ],
)
def test_page_query_numbers_out_of_range_are_a_400_page(as_role, path):
    assert as_role("admin", "supervisor").get(path).status_code == 400


def test_a_page_post_with_out_of_range_numbers_is_a_400_page(as_role):
    admin = as_role("admin")
    assert admin.post("/supervision/outbox", data={"message_id": "99999999999"}).status_code == 400


@pytest.mark.parametrize(
    "row, problem",
    [
        ("Li\x00Na,lawyer,Sunrise Law,2010-01-01,5", "NUL"),
        ("{long},lawyer,Sunrise Law,2010-01-01,5", "Name: at most 120 characters"),
        ("Li Na,lawyer,{long},2010-01-01,5", "Organisation: at most 200 characters"),
        ("Li Na,lawyer,Sunrise Law,0001-01-01,5", "In practice since"),
        ("Li Na,lawyer,Sunrise Law,2010-01-01,99999999999", "Open-case cap must be at most 500"),
    ],
)
def test_the_panel_file_meets_the_same_limits(as_role, row, problem):
    import io

    text = "name,kind,organization,practice_since,max_open_cases\n" + row.format(long="x" * 300) + "\n"
    response = as_role("admin").post(
        "/admin/panel-import",
        data={"file": (io.BytesIO(text.encode()), "panel.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and problem in response.get_data(as_text=True)
