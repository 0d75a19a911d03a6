"""GET /api/v1/reports/summary."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from flask import jsonify
from flask_login import current_user

from legalaid import clock, limits
from legalaid.api import api_blueprint, query_args
from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.models import CASE_STAFF
from legalaid.openapi import responds, use_query
from supervision.statistics.answer_schemas import SUMMARY
from supervision.statistics.service import summary

bp = api_blueprint("statistics_api", __name__)
READERS = (*CASE_STAFF, "finance")


class PeriodArgs(ma.Schema):
    from_ = limits.Date(data_key="from", load_default=None, window="planning")
    to = limits.Date(load_default=None, window="planning")


def period(args: dict | None = None) -> tuple[dt.date, dt.date]:
    """The ?from=&to= period; by default this year up to today (the centre's time zone)."""
    args = args if args is not None else query_args(PeriodArgs)
    today = clock.today()
    end = args["to"] or today
    start = args["from_"] or end.replace(month=1, day=1)
    return start, end


@bp.get("/reports/summary")
@roles_required(*READERS)
@use_query(PeriodArgs)
@responds(200, SUMMARY)
def summary_report(args):
    """The centre's figures for a period: cases, growth, closure rate, green channel, observation coverage,
    satisfaction, scores, subsidies (finance: subsidies only)."""
    start, end = period(args)
    subsidies_only = not current_user.has_role(*CASE_STAFF)
    return jsonify(summary(db.session, start, end, subsidies_only=subsidies_only))
