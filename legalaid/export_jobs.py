"""Exports prepared in the background (issue 16): a large file (the consultation register, a year's
archive list) is asked for, written by a thread of the process that took the request, and downloaded
when it is done, instead of holding a request open for 2-18 seconds.

A job is a row: who asked, what (the kind and its filters as JSON), its status (queued → running →
done | failed), the rows written of the rows expected, the file's name under the instance folder's
``exports/``. The thread reads the rows in one read-only transaction (the count and the rows from one
snapshot) and writes its progress every ``PROGRESS_EVERY`` rows in short transactions of its own.

The areas declare what may be exported (``ExportKind``, through ``legalaid.hooks.add_export_kind``):
the same row generator and columns as their direct export, so the file holds the same rows. The shell
knows no area: only the kinds they registered.

A job whose process died (a worker restarted mid-file) stops beating; the sweep (the scheduler's
minute, and the next request to the exports pages) marks it failed. Files are kept ``KEEP_HOURS``,
then removed by the same sweep."""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import marshmallow as ma
import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, Session, mapped_column

from legalaid import audit, clock
from legalaid.db import UTCDateTime, db, is_sqlite, one_of
from legalaid.errors import Forbidden, Invalid, NotAllowed, NotFound, say

log = logging.getLogger(__name__)

STATUSES = ("queued", "running", "done", "failed")
FORMATS = ("csv", "xlsx")
# Why a job failed, as a code; pages say it in words (FAILURE_WORDS).
FAILURES = ("interrupted", "error")
PROGRESS_EVERY = 5000  # rows between two progress writes (~0.1 s of writing)
# A running job beats at least every PROGRESS_EVERY rows; one silent this long lost its process.
ABANDONED_AFTER = dt.timedelta(minutes=10)
KEEP_HOURS = 24
FOLDER = "exports"


class ExportJob(db.Model):
    """One file asked for: its status and progress, and the file once written."""

    __tablename__ = "export_job"
    __table_args__ = (
        one_of("status", STATUSES, "status_known"),
        one_of("format", FORMATS, "format_known"),
        sa.Index("ix_export_job_user", "user_id", "id"),
        sa.Index("ix_export_job_open", "status", "beat_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    format: Mapped[str] = mapped_column(sa.String(10))
    filters: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(20), default="queued")
    rows_done: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    rows_total: Mapped[int | None] = mapped_column(sa.BigInteger)
    file_name: Mapped[str | None] = mapped_column(sa.String(120))
    failure: Mapped[str | None] = mapped_column(sa.String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    beat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class ExportKind:
    """What an area lets people export in the background.

    ``filters``: the schema of the filters (the direct export's query arguments, by their API names);
    ``count(session, filters)`` and ``rows(session, filters)`` take the loaded filters; ``rows`` is
    the direct export's own row generator, so both files hold the same rows."""

    name: str
    label: Callable[[], str]
    readers: tuple[str, ...]
    filters: type[ma.Schema]
    columns: list[str]
    count: Callable[[Session, dict], int]
    rows: Callable[[Session, dict], Iterator[list]]
    stem: Callable[[dict], str]
    page: str | None = None  # the endpoint of the page the export is asked from
    money_columns: tuple[str, ...] = field(default_factory=tuple)


def export_kinds(app: Flask | None = None) -> dict[str, ExportKind]:
    from legalaid.hooks import registry

    return registry(app).export_kinds


def kind_of(name: str) -> ExportKind:
    kind = export_kinds().get(name)
    if kind is None:
        raise Invalid(say("Not a kind of export."), fields={"kind": [say("Not a kind of export.")]})
    return kind


def load_filters(kind: ExportKind, filters: dict, *, unknown: str = ma.RAISE) -> dict:
    """The filters as the kind's row functions take them; 422 naming ``filters.<name>`` when not valid."""
    try:
        return kind.filters(unknown=unknown).load(filters)
    except ma.ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ma.ValidationError({"filters": messages}) from exc


# --- the transitions ---


def request_export(session: Session, actor, kind_name: str, fmt: str, filters: dict) -> ExportJob:
    """Record a job (queued) for ``actor``; the caller commits, then ``start_export`` runs it."""
    kind = kind_of(kind_name)
    if actor is not None and not actor.has_role(*kind.readers):
        raise Forbidden(say("Your role does not allow this."))
    if fmt not in FORMATS:
        problem = say("One of %(choices)s.", choices=", ".join(FORMATS))
        raise Invalid(problem, fields={"format": [problem]})
    load_filters(kind, filters)  # refused now, not in the thread
    job = ExportJob(
        user_id=actor.id, kind=kind.name, format=fmt, filters=dict(filters), status="queued", rows_done=0
    )
    session.add(job)
    session.flush()
    audit.record(
        session, actor, "export_job.request", "export_job", job.id, None,
        {"kind": kind.name, "format": fmt, "filters": job.filters, "status": "queued"},
    )  # fmt: skip
    return job


def get_export(session: Session, actor, job_id: int) -> ExportJob:
    """The job, for the person who asked for it or an admin; anyone else is told it does not exist."""
    job = session.get(ExportJob, job_id)
    if job is None or not (actor is None or job.user_id == actor.id or actor.has_role("admin")):
        raise NotFound(say("No such export."))
    return job


def exports_of(actor) -> sa.Select:
    """The person's own jobs, newest first."""
    return sa.select(ExportJob).where(ExportJob.user_id == actor.id).order_by(ExportJob.id.desc())


def export_file(session: Session, actor, job_id: int) -> tuple[ExportJob, Path]:
    """The finished file, to send; the download is audited (the file leaves the service)."""
    job = get_export(session, actor, job_id)
    if job.status != "done":
        raise NotAllowed(say("The file is not ready."))
    path = file_path(job)
    if job.removed_at is not None or path is None or not path.exists():
        raise NotAllowed(
            say("The file was removed after %(hours)s hours; prepare it again.", hours=KEEP_HOURS)
        )
    audit.record(
        session, actor, "export_job.download", "export_job", job.id, None,
        {"kind": job.kind, "format": job.format, "rows": job.rows_done},
    )  # fmt: skip
    return job, path


def download_name(job: ExportJob) -> str:
    kind = export_kinds().get(job.kind)
    stem = kind.stem(load_filters(kind, job.filters, unknown=ma.EXCLUDE)) if kind else job.kind
    return f"{stem}.{job.format}"


def folder(app: Flask | None = None) -> Path:
    """Where the files are written: ``EXPORT_FOLDER``, by default the instance folder's ``exports/``
    (on one host: the worker that wrote a file may not be the one asked for it, but shares the disk)."""
    app = app or current_app
    return Path(app.config.get("EXPORT_FOLDER") or Path(app.instance_path) / FOLDER)


def file_path(job: ExportJob, app: Flask | None = None) -> Path | None:
    return folder(app) / job.file_name if job.file_name else None


# --- the thread ---


def start_export(job_id: int, app: Flask | None = None) -> threading.Thread:
    """Run the job in a daemon thread of this process (gunicorn's sync worker goes on serving)."""
    app = app or current_app._get_current_object()
    thread = threading.Thread(target=run_export, args=(app, job_id), name=f"export-{job_id}", daemon=True)
    app.extensions.setdefault("export_threads", []).append(thread)
    thread.start()
    return thread


def wait_for_exports(app: Flask, timeout: float = 60) -> None:
    """Until every export thread this app started has ended (tests; a clean shutdown)."""
    for thread in list(app.extensions.get("export_threads", ())):
        thread.join(timeout)
    app.extensions["export_threads"] = [t for t in app.extensions.get("export_threads", ()) if t.is_alive()]


def run_export(app: Flask, job_id: int) -> None:
    """Write the job's file; any failure is recorded on the job, never raised out of the thread."""
    with app.app_context():
        try:
            write_export(db.session, job_id)
        except Exception:
            log.exception("export %s failed", job_id)
            db.session.rollback()
            try:
                _finish(job_id, "failed", failure="error")
            except Exception:  # the database itself is gone: the sweep will mark it
                log.exception("export %s: could not record the failure", job_id)
        finally:
            db.session.remove()


def _reading_session() -> Session:
    """A session for the long read: on SQLite a plain (deferred) transaction, which reads a snapshot
    of the WAL without taking the single write lock (``legalaid.db``: every other transaction is
    ``BEGIN IMMEDIATE``), so the desk keeps writing while a file is written; on PostgreSQL a
    read-only repeatable-read transaction, so the count and the rows come from one snapshot."""
    session = Session(db.engine)
    if is_sqlite(db.engine):
        session.connection(execution_options={"sqlite_read_only": True})
    else:
        session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
    return session


def write_export(session: Session, job_id: int) -> None:
    job = session.get(ExportJob, job_id)
    if job is None or job.status != "queued":
        return
    kind = kind_of(job.kind)
    filters = load_filters(kind, job.filters, unknown=ma.EXCLUDE)
    fmt, name = job.format, f"{job.id}-{secrets.token_hex(8)}.{job.format}"
    session.rollback()
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    part = target / (name + ".part")
    reader = _reading_session()
    try:
        total = kind.count(reader, filters)
        _start(job_id, total)
        rows = _Progress(kind.rows(reader, filters), job_id)
        try:
            with open(part, "wb") as out:
                if fmt == "xlsx":
                    from legalaid.xlsx_stream import xlsx_stream_file

                    xlsx_stream_file(kind.name, kind.columns, rows, kind.money_columns, out=out)
                else:
                    from legalaid.exports import csv_stream

                    for chunk in csv_stream(kind.columns, rows):
                        out.write(chunk.encode())
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        finally:
            rows.close()
    finally:
        reader.close()
    os.replace(part, target / name)
    _finish(job_id, "done", rows_done=rows.n, file_name=name)


class _Progress:
    """The rows as they pass, the count written every PROGRESS_EVERY rows (the job's heartbeat)."""

    def __init__(self, rows: Iterator[list], job_id: int):
        self.rows, self.job_id, self.n = rows, job_id, 0

    def __iter__(self):
        for row in self.rows:
            self.n += 1
            if self.n % PROGRESS_EVERY == 0:
                _progress(self.job_id, self.n)
            yield row

    def close(self) -> None:
        """Close the streaming cursor at once (a file given up halfway)."""
        close = getattr(self.rows, "close", None)
        if close:
            close()


_TABLE = ExportJob.__table__


def _write(values: dict, job_id: int, *, from_status: tuple[str, ...]) -> int:
    """One short transaction of its own (the thread's reading transaction stays open beside it)."""
    with db.engine.begin() as conn:
        return conn.execute(
            sa.update(_TABLE).where(_TABLE.c.id == job_id, _TABLE.c.status.in_(from_status)).values(**values)
        ).rowcount


def _progress(job_id: int, rows_done: int) -> None:
    _write({"rows_done": rows_done, "beat_at": clock.now()}, job_id, from_status=("running",))


def _start(job_id: int, rows_total: int) -> None:
    now = clock.now()
    with Session(db.engine) as session:
        job = session.get(ExportJob, job_id)
        job.status, job.rows_total, job.started_at, job.beat_at = "running", rows_total, now, now
        audit.record(
            session, job.user_id, "export_job.start", "export_job", job_id,
            {"status": "queued"}, {"status": "running", "rows_total": rows_total},
        )  # fmt: skip
        session.commit()


def _finish(job_id: int, status: str, *, failure: str | None = None, **values) -> bool:
    """queued/running → done or failed, audited; False when the job had already ended (the sweep
    marked it failed first: it stays failed)."""
    now = clock.now()
    with Session(db.engine) as session:
        job = session.scalars(
            sa.select(ExportJob).where(ExportJob.id == job_id).with_for_update()
        ).one_or_none()
        if job is None or job.status not in ("queued", "running"):
            return False
        before = {"status": job.status, "rows_done": job.rows_done}
        job.status, job.failure, job.finished_at, job.beat_at = status, failure, now, now
        for name, value in values.items():
            setattr(job, name, value)
        audit.record(
            session, None if status == "failed" and failure == "interrupted" else job.user_id,
            f"export_job.{'done' if status == 'done' else 'fail'}", "export_job", job_id, before,
            {"status": status, "rows_done": job.rows_done, "failure": failure},
        )  # fmt: skip
        session.commit()
        return True


# --- the sweep ---


def sweep_exports(session: Session, now: dt.datetime | None = None) -> dict:
    """Jobs whose process stopped beating are failed (``interrupted``); files older than KEEP_HOURS
    are removed. Run by the scheduler's minute sweep and on requests to the exports pages. Commits."""
    now = now or clock.now()
    silent = now - ABANDONED_AFTER
    lost = session.scalars(
        sa.select(ExportJob.id).where(
            ExportJob.status.in_(("queued", "running")),
            sa.func.coalesce(ExportJob.beat_at, ExportJob.created_at) < silent,
        )
    ).all()
    session.rollback()
    failed = sum(_finish(job_id, "failed", failure="interrupted") for job_id in lost)
    expired = session.scalars(
        sa.select(ExportJob)
        .where(
            ExportJob.status == "done",
            ExportJob.removed_at.is_(None),
            ExportJob.finished_at < now - dt.timedelta(hours=KEEP_HOURS),
        )
        # Two sweeps at once (the scheduler's and a page's): each file removed and audited once.
        .with_for_update(skip_locked=True)
    ).all()
    for job in expired:
        path = file_path(job)
        if path is not None:
            path.unlink(missing_ok=True)
        job.removed_at = now
        audit.record(session, None, "export_job.remove", "export_job", job.id, None, {"file": job.file_name})
    session.commit()
    return {"interrupted": failed, "removed": len(expired)}


# --- people's words ---

STATUS_WORDS = {
    "queued": _l("Waiting to start"),
    "running": _l("Being prepared"),
    "done": _l("Ready"),
    "failed": _l("Failed"),
}
FAILURE_WORDS = {
    "interrupted": _l(
        "The server stopped while the file was being prepared (a restart, for example). Prepare it again."
    ),
    "error": _l(
        "Something went wrong while the file was being prepared; it has been logged. Prepare it again."
    ),
}
FORMAT_WORDS = {"csv": "CSV", "xlsx": "XLSX"}
XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def dump_export(job: ExportJob, download: str | None) -> dict:
    """A job as the API gives it (``download``: the file's URL once it is done and kept)."""
    return {
        "id": job.id,
        "kind": job.kind,
        "format": job.format,
        "filters": job.filters,
        "status": job.status,
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "download": download if job.status == "done" and job.removed_at is None else None,
        "failure": job.failure,
        "message": str(FAILURE_WORDS[job.failure]) if job.failure in FAILURE_WORDS else None,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }
