"""GET /api/v1/reports/annual and /api/v1/reports/annual.xlsx (API.md "Annual report")."""

from __future__ import annotations

import marshmallow as ma
from flask import jsonify, send_file
from flask_login import current_user

from legalaid import limits
from legalaid.api import api_blueprint
from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.models import CASE_STAFF
from legalaid.openapi import XLSX, responds, use_query
from supervision.statistics.annual import annual_report
from supervision.statistics.annual_schemas import ANNUAL_REPORT
from supervision.statistics.annual_xlsx import annual_workbook

bp = api_blueprint("annual_api", __name__)
READERS = (*CASE_STAFF, "finance")  # as the summary: finance reads the subsidy figures only


class AnnualArgs(ma.Schema):
    year = limits.Year(load_default=None, strict=False)
    page = limits.Int(load_default=1, validate=ma.validate.Range(min=1, max=10000))


def report_for(args: dict) -> dict:
    subsidies_only = not current_user.has_role(*CASE_STAFF)
    return annual_report(db.session, args["year"], subsidies_only=subsidies_only, page=args["page"])


@bp.get("/reports/annual")
@roles_required(*READERS)
@use_query(AnnualArgs)
@responds(200, ANNUAL_REPORT)
def annual(args):
    """Every figure of the statistical year (its first month is configuration), each with what it
    counts, the year before's figure and the growth; breakdowns (``page`` pages the providers) and
    the monthly trend (finance: subsidy figures only)."""
    return jsonify(report_for(args))


@bp.get("/reports/annual.xlsx")
@roles_required(*READERS)
@use_query(AnnualArgs)
@responds(200, media=(XLSX,))
def annual_xlsx(args):
    """The annual report as a workbook: one sheet per table."""
    report = report_for(args)
    return send_file(
        annual_workbook(report),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"annual-report-{report['year'] or report['from']}.xlsx",
    )
