"""The reports at province scale (issue 16), on a generated set small enough for CI (PostgreSQL only):
the statistics summary and the fairness report read no large table sequentially (each statement is
served by an index, checked with sequential scans made prohibitively expensive), and run the same
number of statements at two data sizes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from legalaid.db import db
from tests.conftest import ON_POSTGRES, _reset_to_migrated_state
from tests.scale.conftest import generate_into
from tests.scale.test_explain import captured_selects, large_seq_scans, plans, statements_of

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="EXPLAIN plans of PostgreSQL")

BUSIEST_POOL = (
    "SELECT pool_id FROM assignment WHERE pool_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
)


def report_paths(pool_id: int) -> list[tuple[str, str]]:
    return [
        ("supervisor", "/reports/summary"),
        ("supervisor", "/reports/summary?from=2021-01-01"),
        ("supervisor", "/api/v1/reports/summary?from=2021-01-01"),
        ("finance", "/api/v1/reports/summary?from=2021-01-01"),
        ("coordinator", f"/reports/rotation?pool_id={pool_id}"),
        ("coordinator", f"/api/v1/reports/rotation?pool_id={pool_id}"),
        ("coordinator", f"/api/v1/reports/rotation?pool_id={pool_id}&from=2025-01-01&to=2025-12-31"),
        ("coordinator", f"/api/v1/reports/rotation.csv?pool_id={pool_id}"),
    ]


def test_the_reports_read_no_large_table_sequentially(app, as_role):
    generate_into(app, providers=60, cases=1200)
    with app.app_context():
        pool_id = db.session.scalar(sa.text(BUSIEST_POOL))
    clients = {role: as_role(role) for role in ("supervisor", "finance", "coordinator")}
    findings = []
    for who, path in report_paths(pool_id):
        selects = captured_selects(app, clients[who], path)
        for (statement, _), plan in zip(selects, plans(app, selects, no_sort=False), strict=True):
            if scans := large_seq_scans(plan) + (
                ["call_attempt"] if "Seq Scan on call_attempt" in plan else []
            ):
                findings.append(f"{path}: Seq Scan on {scans}\n{statement}\n{plan}")
    assert not findings, "\n\n".join(findings)


def test_the_reports_run_as_many_statements_at_two_sizes(app, as_role, count_queries):
    counts = []
    for cases in (300, 1500):
        _reset_to_migrated_state(app)
        generate_into(app, providers=40, cases=cases)
        with app.app_context():
            pool_id = db.session.scalar(sa.text(BUSIEST_POOL))
            assignments = db.session.scalar(
                sa.text("SELECT count(*) FROM assignment WHERE pool_id = :p"), {"p": pool_id}
            )
        clients = {role: as_role(role) for role in ("supervisor", "finance", "coordinator")}
        for client in clients.values():
            client.get("/")  # the first request of a sign-in reads the session once more
        counts.append(
            (
                assignments,
                [statements_of(clients[who], count_queries, path) for who, path in report_paths(pool_id)],
            )
        )
    (small_size, small), (large_size, large) = counts
    assert large_size > small_size  # the sizes differ where it matters
    assert small == large, counts
