"""The annual report (issue 15): the statistical year, every figure with what it counts, last year's
figure and the growth, shares and rates, breakdowns and monthly trends.

The statistical year's first month is the ``STATISTICS.year_first_month`` rule (1: January to
December; 11: November of the year before to October, as some centres count). Year ``Y`` is the one
that ends in ``Y``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from legalaid import clock
from legalaid.errors import Invalid, say
from supervision.statistics import annual_breakdowns as ab
from supervision.statistics import annual_figures as af
from supervision.statistics.annual_labels import FIGURES, SECTIONS, definition, label

RULES = {"year_first_month": 1}


def declare_rules(app) -> None:
    from flask_babel import lazy_gettext as _l

    from legalaid import rules

    def check(name, value):
        if name == "year_first_month" and not 1 <= value <= 12:
            return "must be a month, 1 to 12"
        return None

    rules.declare(app, "STATISTICS", RULES, _l("Statistics: the statistical year's first month"), check)


def first_month() -> int:
    if not has_app_context():
        return RULES["year_first_month"]
    return int(current_app.config.get("STATISTICS", {}).get("year_first_month", RULES["year_first_month"]))


def statistical_year(year: int, month: int | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day of statistical year ``year`` (the one ending in ``year``)."""
    month = month or first_month()
    if month == 1:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    return dt.date(year - 1, month, 1), dt.date(year, month, 1) - dt.timedelta(days=1)


def current_statistical_year(today: dt.date | None = None, month: int | None = None) -> int:
    today = today or clock.today()
    month = month or first_month()
    return today.year + 1 if month > 1 and today.month >= month else today.year


def year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def growth(value, previous) -> float | None:
    """Growth against the year before, a percentage with two decimals; None when there was nothing."""
    if value is None or not previous:
        return None
    rate = (Decimal(str(value)) - Decimal(str(previous))) * 100 / Decimal(str(previous))
    return float(rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def percent(part, whole) -> float | None:
    if not whole:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def derived(counts: dict) -> dict:
    """Shares, rates and the average computed from the counts (same rule for this year and last)."""
    out = dict(counts)
    if "persons.total" in counts:
        for c in af.CATEGORIES:
            out[f"persons.share.{c}"] = percent(counts[f"persons.{c}"], counts["persons.total"])
        out["civil.migrant_worker_share"] = percent(
            counts["civil.migrant_worker"], counts["cases.type.civil"]
        )
        out["closure.rate"] = percent(counts["closure.closed"], counts["closure.approved"])
        out["complaints.in_time_share"] = percent(
            counts["complaints.answered_in_time"], counts["complaints.received"]
        )
        out["observations.rate"] = percent(counts["observations.done"], counts["observations.planned"])
        out["calls.rate"] = percent(counts["calls.done"], counts["calls.planned"])
        files = counts["scores.files"]
        out["scores.average"] = (
            float((Decimal(str(counts["scores.points"])) / files).quantize(Decimal("0.1"), ROUND_HALF_UP))
            if files
            else None
        )
    return out


def check_year(year: int) -> None:
    from legalaid.limits import year_window

    low, high = year_window()
    if not low <= year <= high:
        raise Invalid(
            say("A statistical year from %(low)s to %(high)s.", low=low, high=high),
            fields={"year": [say("From %(low)s to %(high)s.", low=low, high=high)]},
        )


def annual_report(
    session: Session,
    year: int | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    subsidies_only: bool = False,
    page: int = 1,
) -> dict:
    """Every figure of DESIGN.md "Statistics and the annual report" for statistical year ``year`` (or
    the period ``start``..``end``), each with the same period a year before and the growth."""
    if start is None or end is None:
        year = year or current_statistical_year()
        check_year(year)
        start, end = statistical_year(year)
    previous_start, previous_end = year_before(start), year_before(end)
    months: dict = {}  # the closings and consultations per month, counted with the figures
    now, before = (
        derived(counts)
        for counts in af.figures_for_periods(
            session,
            [(start, end), (previous_start, previous_end)],
            subsidies_only=subsidies_only,
            months=months,
        )
    )
    sections = []
    for key, title in SECTIONS:
        rows = []
        for fkey, spec in FIGURES.items():
            if spec.section != key or fkey not in now:
                continue
            value, previous = now[fkey], before.get(fkey)
            rows.append(
                {
                    "key": fkey,
                    "label": str(label(fkey)),
                    "definition": str(definition(fkey)),
                    "unit": spec.unit,
                    "value": value,
                    "previous": previous,
                    "growth": growth(value, previous) if spec.unit != "percent" else None,
                    "change": round(value - previous, 2)
                    if spec.unit == "percent" and value is not None and previous is not None
                    else None,
                }
            )
        if rows:
            sections.append({"key": key, "title": str(title), "figures": rows})
    report = {
        "year": year,
        "first_month": first_month(),
        "from": start.isoformat(),
        "to": end.isoformat(),
        "previous_from": previous_start.isoformat(),
        "previous_to": previous_end.isoformat(),
        "sections": sections,
    }
    if not subsidies_only:
        organizations, providers = ab.by_handler(session, start, end, page)
        received = ab.received_by_month_and_area(session, start, end)
        report["breakdowns"] = {
            "organizations": organizations,
            "providers": providers,
            "stations": ab.by_station(session, start, end),
            "areas": ab.by_area(session, start, end, received),
        }
        report["monthly"] = ab.monthly_trend(session, start, end, months, received)
    return report


def figure_values(report: dict) -> dict:
    """``{key: figure}`` of a report, for the page, the print and the tests."""
    return {f["key"]: f for s in report["sections"] for f in s["figures"]}


HEADLINE = (
    "cases.received",
    "cases.type.civil",
    "cases.type.criminal",
    "persons.total",
    "consultations.total",
)


def headline(report: dict) -> str:
    """The report's first sentence, with the year-on-year figures (in the reader's language)."""
    from flask_babel import gettext as _

    f = figure_values(report)
    parts = []
    for key in HEADLINE:
        fig = f.get(key)
        if fig is None:
            continue
        what, n, change = str(label(key)), _n(fig["value"]), fig["growth"]
        if change is None:
            parts.append(_("%(what)s %(n)s", what=what, n=n))
        elif change >= 0:
            parts.append(_("%(what)s %(n)s, up %(p)s%%", what=what, n=n, p=format(change, ".2f")))
        else:
            parts.append(_("%(what)s %(n)s, down %(p)s%%", what=what, n=n, p=format(-change, ".2f")))
    text = _("From %(start)s to %(end)s: ", start=report["from"], end=report["to"]) + _("; ").join(parts)
    share = f.get("civil.migrant_worker_share")
    if share and share["value"] is not None:
        text += _(
            "; migrant workers were the clients of %(n)s civil cases, %(p)s%% of civil cases",
            n=_n(f["civil.migrant_worker"]["value"]),
            p=format(share["value"], ".2f"),
        )
    return text + _(".")


def _n(value) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)
