"""What the annual report needs from intake and closing: the applicant's sex (optional) and the amount
recovered or obtained for the client (optional, typed in yuan on the page, integer fen in the API)."""

import datetime as dt

import pytest

from assignment.models import Case
from legalaid import clock
from legalaid.users import create_user
from supervision.scoring.closing import required_documents
from supervision.scoring.models import CaseClosing
from tests.conftest import PASSWORD

APPLICATION = {
    "case_type": "civil",
    "cause": "wage_arrears",
    "received_on": None,
    "applicant": {"name": "王芳", "id_number": "110101199003077571"},
}


def application(**applicant):
    return {
        **APPLICATION,
        "received_on": clock.today().isoformat(),
        "applicant": {**APPLICATION["applicant"], **applicant},
    }


def test_intake_records_the_applicants_sex_when_given(app, as_role, session):
    client = as_role("coordinator")
    given = client.post("/api/v1/cases", json=application(sex="female"))
    assert given.status_code == 201, given.get_json()
    assert given.get_json()["applicant"]["sex"] == "female"
    unsaid = client.post("/api/v1/cases", json=application())
    assert unsaid.status_code == 201 and unsaid.get_json()["applicant"]["sex"] is None
    assert session.get(Case, given.get_json()["id"]).applicant_sex == "female"


@pytest.mark.parametrize("sex", ["f", "FEMALE", 1, ""])
def test_intake_refuses_an_unknown_sex(as_role, sex):
    response = as_role("coordinator").post("/api/v1/cases", json=application(sex=sex))
    assert response.status_code == 422 and "applicant" in str(response.get_json()["error"]["fields"])


@pytest.fixture
def handled(session, make_case_at, make_provider):
    """A case in progress and a test client signed in as its provider."""

    def make(app):
        provider = make_provider()
        case = make_case_at(
            session,
            "in_progress",
            provider_id=provider,
            intake={"received_on": clock.today() - dt.timedelta(days=20)},
        )
        user = create_user(session, None, f"closer{case.id}", PASSWORD, ["provider"], provider_id=provider)
        session.commit()
        client = app.test_client()
        assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code in (
            302,
            303,
        )
        return case.id, client

    return make


def test_provider_types_the_amount_recovered_in_yuan_on_the_closing_page(app, session, handled):
    case_id, client = handled(app)
    report = {
        "ended_on": clock.today().isoformat(),
        "outcome": "judgment",
        "documents": required_documents("civil"),
        "recovered": "12,345.60",
        "confirmed": "yes",
    }
    response = client.post(f"/scoring/cases/{case_id}/close", data=report)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    session.expire_all()
    assert session.get(CaseClosing, case_id).recovered_fen == 1234560


def test_closing_page_refuses_an_amount_with_three_decimals(app, session, handled):
    case_id, client = handled(app)
    report = {
        "ended_on": clock.today().isoformat(),
        "outcome": "judgment",
        "recovered": "1.234",
        "confirmed": "yes",
    }
    response = client.post(f"/scoring/cases/{case_id}/close", data=report)
    assert response.status_code in (200, 422) and "At most two decimals" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(CaseClosing, case_id) is None


def test_closing_api_takes_the_amount_in_fen_and_refuses_a_negative(app, session, handled):
    case_id, client = handled(app)
    body = {
        "ended_on": clock.today().isoformat(),
        "outcome": "mediation",
        "documents": required_documents("civil"),
    }
    refused = client.post(f"/api/v1/cases/{case_id}/closing", json={**body, "recovered_fen": -1})
    assert refused.status_code == 422
    closed = client.post(f"/api/v1/cases/{case_id}/closing", json={**body, "recovered_fen": 500000})
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["recovered_fen"] == 500000
