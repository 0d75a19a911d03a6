"""Files prepared in the background from the pages (issue 16, item 5): "Prepare the file" on the register
and the archive (a CSRF-protected post), the progress page that reloads itself while the file is
written, the download when done, failures in people's words, and the sweep: a job whose process died
is failed, a file older than a day removed."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from legalaid import clock, export_jobs
from legalaid.db import db
from legalaid.export_jobs import ExportJob, wait_for_exports
from tests.exports.conftest import csv_rows, error_of, fetch


def job_row(app, job_id):
    with app.app_context():
        return db.session.get(ExportJob, job_id)


def asked_job(app, username_like="desk%", **filters):
    """A job recorded for the first user named like ``username_like``, its thread not started."""
    from legalaid.models import User

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username.like(username_like)).order_by(User.id))
        job = export_jobs.request_export(db.session, user, "consultations", "csv", filters)
        db.session.commit()
        return job.id


def test_the_register_page_prepares_its_filtered_list(app, desk):
    page = desk.get("/consultations?channel=letter").get_data(as_text=True)
    assert 'id="prepare-file"' in page and 'name="channel" value="letter"' in page
    assert '<label for="prepare-format">' in page
    answer = desk.post(
        "/exports", data={"kind": "consultations", "format": "csv", "channel": "letter", "q": "", "page": "2"}
    )
    assert answer.status_code == 303
    job_id = int(re.search(r"/exports/(\d+)$", answer.headers["Location"]).group(1))
    wait_for_exports(app)
    job = job_row(app, job_id)
    assert (job.status, job.filters, job.rows_total) == ("done", {"channel": "letter"}, 2)
    done = desk.get(f"/exports/{job_id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in done
    assert "Ready" in done and 'id="export-download"' in done and "2 rows written." in done
    status, _type, disposition, data = fetch(desk, f"/exports/{job_id}/download")
    assert status == 200 and "consultations.csv" in disposition
    assert len(csv_rows(data)) == 3
    listed = desk.get("/exports").get_data(as_text=True)
    assert f'href="/exports/{job_id}"' in listed and "Consultation register" in listed and "2 of 2" in listed


def test_the_archive_page_prepares_the_year_shown(app, archived, as_role):
    archived(2)
    supervisor = as_role("supervisor")
    year = clock.today().year
    page = supervisor.get(f"/supervision/archive?year={year}").get_data(as_text=True)
    assert 'name="kind" value="archive_list"' in page and f'name="year" value="{year}"' in page
    answer = supervisor.post("/exports", data={"kind": "archive_list", "format": "xlsx", "year": str(year)})
    assert answer.status_code == 303
    wait_for_exports(app)
    job_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    job = job_row(app, job_id)
    assert (job.status, job.rows_done, job.filters) == ("done", 2, {"year": str(year)})


def test_a_running_job_shows_its_progress_and_reloads_itself(app, desk):
    job_id = asked_job(app)
    queued = desk.get(f"/exports/{job_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh"' in queued and "Waiting to start" in queued
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        job.status, job.rows_total, job.rows_done, job.beat_at = "running", 150_000, 45_000, clock.now()
        db.session.commit()
    running = desk.get(f"/exports/{job_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh"' in running and "Being prepared" in running
    assert re.search(r'<progress id="export-progress" max="150000" value="45000">', running)
    assert "45,000 of 150,000 rows written." in running
    assert '<label for="export-progress">' in running
    assert "<script" not in running.split("</header>", 1)[1]  # no script needed to follow it
    # Not done: the download says so in words, on the page.
    refused = desk.get(f"/exports/{job_id}/download")
    assert refused.status_code == 303
    assert "The file is not ready." in desk.get(refused.headers["Location"]).get_data(as_text=True)


def test_a_failed_job_says_so_in_words(app, desk, monkeypatch):
    def broken(session, filters):
        yield ["1"]
        raise RuntimeError("the disk is full")

    kind = export_jobs.export_kinds(app)["consultations"]
    monkeypatch.setitem(
        export_jobs.export_kinds(app), "consultations", type(kind)(**{**kind.__dict__, "rows": broken})
    )
    answer = desk.post("/exports", data={"kind": "consultations", "format": "csv"})
    wait_for_exports(app)
    job_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    job = job_row(app, job_id)
    assert (job.status, job.failure, job.file_name) == ("failed", "error", None)
    assert not list(export_jobs.folder(app).glob(f"{job_id}-*"))  # no half-written file left
    page = desk.get(f"/exports/{job_id}").get_data(as_text=True)
    assert "Failed" in page and "Something went wrong while the file was being prepared" in page
    assert 'http-equiv="refresh"' not in page and "export-download" not in page
    api = desk.get(f"/api/v1/exports/{job_id}").get_json()
    assert (api["status"], api["failure"], api["download"]) == ("failed", "error", None)
    assert api["message"].startswith("Something went wrong")
    error_of(desk.get(f"/api/v1/exports/{job_id}/file"), 409)


def test_a_job_whose_process_died_is_failed_on_the_next_request(app, desk):
    job_id = asked_job(app)
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        job.status, job.rows_total, job.rows_done = "running", 1000, 10
        job.beat_at = clock.now() - export_jobs.ABANDONED_AFTER - dt.timedelta(seconds=1)
        db.session.commit()
    page = desk.get(f"/exports/{job_id}").get_data(as_text=True)
    assert "Failed" in page and "The server stopped while the file was being prepared" in page
    assert job_row(app, job_id).failure == "interrupted"


def test_a_job_still_beating_is_left_running(app, desk):
    job_id = asked_job(app)
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        job.status, job.beat_at = (
            "running",
            clock.now() - export_jobs.ABANDONED_AFTER + dt.timedelta(minutes=1),
        )
        db.session.commit()
        assert export_jobs.sweep_exports(db.session) == {"interrupted": 0, "removed": 0}
    assert job_row(app, job_id).status == "running"


def test_the_scheduler_sweep_removes_files_after_a_day(app, desk, run_to_end, centre_clock):
    from supervision.scheduling.scheduler import run_sweeps

    job = run_to_end(desk, {"kind": "consultations", "format": "csv"})
    path = export_jobs.folder(app) / job_row(app, job["id"]).file_name
    assert path.exists()
    centre_clock.travel_to(clock.now() + dt.timedelta(hours=export_jobs.KEEP_HOURS - 1))
    with app.app_context():
        run_sweeps(db.session)
    assert path.exists()
    centre_clock.travel_to(clock.now() + dt.timedelta(hours=2))
    with app.app_context():
        run_sweeps(db.session)
    assert not path.exists() and job_row(app, job["id"]).removed_at is not None
    assert desk.get(f"/api/v1/exports/{job['id']}").get_json()["download"] is None
    error_of(desk.get(f"/api/v1/exports/{job['id']}/file"), 409)
    page = desk.get(f"/exports/{job['id']}").get_data(as_text=True)
    assert "The file was removed after 24 hours; prepare it again." in page


def test_the_form_needs_its_csrf_token(app, make_user):
    from tests.conftest import PASSWORD

    app.config["WTF_CSRF_ENABLED"] = True
    make_user(roles=("desk",), username="desk_csrf")
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post("/login", data={"username": "desk_csrf", "password": PASSWORD, "csrf_token": token})
    refused = client.post("/exports", data={"kind": "consultations", "format": "csv"})
    assert refused.status_code in (302, 303, 400)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportJob)) == 0
    page = client.get("/consultations").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.split('id="prepare-export"', 1)[1]).group(1)
    accepted = client.post("/exports", data={"kind": "consultations", "format": "csv", "csrf_token": token})
    assert accepted.status_code == 303
    wait_for_exports(app)


def test_a_page_post_with_bad_filters_records_nothing(app, desk):
    answer = desk.post("/exports", data={"kind": "consultations", "format": "csv", "channel": "fax"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/consultations")
    page = desk.get("/consultations").get_data(as_text=True)
    assert "The filters are not valid" in page
    for data in ({"kind": "bank_file", "format": "csv"}, {"kind": "consultations", "format": "pdf"}):
        assert desk.post("/exports", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ExportJob)) == 0


def test_the_migrations_make_the_table_the_model_describes(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(context, db.metadata)
        columns = {c["name"] for c in sa.inspect(conn).get_columns("export_job")}
    assert not [d for d in diff if "export_job" in repr(d)], diff
    assert {"user_id", "kind", "filters", "status", "rows_done", "rows_total", "file_name"} <= columns
    assert {"created_at", "finished_at", "beat_at"} <= columns


def test_a_long_read_does_not_hold_the_write_lock(app, desk):
    """The thread reads in its own transaction; the desk's writes (and the job's progress) go on."""
    with app.app_context():
        reader = export_jobs._reading_session()
        try:
            reader.execute(sa.text("SELECT count(*) FROM consultation")).scalar()  # the snapshot is taken
            job_id = asked_job(app)  # a write, committed, while the read stays open
            export_jobs._start(job_id, 7)
            export_jobs._progress(job_id, 5)
        finally:
            reader.close()
    assert (job_row(app, job_id).status, job_row(app, job_id).rows_done) == ("running", 5)


def test_a_register_longer_than_it_counts_is_only_prepared(app, desk, monkeypatch):
    """More consultations than the list counts: no direct download (it held a request for 12 s at
    500,000), only "Prepare the file"; a shorter list keeps both, and so does a text search."""
    from assignment import consultations_views
    from legalaid import listing

    short = desk.get("/consultations").get_data(as_text=True)
    assert 'id="export-csv"' in short and 'id="prepare-file"' in short and 'id="export-long"' not in short
    monkeypatch.setattr(listing, "COUNT_CAP", 1)
    monkeypatch.setattr(consultations_views, "PER_PAGE", 2)  # counted to 2 of the 7
    long = desk.get("/consultations").get_data(as_text=True)
    assert 'id="export-csv"' not in long and 'id="export-xlsx"' not in long
    assert 'id="export-long"' in long and 'id="prepare-file"' in long
    searched = desk.get("/consultations?q=wages").get_data(as_text=True)
    assert 'id="export-csv"' in searched
