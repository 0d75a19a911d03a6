"""JSON API of the files prepared in the background (issue 16): ask for one, follow its progress,
download it. Thin: validate, call ``legalaid.export_jobs``, commit, dump."""

from __future__ import annotations

from flask import jsonify, send_file, url_for
from flask_login import current_user

from legalaid import export_jobs
from legalaid.api import api_blueprint, paginate, use_body
from legalaid.auth import login_required
from legalaid.db import db
from legalaid.openapi import (
    ANY_OBJECT,
    CSV,
    DATETIME,
    ID,
    INTEGER,
    STRING,
    XLSX,
    named,
    nullable,
    obj,
    one_of,
    page_of,
    responds,
)
from legalaid.schemas import ExportRequestSchema

bp = api_blueprint("export_api", __name__)

EXPORT = named(
    "Export",
    obj(
        {
            "id": ID,
            "kind": STRING,
            "format": one_of(export_jobs.FORMATS),
            "status": one_of(export_jobs.STATUSES),
            "rows_done": INTEGER,
            "rows_total": nullable(INTEGER),
            "download": nullable(STRING),
            "created_at": DATETIME,
        },
        {
            "filters": ANY_OBJECT,
            "failure": one_of(export_jobs.FAILURES, null=True),
            "message": nullable(STRING),
            "finished_at": nullable(DATETIME),
        },
    ),
)
MEDIA = {"csv": CSV, "xlsx": XLSX}


def dump(job) -> dict:
    return export_jobs.dump_export(job, url_for("export_api.export_file", export_id=job.id))


@bp.post("/exports")
@login_required
@use_body(ExportRequestSchema)
@responds(201, EXPORT, errors=(403,), creates="export_id")
def request_export(body):
    """Prepare a file in the background: ``kind`` (``consultations``: the consultation register;
    ``archive_list``: the archive list) as CSV or XLSX, with the filters of its direct export. Follow
    ``GET /exports/{export_id}`` until ``status`` is ``done``, then download ``download``."""
    job = export_jobs.request_export(db.session, current_user, body["kind"], body["format"], body["filters"])
    answer = dump(job)  # before the commit: no transaction of this request is open while the thread starts
    db.session.commit()
    export_jobs.start_export(answer["id"])
    return jsonify(answer), 201


@bp.get("/exports")
@login_required
@responds(200, page_of(EXPORT))
def list_exports():
    """The files the signed-in person asked for, newest first."""
    export_jobs.sweep_exports(db.session)
    return jsonify(paginate(db.session, export_jobs.exports_of(current_user), dump))


@bp.get("/exports/<int:export_id>")
@login_required
@responds(200, EXPORT)
def read_export(export_id):
    """One file being prepared: ``status`` (queued, running, done, failed), ``rows_done`` of
    ``rows_total``, and ``download`` once done. Only the person who asked (and an admin) sees it."""
    export_jobs.sweep_exports(db.session)
    return jsonify(dump(export_jobs.get_export(db.session, current_user, export_id)))


@bp.get("/exports/<int:export_id>/file")
@login_required
@responds(200, None, media=(CSV, XLSX), errors=(409,))
def export_file(export_id):
    """The prepared file (kept 24 hours); not done yet, or removed → 409. The download is audited."""
    job, path = export_jobs.export_file(db.session, current_user, export_id)
    name = export_jobs.download_name(job)
    db.session.commit()
    return send_file(path, mimetype=MEDIA[job.format], as_attachment=True, download_name=name)
