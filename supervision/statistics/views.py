"""The statistics page: the period's figures with monthly charts."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user

from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.errors import DomainError
from legalaid.filters import yuan
from legalaid.models import CASE_STAFF
from supervision.statistics.api import READERS, period
from supervision.statistics.charts import grouped_bars
from supervision.statistics.service import summary

bp = Blueprint("statistics", __name__, url_prefix="/reports")


@bp.get("/summary")
@roles_required(*READERS)
def summary_page():
    subsidies_only = not current_user.has_role(*CASE_STAFF)
    try:
        start, end = period()
        figures = summary(db.session, start, end, subsidies_only=subsidies_only)
    except DomainError as exc:
        return render_template("errors/error.html", status=422, message=exc.shown()), 422
    except Exception as exc:  # marshmallow's ValidationError for a malformed date
        import marshmallow as ma

        if not isinstance(exc, ma.ValidationError):
            raise
        return render_template(
            "errors/error.html", status=422, message=_("Dates are written YYYY-MM-DD.")
        ), 422
    charts = []
    if "monthly" in figures:
        months = [m["month"] for m in figures["monthly"]]
        charts.append(
            grouped_bars(
                months,
                [
                    (_("Received"), [m["received"] for m in figures["monthly"]]),
                    (_("Closed"), [m["closed"] for m in figures["monthly"]]),
                ],
                _("Cases per month"),
            )
        )
        charts.append(
            grouped_bars(
                months,
                [(_("Subsidies paid"), [m["paid_fen"] for m in figures["monthly"]])],
                _("Subsidies paid per month"),
                value_label=lambda v: yuan(int(v)),
            )
        )
    return render_template(
        "supervision/statistics/summary.html",
        f=figures,
        charts=charts,
    )
