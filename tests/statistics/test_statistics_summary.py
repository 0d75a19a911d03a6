"""The centre's figures come out of the data: each figure counted as its definition says."""

import datetime as dt

import pytest
import sqlalchemy as sa

from assignment.models import Case
from legalaid.db import db
from supervision.statistics.service import summary

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def add_case(app):
    """add_case(received_on, status="applied", case_type="civil", green=False) -> case id (rows only)."""
    counter = iter(range(1, 10_000))

    def add(received_on, status="applied", case_type="civil", green=False):
        with app.app_context():
            n = next(counter)
            cols = {c.name for c in Case.__table__.columns}
            values = {
                "number": f"T-{n:05d}",
                "year": received_on.year,
                "seq": n,
                "case_type": case_type,
                "status": status,
                "received_on": received_on,
                "green_channel": green,
                "cause": "wage_arrears",
                "applicant_name": "A",
                "applicant_id_number": "110101199003077571",
                "applicant_phone": "13800000000",
            }
            for column in Case.__table__.columns:
                if (
                    column.name not in values
                    and not column.nullable
                    and column.default is None
                    and column.server_default is None
                    and not column.primary_key
                ):
                    pytest.fail(f"test helper does not know the required column {column.name}")
            db.session.execute(sa.insert(Case).values({k: v for k, v in values.items() if k in cols}))
            db.session.commit()

    return add


def test_cases_by_type_growth_closure_and_green_share(app, add_case):
    for status in ("applied", "in_progress", "closed", "archived"):
        add_case(dt.date(2026, 3, 1), status=status, green=status == "closed")
    add_case(dt.date(2026, 3, 2), status="rejected", case_type="criminal")
    add_case(dt.date(2025, 9, 1))  # previous half-year: one case
    with app.app_context():
        figures = summary(db.session, dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    cases = figures["cases"]
    assert cases["received"] == 5
    assert cases["by_type"] == {"criminal": 1, "civil": 4, "administrative": 0, "non_litigation": 0}
    assert cases["growth"]["previous"] == 1 and cases["growth"]["rate"] == 4.0
    # Of the approved cases (in_progress, closed, archived), two are closed or archived.
    assert cases["closure_rate"] == {"closed": 2, "approved": 3, "rate": 0.6667}
    assert cases["green_channel"] == {"count": 1, "share": 0.2}
    assert [m["received"] for m in figures["monthly"]] == [0, 0, 5, 0, 0, 0]


def test_empty_period_has_no_rates_rather_than_a_division_by_zero(app):
    with app.app_context():
        figures = summary(db.session, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert figures["cases"]["closure_rate"]["rate"] is None
    assert figures["observations"]["coverage"] is None
    assert figures["scores"]["average"] is None
    assert figures["subsidies"]["paid"] == {"count": 0, "amount_fen": 0}


def test_summary_api_answers_with_every_figure(as_role):
    response = as_role("coordinator").get("/api/v1/reports/summary?from=2026-01-01&to=2026-06-30")
    assert response.status_code == 200
    body = response.get_json()
    assert {"cases", "observations", "satisfaction", "scores", "subsidies", "monthly"} <= set(body)


def test_finance_reads_subsidy_figures_only(as_role):
    body = as_role("finance").get("/api/v1/reports/summary").get_json()
    assert set(body) == {"from", "to", "subsidies"}


def test_providers_may_not_read_the_centres_figures(as_role):
    assert as_role("provider").get("/api/v1/reports/summary").status_code == 403


@pytest.mark.parametrize("query", ["from=2026-13-01", "from=2026-06-30&to=2026-01-01", "to=yesterday"])
def test_bad_periods_are_422(as_role, query):
    response = as_role("supervisor").get(f"/api/v1/reports/summary?{query}")
    assert response.status_code == 422 and response.get_json()["error"]["fields"]


def test_statistics_page_draws_the_monthly_charts(as_role):
    page = as_role("supervisor").get("/reports/summary?from=2026-01-01&to=2026-06-30").get_data(as_text=True)
    assert page.count('<svg class="chart"') == 2 and "2026-03" in page


def test_statistics_page_refuses_a_bad_date_without_a_500(as_role):
    assert as_role("supervisor").get("/reports/summary?from=nonsense").status_code == 422
