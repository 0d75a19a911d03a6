"""The reconciliation at province scale (issue 16): on a generated set small enough for CI (PostgreSQL
only) its statements read the paid money off ``ix_subsidy_money`` (no large table read sequentially)
and the page and API run the same number of statements at two data sizes; on both databases the page
shows a period (by default last month and this month) and one page of the providers, with the same
figures as the API's."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.db import db
from supervision.subsidies import exports
from tests.conftest import ON_POSTGRES, _reset_to_migrated_state
from tests.scale.conftest import generate_into
from tests.scale.test_explain import captured_selects, large_seq_scans, plans, statements_of
from tests.subsidies.conftest import (  # noqa: F401
    default_rates,
    make_case,
    make_provider_here,
    payable,
    staff,
    subsidy_of,
)

postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="EXPLAIN plans of PostgreSQL")
PAID = "SELECT min(paid_on), max(paid_on) FROM subsidy WHERE status = 'paid'"


def paths(first, last) -> list[str]:
    return [
        "/finance/reconciliation",
        f"/finance/reconciliation?date_from={first}&date_to={last}&page=2",
        f"/api/v1/reports/subsidies?from={first}&to={last}",
    ]


@postgres_only
def test_the_reconciliation_reads_no_large_table_sequentially(app, as_role):
    generate_into(app, providers=60, cases=1200)
    with app.app_context():
        first, last = db.session.execute(sa.text(PAID)).one()
    finance = as_role("finance")
    findings = []
    for path in paths(first, last):
        selects = captured_selects(app, finance, path)
        assert selects, path
        for (statement, _), plan in zip(selects, plans(app, selects, no_sort=False), strict=True):
            if scans := large_seq_scans(plan):
                findings.append(f"{path}: Seq Scan on {scans}\n{statement}\n{plan}")
    assert not findings, "\n\n".join(findings)


@postgres_only
def test_the_reconciliation_runs_as_many_statements_at_two_sizes(app, as_role, count_queries):
    counts = []
    for cases in (300, 1500):
        _reset_to_migrated_state(app)
        generate_into(app, providers=40, cases=cases)
        with app.app_context():
            first, last = db.session.execute(sa.text(PAID)).one()
            paid = db.session.scalar(sa.text("SELECT count(*) FROM subsidy WHERE status = 'paid'"))
        finance = as_role("finance")
        finance.get("/")  # the first request of a sign-in reads the session once more
        counts.append((paid, [statements_of(finance, count_queries, p) for p in paths(first, last)]))
    (small_size, small), (large_size, large) = counts
    assert large_size > small_size  # the sizes differ where it matters
    assert small == large, counts


@pytest.fixture
def paid(session, payable, staff):  # noqa: F811
    """paid(n, paid_on) -> ids of n subsidies (each its own provider's) paid in one batch, dated
    ``paid_on`` (a bank pays a batch on or after its day: an earlier date is written afterwards)."""
    from supervision.subsidies.batches import confirm_batch, create_payment_batch
    from supervision.subsidies.models import Subsidy

    def make(n, paid_on):
        ids = payable(n)
        clerk = staff("finance")
        batch = create_payment_batch(session, clerk, ids)
        confirm_batch(session, clerk, batch.id, bank_reference=f"B{paid_on}", paid_on=clock.today())
        session.execute(sa.update(Subsidy).where(Subsidy.id.in_(ids)).values(paid_on=paid_on))
        session.commit()
        return ids

    return make


def test_the_page_shows_a_period_and_a_page_of_the_providers(app, session, paid, as_role):
    finance = as_role("finance")
    today = clock.today()
    long_ago = (today.replace(day=1) - dt.timedelta(days=70)).replace(day=1)
    paid(3, today)
    paid(1, long_ago + dt.timedelta(days=3))
    whole = exports.reconciliation(session)
    session.rollback()
    assert len(whole["by_provider"]) == 4 and whole["paid_total_fen"] > 0
    app.config["LIST_PAGE_SIZE"] = 2
    try:
        first = finance.get("/finance/reconciliation")
        second = finance.get("/finance/reconciliation?page=2")
        past = finance.get("/finance/reconciliation?page=99")
        year = finance.get(f"/finance/reconciliation?date_from={long_ago}&date_to={today}")
    finally:
        app.config["LIST_PAGE_SIZE"] = 50
    assert first.status_code == second.status_code == past.status_code == year.status_code == 200
    first, second, past = (r.get_data(as_text=True) for r in (first, second, past))
    # By default last month and this month: the payment of long ago is not in it.
    assert today.isoformat() in first and long_ago.isoformat()[:7] not in first
    assert "Page 1 of 2" in first and 'id="reconciliation-providers-next"' in first
    assert "Page 2 of 2" in second and "Page 2 of 2" in past
    table = second.split('id="reconciliation-providers"')[1].split("</table>")[0]
    assert table.count("<tr>") == 2  # the header and the third provider
    assert long_ago.isoformat()[:7] in year.get_data(as_text=True)


def test_the_page_and_api_agree_and_a_bad_date_is_refused(session, paid, as_role):
    finance = as_role("finance")
    today = clock.today()
    paid(2, today)
    since = today.replace(day=1)
    api = finance.get(f"/api/v1/reports/subsidies?from={since}&to={today}").get_json()
    figures = exports.reconciliation(session, since, today, page=1, per_page=50)
    session.rollback()
    assert figures["providers_total"] == 2 and figures["page"] == 1
    for key in ("by_month", "by_organization", "by_provider", "outstanding", "paid_total_fen"):
        assert figures[key] == api[key], key
    assert finance.get("/finance/reconciliation?date_from=2026-13-40").status_code == 422
    assert finance.get("/finance/reconciliation?page=abc").status_code == 400


def test_the_api_reads_the_pages_period_and_a_page_of_the_providers(session, paid, as_role):
    """Without ``from``/``to`` the API answers the page's default period (all time over 777,000 paid
    subsidies took 300 ms and 830 KB) and says which; the providers come a page at a time."""
    finance = as_role("finance")
    today = clock.today()
    long_ago = (today.replace(day=1) - dt.timedelta(days=70)).replace(day=1)
    paid(3, today)
    paid(1, long_ago + dt.timedelta(days=3))
    start, end = exports.default_period(None, None)
    default = finance.get("/api/v1/reports/subsidies?per_page=2").get_json()
    assert (default["from"], default["to"]) == (start.isoformat(), end.isoformat())
    assert default["providers_total"] == 3 and len(default["by_provider"]) == 2 and default["page"] == 1
    last = finance.get("/api/v1/reports/subsidies?per_page=2&page=9").get_json()
    assert last["page"] == 2 and len(last["by_provider"]) == 1
    ids = {p["provider_id"] for p in default["by_provider"] + last["by_provider"]}
    assert len(ids) == 3
    since = finance.get(f"/api/v1/reports/subsidies?from={long_ago}&per_page=500").get_json()
    assert since["providers_total"] == 4 and since["to"] is None
    assert since["paid_total_fen"] > default["paid_total_fen"]
    for bad in ("per_page=0", "per_page=501", "page=0", "page=x"):
        answer = finance.get(f"/api/v1/reports/subsidies?{bad}")
        assert answer.status_code == 422 and "page" in str(answer.get_json()), bad
