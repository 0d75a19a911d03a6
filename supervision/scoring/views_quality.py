"""The quality report page and its CSV: averages and grades by month, provider and organisation.

The page reads the period's figures in a fixed number of grouped statements and one page of the
per-provider table (filtered by name or organisation, sorted); the CSV streams every provider."""

from __future__ import annotations

from flask import Response, current_app, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from assignment.models import Organization
from legalaid import limits, listing
from legalaid.auth import roles_required
from legalaid.db import db
from supervision.scoring import reports
from supervision.scoring.blueprint import bp, provider_names
from supervision.scoring.forms import (
    QualityForm,
)

SORT_LABELS = {
    "average": _l("Average"),
    "count": _l("Files"),
    "name": _l("Provider"),
    "organisation": _l("Organisation"),
    "fail": _l("Fail"),
}


def _quality_args():
    form = QualityForm(request.args)
    form.sort.choices = listing.sort_choices(reports.PROVIDER_SORTS, SORT_LABELS)
    valid = form.validate()
    date_from = form.date_from.data if not form.date_from.errors else None
    date_to = form.date_to.data if not form.date_to.errors else None
    date_from, date_to = reports.default_period(date_from, date_to)
    provider_id = limits.int_arg(request.args, "provider_id")
    organization_id = limits.int_arg(request.args, "organization_id")
    return form, valid, date_from, date_to, provider_id, organization_id


@bp.get("/quality")
@roles_required("supervisor", "admin")
def quality():
    form, valid, date_from, date_to, provider_id, organization_id = _quality_args()
    per_page = current_app.config.get("LIST_PAGE_SIZE", listing.PAGE_SIZE)
    page = limits.int_arg(request.args, "page", 1, minimum=1)
    report = reports.quality_report(
        db.session,
        date_from,
        date_to,
        provider_id=provider_id,
        organization_id=organization_id,
        q=form.q.data if valid else None,
        sort=(form.sort.data or None) if valid else None,
        page=page,
        per_page=per_page,
    )
    pages = max(1, -(-report["providers_total"] // per_page))
    subject = _("All providers")
    if provider_id:
        subject = provider_names([provider_id]).get(provider_id, subject)
    elif organization_id:
        org = db.session.get(Organization, organization_id)
        subject = org.name if org else subject
    kept = ("date_from", "date_to")
    return render_template(
        "supervision/scoring/quality.html",
        form=form,
        report=report,
        chart=reports.months_chart(report["months"], _("Grades and average by month: %(s)s", s=subject)),
        subject=subject,
        args={k: v for k, v in request.args.items() if k in kept},
        providers_page=listing.Page(
            report["providers"], report["providers_total"], page, pages, listing.page_query()
        ),
    ), (200 if valid else 422)


@bp.get("/quality.csv")
@roles_required("supervisor", "admin")
def quality_csv():
    _form, _valid, date_from, date_to, _p, _o = _quality_args()
    return Response(
        stream_with_context(reports.quality_csv_stream(db.session, date_from, date_to)),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=quality.csv"},
    )
