"""The annual report's pages: the report with charts, its printable A4 form in Chinese, and the
records behind each count (drill-down)."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from flask import Blueprint, abort, make_response, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.errors import DomainError
from legalaid.filters import yuan
from legalaid.listing import read_capped_page
from legalaid.models import CASE_STAFF
from supervision.statistics import annual_figures as af
from supervision.statistics.annual import annual_report, figure_values, headline
from supervision.statistics.annual_api import READERS, AnnualArgs
from supervision.statistics.annual_drill import drill_total, drillable, records
from supervision.statistics.annual_labels import (
    CASE_TYPE_WORDS,
    CATEGORY_WORDS,
    CHANNEL_WORDS,
    FIGURES,
    GRADE_WORDS,
    OUTCOME_WORDS,
    definition,
    label,
)
from supervision.statistics.charts import grouped_bars

bp = Blueprint("annual", __name__, url_prefix="/statistics")
RECORDS_PER_PAGE = 50


def _report():
    args = AnnualArgs(unknown=ma.EXCLUDE).load(request.args.to_dict())
    subsidies_only = not current_user.has_role(*CASE_STAFF)
    return annual_report(db.session, args["year"], subsidies_only=subsidies_only, page=args["page"])


def _refused(exc: Exception):
    if isinstance(exc, DomainError):
        message = exc.shown()
    elif isinstance(exc, ma.ValidationError):
        message = _("Choose a year, such as 2026.")
    else:
        raise exc
    return render_template("errors/error.html", status=422, message=message), 422


def charts(report: dict) -> list:
    out = []
    monthly = report.get("monthly") or []
    if monthly:
        months = [m["month"] for m in monthly]
        out.append(
            grouped_bars(
                months,
                [
                    (_("Cases received"), [m["received"] for m in monthly]),
                    (_("Cases ended"), [m["closed"] for m in monthly]),
                ],
                _("Cases per month"),
                value_label=_whole,
            )
        )
        out.append(
            grouped_bars(
                months,
                [
                    (_("Recipients"), [m["persons"] for m in monthly]),
                    (_("Consultations"), [m["consultations"] for m in monthly]),
                ],
                _("Recipients and consultations per month"),
                value_label=_whole,
            )
        )
    f = figure_values(report)
    if "persons.total" in f:
        out.append(
            grouped_bars(
                [str(CATEGORY_WORDS[c]) for c in af.CATEGORIES],
                [
                    (_("This year"), [f[f"persons.{c}"]["value"] for c in af.CATEGORIES]),
                    (_("Year before"), [f[f"persons.{c}"]["previous"] or 0 for c in af.CATEGORIES]),
                ],
                _("Recipients by category"),
                value_label=_whole,
            )
        )
    return out


def _whole(value: float) -> str:
    return f"{value:,.0f}"


def shown_value(figure: dict, which: str = "value") -> str:
    value = figure[which]
    if value is None:
        return "—"
    if figure["unit"] == "fen":
        return yuan(value)
    if figure["unit"] == "percent":
        return f"{value:.2f}%"
    return f"{value:,}" if isinstance(value, int) else str(value)


def shown_growth(figure: dict) -> str:
    if figure["unit"] == "percent":
        change = figure.get("change")
        return "—" if change is None else _("%(p)s points", p=format(change, "+.2f"))
    return "—" if figure["growth"] is None else f"{figure['growth']:+.2f}%"


HELPERS = {"shown_value": shown_value, "shown_growth": shown_growth, "drillable": drillable}


@bp.get("/annual")
@roles_required(*READERS)
def annual_page():
    try:
        report = _report()
    except (DomainError, ma.ValidationError) as exc:
        return _refused(exc)
    return render_template(
        "statistics/annual.html",
        r=report,
        headline=headline(report) if "persons.total" in figure_values(report) else None,
        charts=charts(report),
        **HELPERS,
    )


@bp.get("/annual/print")
@roles_required(*READERS)
def annual_print():
    """The report the director signs: in Chinese, A4, a page per section."""
    with force_locale("zh_Hans"):
        try:
            report = _report()
        except (DomainError, ma.ValidationError) as exc:
            return _refused(exc)
        return render_template(
            "statistics/annual_print.html",
            r=report,
            headline=headline(report) if "persons.total" in figure_values(report) else None,
            charts=charts(report),
            **HELPERS,
        )


@bp.get("/annual/print.css")
def annual_print_css():
    """The print page's style sheet (the Content-Security-Policy allows no inline style)."""
    response = make_response(render_template("statistics/annual_print.css"))
    response.mimetype = "text/css"
    response.cache_control.max_age = 3600
    return response


@bp.get("/annual/records")
@roles_required(*READERS)
def annual_records():
    """The records one count of the report counts, paged (``figure``, ``from``, ``to``, ``page``)."""
    key = request.args.get("figure", "")
    if key not in FIGURES or not drillable(key):
        abort(404)
    if not current_user.has_role(*CASE_STAFF) and not key.startswith("subsidies."):
        abort(403)
    try:
        start = dt.date.fromisoformat(request.args.get("from", ""))
        end = dt.date.fromisoformat(request.args.get("to", ""))
        if end < start or (end - start).days > 3660:
            raise ValueError
    except ValueError:
        return render_template(
            "errors/error.html", status=422, message=_("Dates are written YYYY-MM-DD.")
        ), 422
    found = records(db.session, key, start, end)
    if found is None:
        abort(404)
    kind, stmt = found
    # A page of the records in their order, counted to 10,000 (a year's cases are 165,000 in a
    # province: counting them all on every page took longer than the list); a count of persons is
    # what the figure itself counts, so only its figures sum the applicants.
    listed = read_capped_page(db.session, stmt, RECORDS_PER_PAGE)
    persons = drill_total(db.session, key, start, end) if key.startswith("persons.") else None
    return render_template(
        "statistics/annual_records.html",
        key=key,
        kind=kind,
        title=label(key),
        counts=definition(key),
        start=start,
        end=end,
        persons=persons,
        page=listed,
        case_type_words=CASE_TYPE_WORDS,
        channel_words=CHANNEL_WORDS,
        outcome_words=OUTCOME_WORDS,
        grade_words=GRADE_WORDS,
    )
