"""Quality views: averages and grade distributions per provider, organisation and month; each
scorer's average against the others' (drift); CSV export; the server-drawn SVG chart.

All figures come from aggregate queries on ``score_file`` (final scores) and ``score_sheet``
(submitted sheets), so the report's cost grows with the number of groups, not of files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from assignment.models import Organization, Provider
from legalaid.exports import csv_text
from legalaid.models import User
from supervision.scoring.models import GRADES, ScoreFile, ScoreSheet
from supervision.scoring.rules import round_tenth


def _grade_columns(column):
    return [sa.func.sum(sa.case((column == g, 1), else_=0)).label(g) for g in GRADES]


def _period(stmt, date_from: dt.date | None, date_to: dt.date | None):
    if date_from:
        stmt = stmt.where(ScoreFile.finalised_on >= date_from)
    if date_to:
        stmt = stmt.where(ScoreFile.finalised_on <= date_to)
    return stmt


def _row(row, **extra) -> dict:
    count = int(row.count or 0)
    return {
        **extra,
        "count": count,
        "average": round_tenth(Decimal(str(row.average))) if row.average is not None else None,
        "grades": {g: int(getattr(row, g) or 0) for g in GRADES},
    }


def quality_report(
    session: Session,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    *,
    provider_id: int | None = None,
    organization_id: int | None = None,
) -> dict:
    """The quality figures of final scores finalised in the period (``finalised_on``, inclusive)."""
    measures = [
        sa.func.count().label("count"),
        sa.func.avg(ScoreFile.total).label("average"),
        *_grade_columns(ScoreFile.grade),
    ]
    final = sa.select().where(ScoreFile.status == "final")
    final = _period(final, date_from, date_to)

    overall = session.execute(final.add_columns(*measures)).one()

    by_provider = session.execute(
        final.add_columns(ScoreFile.provider_id, *measures).group_by(ScoreFile.provider_id)
    ).all()
    by_org = session.execute(
        final.add_columns(ScoreFile.organization_id, *measures).group_by(ScoreFile.organization_id)
    ).all()

    year = sa.extract("year", ScoreFile.finalised_on)
    month = sa.extract("month", ScoreFile.finalised_on)
    series = final
    if provider_id:
        series = series.where(ScoreFile.provider_id == provider_id)
    if organization_id:
        series = series.where(ScoreFile.organization_id == organization_id)
    by_month = session.execute(
        series.add_columns(year.label("y"), month.label("m"), *measures)
        .group_by(year, month)
        .order_by(year, month)
    ).all()

    providers = dict(
        session.execute(
            sa.select(Provider.id, Provider.name).where(Provider.id.in_([r.provider_id for r in by_provider]))
        ).all()
    )
    provider_org = dict(
        session.execute(
            sa.select(Provider.id, Organization.name)
            .join(Organization, Organization.id == Provider.organization_id)
            .where(Provider.id.in_([r.provider_id for r in by_provider]))
        ).all()
    )
    orgs = dict(
        session.execute(
            sa.select(Organization.id, Organization.name).where(
                Organization.id.in_([r.organization_id for r in by_org])
            )
        ).all()
    )
    from supervision.complaints.services import upheld_by_provider

    # Upheld complaints count in the provider's quality record (DESIGN.md "Front desk").
    upheld = upheld_by_provider(session, [r.provider_id for r in by_provider], date_from, date_to)
    return {
        "from": date_from,
        "to": date_to,
        "overall": _row(overall),
        "providers": sorted(
            (
                _row(
                    r,
                    provider_id=r.provider_id,
                    name=providers.get(r.provider_id),
                    organization=provider_org.get(r.provider_id),
                    upheld_complaints=upheld.get(r.provider_id, 0),
                )
                for r in by_provider
            ),
            key=lambda r: (r["average"] is None, -(r["average"] or 0), r["provider_id"]),
        ),
        "organizations": sorted(
            (_row(r, organization_id=r.organization_id, name=orgs.get(r.organization_id)) for r in by_org),
            key=lambda r: (r["average"] is None, -(r["average"] or 0), r["organization_id"]),
        ),
        "months": [_row(r, month=f"{int(r.y):04d}-{int(r.m):02d}") for r in by_month],
        "scorers": scorer_drift(session, date_from, date_to),
    }


def scorer_drift(session: Session, date_from: dt.date | None, date_to: dt.date | None) -> list[dict]:
    """Each scorer's average sheet total against the average of everyone else's sheets in the period
    (sheets submitted on files finalised in the period); a large gap is worth a calibration talk."""
    stmt = (
        sa.select(
            ScoreSheet.scorer_id,
            sa.func.count().label("count"),
            sa.func.sum(ScoreSheet.total).label("sum"),
        )
        .join(ScoreFile, ScoreFile.case_id == ScoreSheet.case_id)
        .where(ScoreSheet.status == "submitted", ScoreFile.status == "final")
        .group_by(ScoreSheet.scorer_id)
    )
    rows = session.execute(_period(stmt, date_from, date_to)).all()
    total_n = sum(r.count for r in rows)
    total_sum = sum(Decimal(str(r.sum)) for r in rows)
    names = dict(
        session.execute(
            sa.select(User.id, sa.func.coalesce(User.display_name, User.username)).where(
                User.id.in_([r.scorer_id for r in rows])
            )
        ).all()
    )
    result = []
    for r in rows:
        own = Decimal(str(r.sum)) / r.count
        others_n = total_n - r.count
        others = (total_sum - Decimal(str(r.sum))) / others_n if others_n else None
        result.append(
            {
                "scorer_id": r.scorer_id,
                "name": names.get(r.scorer_id),
                "count": int(r.count),
                "average": round_tenth(own),
                "others_average": round_tenth(others) if others is not None else None,
                "drift": round_tenth(own - others) if others is not None else None,
            }
        )
    return sorted(result, key=lambda r: -abs(r["drift"] or 0))


def jsonable(report: dict):
    if isinstance(report, dict):
        return {k: jsonable(v) for k, v in report.items()}
    if isinstance(report, list):
        return [jsonable(v) for v in report]
    if isinstance(report, Decimal):
        return float(report)
    if isinstance(report, dt.date):
        return report.isoformat()
    return report


def quality_csv(report: dict) -> str:
    """One table: a row per provider, organisation and scorer, with a column naming which."""
    rows: list[list] = [
        ["level", "id", "name", "organisation", "count", "average", *GRADES, "others_average", "drift"]
    ]
    for r in report["providers"]:
        rows.append(
            [
                "provider",
                r["provider_id"],
                r["name"],
                r["organization"],
                r["count"],
                r["average"],
                *r["grades"].values(),
                "",
                "",
            ]
        )
    for r in report["organizations"]:
        rows.append(
            [
                "organisation",
                r["organization_id"],
                r["name"],
                "",
                r["count"],
                r["average"],
                *r["grades"].values(),
                "",
                "",
            ]
        )
    for r in report["scorers"]:
        rows.append(
            [
                "scorer",
                r["scorer_id"],
                r["name"],
                "",
                r["count"],
                r["average"],
                *([""] * len(GRADES)),
                r["others_average"],
                r["drift"],
            ]
        )
    return csv_text(rows)  # names are neutralised there (a name may start a spreadsheet formula)


GRADE_COLOURS = {"excellent": "#1f7a3d", "good": "#4f9d69", "pass": "#d4a017", "fail": "#b42318"}


def months_chart(months: list[dict], title: str) -> Markup:
    """Inline SVG: stacked bars of the grade distribution per month, and the average as a line
    (right axis 0–100). Drawn on the server; no script."""
    from supervision.scoring.labels import grade_label

    width, height, left, right, top, bottom = 720, 270, 40, 40, 30, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
    ]
    if not months:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#5b6775">—</text></svg>'
        )
        return Markup("".join(parts))
    peak = max(m["count"] for m in months) or 1
    slot = plot_w / len(months)
    bar = max(min(slot * 0.6, 40), 2)
    points = []
    for i, m in enumerate(months):
        x = left + i * slot + (slot - bar) / 2
        y = top + plot_h
        for grade in reversed(GRADES):  # fail at the bottom
            h = plot_h * m["grades"][grade] / peak
            if h:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                    f'fill="{GRADE_COLOURS[grade]}">'
                    f"<title>{escape(m['month'])} {escape(grade_label(grade))}: "
                    f"{m['grades'][grade]}</title></rect>"
                )
        if m["average"] is not None:
            points.append((x + bar / 2, top + plot_h * (1 - float(m["average"]) / 100), m))
        if len(months) <= 24 or i % max(len(months) // 12, 1) == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle" '
                f'fill="#5b6775">{escape(m["month"])}</text>'
            )
    for value in (0, 60, 80, 90, 100):
        y = top + plot_h * (1 - value / 100)
        parts.append(
            f'<text x="{left + plot_w + 4}" y="{y + 4:.1f}" font-size="10" fill="#5b6775">{value}</text>'
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e3e7ec" '
            'stroke-dasharray="3 3"/>'
        )
    # Both axes say what they count (issue 11, item 16): files on the left, the average on the right.
    files_axis, average_axis = escape(_("Files (bars)")), escape(_("Average score (line)"))
    parts.append(
        f'<text x="{left - 4}" y="{top + 4}" font-size="10" text-anchor="end" fill="#5b6775">{peak}</text>'
        f'<text x="{left - 4}" y="{top + plot_h + 4}" font-size="10" text-anchor="end" '
        'fill="#5b6775">0</text>'
        f'<text x="4" y="{top - 6}" font-size="10" fill="#5b6775">{files_axis}</text>'
        f'<text x="{width - 4}" y="{top - 6}" font-size="10" text-anchor="end" fill="#0b5cad">'
        f"{average_axis}</text>"
    )
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _m in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#0b5cad" stroke-width="2"/>')
        for x, y, m in points:
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#0b5cad"><title>{escape(m["month"])}: '
                f"{m['average']}</title></circle>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))
