"""Issue 16's done-when, on a generated set small enough for CI (PostgreSQL only):

* every statement the fixed lists run is EXPLAINed with sequential scans and sorts made prohibitively
  expensive (``enable_seqscan``/``enable_sort`` off: the planner still uses them when no index
  serves), so a list whose query no index serves fails here as it would at a million rows;
* the batch page and the archive page run the same number of statements at two data sizes.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from legalaid.db import db
from tests.conftest import ON_POSTGRES, _reset_to_migrated_state
from tests.scale.conftest import generate_into

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="EXPLAIN plans of PostgreSQL")

# Tables that grow with the centre's history: a sequential scan of any of them is a finding.
LARGE = (
    "legal_case",
    "assignment",
    "archive_record",
    "subsidy",
    "payment_batch_item",
    "case_closing",
    "score_file",
    "follow_up_call",
    "hearing",
    "consultation",
)
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


def captured_selects(app, client, path: str) -> list[tuple[str, object]]:
    """The SELECT statements (with their parameters) one request runs."""
    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        response = client.get(path)
        response.get_data()
        response.close()
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    assert response.status_code == 200, (path, response.status_code)
    return seen


def plans(app, selects, *, no_sort: bool) -> list[str]:
    out = []
    with app.app_context(), db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            if no_sort:
                cursor.execute("SET enable_sort = off")
            for statement, parameters in selects:
                cursor.execute("EXPLAIN " + statement, parameters)
                out.append("\n".join(row[0] for row in cursor.fetchall()))
        raw.rollback()
    return out


def large_seq_scans(plan: str) -> list[str]:
    return [table for table in SEQ_SCAN.findall(plan) if table in LARGE]


@pytest.fixture
def centre(app, as_role):
    generate_into(app, providers=60, cases=1200)
    with app.app_context():
        values = db.session.execute(
            sa.text(
                "SELECT (SELECT id FROM payment_batch ORDER BY count DESC LIMIT 1), "
                "(SELECT max(year) FROM archive_record), "
                "(SELECT applicant_name FROM legal_case WHERE char_length(applicant_name) = 2 LIMIT 1), "
                "(SELECT applicant_phone FROM legal_case LIMIT 1), "
                "(SELECT number FROM legal_case ORDER BY id DESC LIMIT 1)"
            )
        ).one()
    return {
        "batch": values[0],
        "year": values[1],
        "name": values[2],
        "phone": values[3],
        "number": values[4],
        "finance": as_role("finance"),
        "supervisor": as_role("supervisor"),
        "coordinator": as_role("coordinator"),
        "desk": as_role("desk"),
    }


# (who, path, whether the list's own order must come from an index: no Sort node at all)
def requests(c):
    return [
        ("finance", f"/finance/batches/{c['batch']}", False),
        ("finance", f"/finance/batches/{c['batch']}?page=3", False),
        ("finance", f"/api/v1/payment-batches/{c['batch']}?page=2&per_page=20", False),
        ("finance", f"/api/v1/payment-batches/{c['batch']}/export?format=csv", False),
        ("supervisor", "/api/v1/archives?page=3&per_page=20", True),
        ("supervisor", f"/api/v1/archives?year={c['year']}&page=2&per_page=20", True),
        ("supervisor", f"/api/v1/archives?year={c['year']}&format=csv", True),
        ("supervisor", "/supervision/archive?page=2", False),
        ("coordinator", "/api/v1/cases?page=3", True),
        ("coordinator", "/api/v1/cases?status=archived&page=2", True),
        ("coordinator", f"/api/v1/cases?q={c['name']}", False),
        ("coordinator", f"/api/v1/cases?q={c['phone'][:7]}", False),
        ("coordinator", f"/api/v1/cases?q={c['number'][:9]}", False),
        ("supervisor", "/scoring/", False),  # the files being marked, counted by stage
    ]


def test_no_list_scans_a_large_table_or_sorts_what_an_index_orders(app, centre):
    findings = []
    for who, path, ordered in requests(centre):
        selects = captured_selects(app, centre[who], path)
        assert selects, path
        for (statement, _), plan in zip(selects, plans(app, selects, no_sort=ordered), strict=True):
            scans = large_seq_scans(plan)
            if scans:
                findings.append(f"{path}: Seq Scan on {scans}\n{statement}\n{plan}")
            if ordered and "LIMIT" in statement and "count(" not in statement and "Sort" in plan:
                findings.append(f"{path}: its order is sorted, not read from an index\n{statement}\n{plan}")
    assert not findings, "\n\n".join(findings)


def statements_of(client, count_queries, path: str) -> int:
    """The statements one request runs (read whole, closed): the same at two data sizes is the test."""
    with count_queries() as counter:
        response = client.get(path)
        response.get_data()
        response.close()
    assert response.status_code == 200, path
    return counter.count


def test_batch_and_archive_pages_run_as_many_statements_at_two_sizes(app, as_role, count_queries):
    counts = []
    for cases in (300, 1500):
        _reset_to_migrated_state(app)
        generate_into(app, providers=40, cases=cases)
        with app.app_context():
            batch = db.session.scalar(sa.text("SELECT id FROM payment_batch ORDER BY count DESC LIMIT 1"))
            items = db.session.scalar(sa.text("SELECT max(count) FROM payment_batch"))
        finance, supervisor = as_role("finance"), as_role("supervisor")
        counts.append(
            (
                items,
                statements_of(finance, count_queries, f"/finance/batches/{batch}"),
                statements_of(finance, count_queries, f"/api/v1/payment-batches/{batch}"),
                statements_of(supervisor, count_queries, "/supervision/archive"),
                statements_of(supervisor, count_queries, "/api/v1/archives"),
            )
        )
    (small_items, *small), (large_items, *large) = counts
    assert large_items > small_items  # the sizes differ where it matters
    assert small == large, counts


def test_a_callers_earlier_cases_are_sought_by_both_phones(app, centre):
    """The desk's "earlier" of a caller reads the cases by applicant's or contact's phone through
    their indexes (a BitmapOr), not by walking an index of the list's order through every case
    (which the sequential-scan check above cannot tell from a list's walk)."""
    path = f"/desk/earlier?phone={centre['phone']}"
    selects = [s for s in captured_selects(app, centre["desk"], path) if "FROM legal_case" in s[0]]
    assert selects, path
    for plan in plans(app, selects, no_sort=False):
        assert "Index Cond: ((contact_phone)" in plan and "Index Cond: ((applicant_phone)" in plan, plan
