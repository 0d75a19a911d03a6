"""Pages of the files prepared in the background (issue 16): "prepare the file" on the consultation
register and the archive, the person's list of files, one file's progress (the page reloads itself
while the file is written) and its download. Thin: each calls ``legalaid.export_jobs``."""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from legalaid import export_jobs, listing
from legalaid.auth import login_required
from legalaid.db import db
from legalaid.errors import DomainError

bp = Blueprint("export_pages", __name__)

PER_PAGE = 20
REFRESH_SECONDS = 3


class ExportForm(FlaskForm):
    kind = HiddenField(validators=[DataRequired(), Length(max=40)])
    format = SelectField(
        _l("File format"), choices=[SelectChoice("xlsx", "XLSX"), SelectChoice("csv", "CSV")]
    )


def _filters_of(kind, form_data) -> dict:
    """The kind's filters among the posted fields, by their query names; empty ones left out."""
    names = {f.data_key or name for name, f in kind.filters().fields.items()}
    return {k: v for k, v in form_data.items() if k in names and v.strip()}


@bp.post("/exports")
@login_required
def prepare():
    """Record the job and start it; the person lands on its progress page."""
    form = ExportForm()
    kind = export_jobs.export_kinds().get(form.kind.data or "")
    back = url_for(kind.page) if kind and kind.page else url_for(".my_exports")
    if not form.validate_on_submit() or kind is None:
        flash(_("The file could not be prepared; try again from the page of the list."), "error")
        return redirect(back), 303
    try:
        job = export_jobs.request_export(
            db.session, current_user, kind.name, form.format.data, _filters_of(kind, request.form)
        )
    except ma.ValidationError:
        db.session.rollback()
        flash(_("The filters are not valid; correct them and prepare the file again."), "error")
        return redirect(back), 303
    except DomainError as exc:
        db.session.rollback()
        flash(exc.shown(), "error")
        return redirect(back), 303
    export_id = job.id
    db.session.commit()  # and no transaction of this request stays open while the thread starts
    export_jobs.start_export(export_id)
    return redirect(url_for(".export_page", export_id=export_id)), 303


def _helpers() -> dict:
    kinds = export_jobs.export_kinds()
    return {
        "kind_label": lambda code: kinds[code].label() if code in kinds else _("Export"),
        "status_words": lambda code: str(export_jobs.STATUS_WORDS.get(code, code)),
        "failure_words": lambda code: str(
            export_jobs.FAILURE_WORDS.get(code, export_jobs.FAILURE_WORDS["error"])
        ),
        "format_words": export_jobs.FORMAT_WORDS,
        "keep_hours": export_jobs.KEEP_HOURS,
    }


@bp.get("/exports")
@login_required
def my_exports():
    export_jobs.sweep_exports(db.session)
    page = listing.read_page(db.session, export_jobs.exports_of(current_user), PER_PAGE)
    return render_template("exports/list.html", page=page, **_helpers())


@bp.get("/exports/<int:export_id>")
@login_required
def export_page(export_id: int):
    export_jobs.sweep_exports(db.session)
    job = export_jobs.get_export(db.session, current_user, export_id)
    return render_template("exports/job.html", job=job, refresh=REFRESH_SECONDS, **_helpers())


@bp.get("/exports/<int:export_id>/download")
@login_required
def download(export_id: int):
    try:
        job, path = export_jobs.export_file(db.session, current_user, export_id)
    except DomainError as exc:
        if exc.status == 404:
            raise
        flash(exc.shown(), "error")
        return redirect(url_for(".export_page", export_id=export_id)), 303
    name = export_jobs.download_name(job)
    db.session.commit()
    mimetype = "text/csv" if job.format == "csv" else export_jobs.XLSX_MEDIA
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)
