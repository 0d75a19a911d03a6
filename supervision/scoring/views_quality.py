"""The quality report page and its CSV: averages and grades by month, provider and organisation."""

from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import gettext as _

from assignment.models import Organization
from legalaid import limits
from legalaid.auth import roles_required
from legalaid.db import db
from supervision.scoring import reports
from supervision.scoring.blueprint import bp, provider_names
from supervision.scoring.forms import (
    QualityForm,
)


def _quality_args():
    form = QualityForm(request.args)
    form.validate()
    date_from = form.date_from.data if not form.date_from.errors else None
    date_to = form.date_to.data if not form.date_to.errors else None
    provider_id = limits.int_arg(request.args, "provider_id")
    organization_id = limits.int_arg(request.args, "organization_id")
    return form, date_from, date_to, provider_id, organization_id


@bp.get("/quality")
@roles_required("supervisor", "admin")
def quality():
    form, date_from, date_to, provider_id, organization_id = _quality_args()
    report = reports.quality_report(
        db.session, date_from, date_to, provider_id=provider_id, organization_id=organization_id
    )
    subject = _("All providers")
    if provider_id:
        subject = provider_names([provider_id]).get(provider_id, subject)
    elif organization_id:
        org = db.session.get(Organization, organization_id)
        subject = org.name if org else subject
    return render_template(
        "supervision/scoring/quality.html",
        form=form,
        report=report,
        chart=reports.months_chart(report["months"], _("Grades and average by month: %(s)s", s=subject)),
        subject=subject,
        args={k: v for k, v in request.args.items() if k in ("date_from", "date_to")},
    )


@bp.get("/quality.csv")
@roles_required("supervisor", "admin")
def quality_csv():
    _form, date_from, date_to, _p, _o = _quality_args()
    report = reports.quality_report(db.session, date_from, date_to)
    return Response(
        reports.quality_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=quality.csv"},
    )
