"""GET /api/v1/reports/summary."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from flask import current_app, jsonify
from flask_login import current_user

from legalaid.api import api_blueprint, query_args
from legalaid.auth import roles_required
from legalaid.db import db
from supervision.statistics.service import summary

bp = api_blueprint("statistics_api", __name__)
READERS = ("coordinator", "supervisor", "admin", "finance")


class PeriodArgs(ma.Schema):
    from_ = ma.fields.Date(data_key="from", load_default=None)
    to = ma.fields.Date(load_default=None)


def period() -> tuple[dt.date, dt.date]:
    """The ?from=&to= period; by default this year up to today (the centre's time zone)."""
    from zoneinfo import ZoneInfo

    args = query_args(PeriodArgs)
    today = dt.datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()
    end = args["to"] or today
    start = args["from_"] or end.replace(month=1, day=1)
    return start, end


@bp.get("/reports/summary")
@roles_required(*READERS)
def summary_report():
    """The centre's figures for a period: cases, growth, closure rate, green channel, observation coverage,
    satisfaction, scores, subsidies (finance: subsidies only)."""
    start, end = period()
    subsidies_only = not current_user.has_role("coordinator", "supervisor", "admin")
    return jsonify(
        summary(db.session, start, end, current_app.config["TIMEZONE"], subsidies_only=subsidies_only)
    )
