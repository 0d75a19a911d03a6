"""Files prepared in the background through the API (issue 16, item 5): the job runs to done, its file
holds the direct export's rows, its progress is recorded as it goes, only the person who asked (and an
admin) sees it, and bad input is refused with the error contract."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from legalaid import clock, export_jobs
from legalaid.db import db
from tests.exports.conftest import csv_rows, error_of, fetch, xlsx_rows


def test_the_register_file_holds_the_direct_exports_rows(desk, run_to_end):
    job = run_to_end(desk, {"kind": "consultations", "format": "csv", "filters": {}})
    assert job["status"] == "done"
    assert job["rows_done"] == job["rows_total"] == 7
    assert job["download"] == f"/api/v1/exports/{job['id']}/file"
    status, mimetype, disposition, prepared = fetch(desk, job["download"])
    assert (status, mimetype) == (200, "text/csv")
    assert "filename=consultations.csv" in disposition
    direct = fetch(desk, "/api/v1/consultations/export?format=csv")[3]
    assert prepared == direct  # the same bytes: the same rows, the same cells
    rows = csv_rows(prepared)
    assert len(rows) == 8 and rows[1][8].startswith("'=1+2")  # formula-looking text stays text


def test_the_filters_are_those_of_the_direct_export(desk, run_to_end):
    today = clock.today().isoformat()
    filters = {"channel": "letter", "from": today, "to": today}
    job = run_to_end(desk, {"kind": "consultations", "format": "csv", "filters": filters})
    assert job["rows_total"] == 2 and job["filters"] == filters
    direct = fetch(desk, "/api/v1/consultations/export", query_string={"format": "csv", **filters})[3]
    assert fetch(desk, job["download"])[3] == direct


def test_the_xlsx_file_holds_the_direct_exports_rows(desk, run_to_end):
    job = run_to_end(desk, {"kind": "consultations", "format": "xlsx"})
    prepared = fetch(desk, job["download"])[3]
    assert prepared[:2] == b"PK"
    direct = fetch(desk, "/api/v1/consultations/export?format=xlsx")[3]
    assert xlsx_rows(prepared) == xlsx_rows(direct)
    assert len(xlsx_rows(prepared)) == 8


def test_the_archive_list_of_a_year(app, archived, as_role, run_to_end):
    archived(3)
    clerk = as_role("finance")
    year = clock.today().year
    job = run_to_end(clerk, {"kind": "archive_list", "format": "csv", "filters": {"year": year}})
    assert (job["status"], job["rows_done"], job["rows_total"]) == ("done", 3, 3)
    _status, _type, disposition, prepared = fetch(clerk, job["download"])
    assert f"archive-{year}.csv" in disposition
    direct = fetch(clerk, f"/api/v1/archives?format=csv&year={year}")[3]
    assert prepared == direct and len(csv_rows(prepared)) == 4
    other_year = run_to_end(clerk, {"kind": "archive_list", "format": "xlsx", "filters": {"year": year - 1}})
    assert other_year["rows_total"] == 0
    assert xlsx_rows(fetch(clerk, other_year["download"])[3]) == [export_columns()]


def export_columns():
    from supervision.subsidies.exports import ARCHIVE_COLUMNS

    return ARCHIVE_COLUMNS


def test_progress_is_written_as_the_rows_go(app, desk, run_to_end, monkeypatch):
    """Every PROGRESS_EVERY rows the count is committed (each time read back by another connection)."""
    monkeypatch.setattr(export_jobs, "PROGRESS_EVERY", 2)
    seen = []
    write = export_jobs._progress

    def watched(job_id, rows_done):
        write(job_id, rows_done)
        with db.engine.connect() as conn:  # what a page asking now would read
            table = export_jobs.ExportJob.__table__
            seen.append(
                tuple(conn.execute(sa.select(table.c.status, table.c.rows_done, table.c.rows_total)).one())
            )

    monkeypatch.setattr(export_jobs, "_progress", watched)
    job = run_to_end(desk, {"kind": "consultations", "format": "xlsx"})
    assert seen == [("running", 2, 7), ("running", 4, 7), ("running", 6, 7)]
    assert (job["status"], job["rows_done"]) == ("done", 7)


def test_someone_else_is_told_it_does_not_exist(app, desk, as_role, run_to_end):
    job = run_to_end(desk, {"kind": "consultations", "format": "csv"})
    other_clerk = as_role("desk")
    for path in (f"/api/v1/exports/{job['id']}", job["download"]):
        error_of(other_clerk.get(path), 404)
    assert other_clerk.get("/api/v1/exports").get_json() == {"items": [], "total": 0}
    assert other_clerk.get(f"/exports/{job['id']}").status_code == 404
    assert other_clerk.get(f"/exports/{job['id']}/download").status_code == 404
    admin = as_role("admin")
    assert admin.get(f"/api/v1/exports/{job['id']}").status_code == 200
    assert fetch(admin, job["download"])[0] == 200
    assert desk.get("/api/v1/exports").get_json()["total"] == 1


@pytest.mark.parametrize(
    ("role", "kind"),
    [("finance", "consultations"), ("provider", "consultations"), ("desk", "archive_list")],
)
def test_a_role_that_may_not_read_the_list_may_not_export_it(as_role, role, kind):
    error_of(as_role(role).post("/api/v1/exports", json={"kind": kind}), 403)


def test_signed_out_is_401(client):
    error_of(client.post("/api/v1/exports", json={"kind": "consultations"}), 401)
    error_of(client.get("/api/v1/exports/1"), 401)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "kind"),
        ({"kind": "bank_file"}, "kind"),
        ({"kind": "consultations", "format": "pdf"}, "format"),
        ({"kind": "consultations", "filters": "channel=letter"}, "filters"),
        ({"kind": "consultations", "filters": {"channel": "fax"}}, "filters.channel"),
        ({"kind": "consultations", "filters": {"from": "yesterday"}}, "filters.from"),
        ({"kind": "consultations", "filters": {"colour": "red"}}, "filters.colour"),
        ({"kind": "consultations", "filters": {"q": {"nested": [1]}}}, "filters.q"),
        ({"kind": "archive_list", "filters": {"year": 1066}}, "filters.year"),
        ({"kind": "archive_list", "filters": {"year": "MMXXVI"}}, "filters.year"),
    ],
)
def test_bad_input_is_422_naming_the_field(app, desk, body, field):
    error = error_of(desk.post("/api/v1/exports", json=body), 422)
    assert error["code"] == "invalid" and field in error["fields"], error
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(export_jobs.ExportJob)) == 0


def test_unknown_ids_are_404(desk):
    error_of(desk.get("/api/v1/exports/999999"), 404)
    error_of(desk.get("/api/v1/exports/999999/file"), 404)


def test_a_file_not_ready_is_409(app, desk):
    """Asked for, not yet written (its thread not started here): the file is refused, the job waits."""
    from legalaid.models import User

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username.like("desk%")))
        job = export_jobs.request_export(db.session, user, "consultations", "csv", {})
        db.session.commit()
        job_id = job.id
    answer = desk.get(f"/api/v1/exports/{job_id}").get_json()
    assert (answer["status"], answer["download"], answer["rows_total"]) == ("queued", None, None)
    error_of(desk.get(f"/api/v1/exports/{job_id}/file"), 409)


def test_every_state_change_and_download_is_audited(app, desk, run_to_end, runner):
    from legalaid.models import AuditEntry

    job = run_to_end(desk, {"kind": "consultations", "format": "csv"})
    fetch(desk, job["download"])
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.object_type == "export_job")
            .order_by(AuditEntry.seq)
        ).all()
    assert actions == ["export_job.request", "export_job.start", "export_job.done", "export_job.download"]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_the_document_describes_the_exports(client):
    document = client.get("/api/v1/openapi.json").get_json()
    post = document["paths"]["/api/v1/exports"]["post"]
    assert set(post["responses"]) >= {"201", "401", "403", "422"}
    body = document["components"]["schemas"]["ExportRequestBody"]
    assert body["properties"]["kind"]["enum"] == ["consultations", "archive_list"]
    one = document["paths"]["/api/v1/exports/{export_id}"]["get"]["responses"]["200"]
    schema = one["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Export"}
    export = document["components"]["schemas"]["Export"]
    assert {"status", "rows_done", "rows_total", "download"} <= set(export["required"])
