"""The quality report and the scorer's worklist at province scale (issue 16), on a generated set small
enough for CI (PostgreSQL only): no statement of the report (page, API, CSV) or of the worklist reads
a large table sequentially (each is served by an index, checked with sequential scans made
prohibitively expensive; the scorers' drift joins the files to their sheets through
``ix_score_sheet_case_marks``), and each runs the same number of statements at two data sizes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from legalaid.db import db
from tests.conftest import ON_POSTGRES, _reset_to_migrated_state
from tests.scale.conftest import generate_into
from tests.scale.test_explain import captured_selects, large_seq_scans, plans, statements_of

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="EXPLAIN plans of PostgreSQL")

# Sheets are one or more a closed file: as large as the files.
LARGE = ("score_sheet",)
FIRST_FINAL = "SELECT min(finalised_on) FROM score_file WHERE status = 'final'"


def quality_paths(since) -> list[str]:
    return [
        "/scoring/quality",
        "/scoring/quality?sort=name&page=2",
        f"/scoring/quality?date_from={since}",
        "/api/v1/reports/quality",
        f"/api/v1/reports/quality?from={since}&sort=-fail&per_page=5&page=2",
        f"/api/v1/reports/quality?from={since}&format=csv",
        "/scoring/quality.csv",
        "/scoring/",
        "/scoring/?status=open&page=2",
    ]


def test_the_quality_report_and_worklist_read_no_large_table_sequentially(app, as_role):
    generate_into(app, providers=60, cases=1200)
    with app.app_context():
        since = db.session.scalar(sa.text(FIRST_FINAL))
    supervisor = as_role("supervisor", "admin")
    findings = []
    for path in quality_paths(since):
        selects = captured_selects(app, supervisor, path)
        assert selects, path
        for (statement, _), plan in zip(selects, plans(app, selects, no_sort=False), strict=True):
            scans = large_seq_scans(plan) + [t for t in LARGE if f"Seq Scan on {t}" in plan]
            if scans:
                findings.append(f"{path}: Seq Scan on {scans}\n{statement}\n{plan}")
    assert not findings, "\n\n".join(findings)


def test_the_quality_report_and_worklist_run_as_many_statements_at_two_sizes(app, as_role, count_queries):
    counts = []
    for cases in (300, 1500):
        _reset_to_migrated_state(app)
        generate_into(app, providers=40, cases=cases)
        with app.app_context():
            since = db.session.scalar(sa.text(FIRST_FINAL))
            files = db.session.scalar(sa.text("SELECT count(*) FROM score_file"))
        supervisor = as_role("supervisor", "admin")
        supervisor.get("/")  # the first request of a sign-in reads the session once more
        counts.append((files, [statements_of(supervisor, count_queries, p) for p in quality_paths(since)]))
    (small_size, small), (large_size, large) = counts
    assert large_size > small_size  # the sizes differ where it matters
    assert small == large, counts
