"""Quality views: averages and grade distributions per provider, organisation and month; each
scorer's average against the others' (drift); CSV export; the server-drawn SVG chart.

All figures come from grouped statements on ``score_file`` (final scores) and ``score_sheet``
(submitted sheets) over the period's range of the index on ``finalised_on``: the total, each
organisation and each month are added up from one statement grouped by organisation and month; the
per-provider table is read a page at a time (sorted and filtered in the statement); the CSV streams
every provider from a server-side cursor."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from assignment.models import Organization, Provider
from legalaid import clock
from legalaid.exports import safe_row
from legalaid.listing import Sorts, contains
from legalaid.models import User
from supervision.scoring.models import GRADES, ScoreFile, ScoreSheet
from supervision.scoring.rules import round_tenth


def _grade_columns(column):
    return [sa.func.count().filter(column == g).label(g) for g in GRADES]


def default_period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    """The report's period: the days asked, by default last month and this month up to today (a month
    to compare with the one under way). Every figure is read off the index of final files by
    ``finalised_on`` over that range, never the whole history (a province finalises ~15,000 files a
    month; a whole year is asked for with ``from``/``to`` or exported as CSV)."""
    if date_from is not None or date_to is not None:
        return date_from, date_to
    today = clock.today()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return last_month, today


def _period(stmt, date_from: dt.date | None, date_to: dt.date | None):
    if date_from:
        stmt = stmt.where(ScoreFile.finalised_on >= date_from)
    if date_to:
        stmt = stmt.where(ScoreFile.finalised_on <= date_to)
    return stmt


def _final(date_from, date_to) -> sa.Select:
    return _period(sa.select().where(ScoreFile.status == "final"), date_from, date_to)


def _average(total, count: int) -> Decimal | None:
    return round_tenth(Decimal(str(total)) / count) if count and total is not None else None


def _row(row, **extra) -> dict:
    count = int(row.count or 0)
    return {
        **extra,
        "count": count,
        "average": round_tenth(Decimal(str(row.average))) if row.average is not None else None,
        "grades": {g: int(getattr(row, g) or 0) for g in GRADES},
    }


class _Sum:
    """Counts, point sums and grades of several grouped rows added up (a roll-up in Python of one
    grouped statement: the total, an organisation, a month)."""

    def __init__(self):
        self.count, self.total, self.grades = 0, Decimal(0), dict.fromkeys(GRADES, 0)

    def add(self, row) -> None:
        self.count += int(row.count or 0)
        total = row.total or 0
        self.total += total if isinstance(total, Decimal) else Decimal(str(total))
        for g in GRADES:
            self.grades[g] += int(getattr(row, g) or 0)

    def figures(self, **extra) -> dict:
        return {
            **extra,
            "count": self.count,
            "average": _average(self.total, self.count),
            "grades": self.grades,
        }


def _sums() -> list:
    return [
        sa.func.count().label("count"),
        sa.func.sum(ScoreFile.total).label("total"),
        *_grade_columns(ScoreFile.grade),
    ]


def provider_series(
    session: Session, provider_id: int, date_from=None, date_to=None
) -> tuple[list[dict], dict | None]:
    """One provider's final scores by month, and their figures over the whole series (None without
    any): one grouped statement read off their own files (``ix_score_file_provider``)."""
    year, month = sa.extract("year", ScoreFile.finalised_on), sa.extract("month", ScoreFile.finalised_on)
    stmt = _final(date_from, date_to).where(ScoreFile.provider_id == provider_id)
    rows = session.execute(
        stmt.add_columns(year.label("y"), month.label("m"), *_sums())
        .group_by(year, month)
        .order_by(year, month)
    ).all()
    months, total = [], _Sum()
    for r in rows:
        one = _Sum()
        one.add(r)
        total.add(r)
        months.append(one.figures(month=f"{int(r.y):04d}-{int(r.m):02d}"))
    return months, (total.figures() if rows else None)


def rollup(session: Session, date_from, date_to) -> list:
    """The period's final scores grouped by organisation and month: one statement, one pass over the
    period's files (``ix_score_file_final_figures``, index only); the total, each organisation and each
    month are added up from its rows. The files are grouped by day and organisation first (hashed:
    grouped by a month's key, a province's 40,000 files of a default period were sorted, issue 16),
    then the days into months."""
    days = (
        _final(date_from, date_to)
        .add_columns(
            ScoreFile.organization_id,
            ScoreFile.finalised_on.label("day"),
            sa.func.count().label("count"),
            sa.func.sum(ScoreFile.total).label("total"),
            *_grade_columns(ScoreFile.grade),
        )
        .group_by(ScoreFile.finalised_on, ScoreFile.organization_id)
        .subquery("days")
    )
    year, month = sa.extract("year", days.c.day), sa.extract("month", days.c.day)
    stmt = sa.select(
        days.c.organization_id,
        year.label("y"),
        month.label("m"),
        sa.func.sum(days.c.count).label("count"),
        sa.func.sum(days.c.total).label("total"),
        *(sa.func.sum(days.c[g]).label(g) for g in GRADES),
    )
    return session.execute(stmt.group_by(days.c.organization_id, year, month)).all()


def organization_figures(session: Session, rows: list) -> list[dict]:
    """Each organisation's figures added up from the roll-up's rows, best average first."""
    orgs: dict[int, _Sum] = {}
    for r in rows:
        orgs.setdefault(r.organization_id, _Sum()).add(r)
    names = (
        dict(
            session.execute(
                sa.select(Organization.id, Organization.name).where(Organization.id.in_(list(orgs)))
            ).all()
        )
        if orgs
        else {}
    )
    return sorted(
        (s.figures(organization_id=org, name=names.get(org)) for org, s in orgs.items()),
        key=lambda r: (r["average"] is None, -(r["average"] or 0), r["organization_id"]),
    )


# The per-provider table's order keys (the statement below orders by the grouped columns of these names).
PROVIDER_SORT_KEYS = ("average", "count", "name", "organisation", "fail")
PROVIDER_SORTS = Sorts(
    {key: sa.column(key) for key in PROVIDER_SORT_KEYS},
    tie=ScoreFile.provider_id,
    default="-average",
)


def provider_statement(date_from, date_to, *, q=None, organization_id=None, sort=None) -> sa.Select:
    """The per-provider table of the period, filtered (a name holding ``q``, an organisation) and
    ordered in the statement, so a page of it reads one page of rows. The files are grouped by
    provider first (a hash on one number) and only the groups are joined to the names."""
    grouped = (
        _final(date_from, date_to)
        .add_columns(
            ScoreFile.provider_id,
            sa.func.count().label("count"),
            sa.func.avg(ScoreFile.total).label("average"),
            *_grade_columns(ScoreFile.grade),
        )
        .group_by(ScoreFile.provider_id)
    )
    if organization_id:
        grouped = grouped.where(ScoreFile.organization_id == organization_id)
    g = grouped.subquery("g")
    stmt = (
        sa.select(
            g.c.provider_id,
            Provider.name.label("name"),
            Organization.name.label("organization"),
            g.c.count,
            g.c.average,
            *(g.c[grade] for grade in GRADES),
        )
        .join(Provider, Provider.id == g.c.provider_id)
        .outerjoin(Organization, Organization.id == Provider.organization_id)
    )
    if q and q.strip():
        stmt = stmt.where(contains(Provider.name, q))
    columns = {
        "average": g.c.average,
        "count": g.c.count,
        "name": Provider.name,
        "organisation": Organization.name,
        "fail": g.c.fail,
    }
    return Sorts(columns, tie=g.c.provider_id, default=PROVIDER_SORTS.default).apply(stmt, sort)


def provider_page(session: Session, stmt: sa.Select, page: int, per_page: int) -> tuple[list[dict], int]:
    """One page of the per-provider table and how many providers it has (the count rides on the page's
    rows as a window; only a page past the end counts again)."""
    counted = stmt.add_columns(sa.func.count().over().label("groups"))
    rows = session.execute(counted.limit(per_page).offset((page - 1) * per_page)).all()
    if rows:
        total = int(rows[0].groups)
    elif page > 1:
        total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    else:
        total = 0
    return [_row(r, provider_id=r.provider_id, name=r.name, organization=r.organization) for r in rows], total


def quality_report(
    session: Session,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    *,
    provider_id: int | None = None,
    organization_id: int | None = None,
    q: str | None = None,
    sort: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> dict:
    """The quality figures of final scores finalised in the period (``finalised_on``, inclusive): the
    total, organisations and months from one grouped statement, one page of the per-provider table
    (filtered by ``q`` and ``organization_id``, ordered by ``sort``), scorer drift. A fixed number of
    statements whatever the number of files or providers."""
    rows = rollup(session, date_from, date_to)
    overall, months = _Sum(), {}
    for r in rows:
        overall.add(r)
        if not provider_id and (not organization_id or r.organization_id == organization_id):
            months.setdefault((int(r.y), int(r.m)), _Sum()).add(r)
    if provider_id:
        series, _total = provider_series(session, provider_id, date_from, date_to)
    else:
        series = [months[k].figures(month=f"{k[0]:04d}-{k[1]:02d}") for k in sorted(months)]
    providers, providers_total = provider_page(
        session,
        provider_statement(date_from, date_to, q=q, organization_id=organization_id, sort=sort),
        page,
        per_page,
    )
    from supervision.complaints.services import upheld_by_provider

    # Upheld complaints count in the provider's quality record (DESIGN.md "Front desk").
    upheld = (
        upheld_by_provider(session, [r["provider_id"] for r in providers], date_from, date_to)
        if providers
        else {}
    )
    for r in providers:
        r["upheld_complaints"] = upheld.get(r["provider_id"], 0)
    return {
        "from": date_from,
        "to": date_to,
        "overall": overall.figures(),
        "providers": providers,
        "providers_total": providers_total,
        "page": page,
        "per_page": per_page,
        "organizations": organization_figures(session, rows),
        "months": series,
        "scorers": scorer_drift(session, date_from, date_to),
    }


def provider_rows(session: Session, date_from, date_to, sort=None) -> Iterator[dict]:
    """Every row of the per-provider table, streamed from a server-side cursor (the CSV's)."""
    stmt = provider_statement(date_from, date_to, sort=sort)
    with session.execute(stmt.execution_options(stream_results=True, yield_per=2000)) as result:
        for r in result:
            yield _row(r, provider_id=r.provider_id, name=r.name, organization=r.organization)


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


CSV_HEADER = ["level", "id", "name", "organisation", "count", "average", *GRADES, "others_average", "drift"]
_CSV_CHUNK_ROWS = 500


def quality_csv_rows(
    providers: Iterable[dict], organizations: list[dict], scorers: list[dict]
) -> Iterator[list]:
    """One table: a row per provider, organisation and scorer, with a column naming which."""
    yield CSV_HEADER
    for r in providers:
        yield ["provider", r["provider_id"], r["name"], r["organization"], r["count"], r["average"],
               *r["grades"].values(), "", ""]  # fmt: skip
    for r in organizations:
        yield ["organisation", r["organization_id"], r["name"], "", r["count"], r["average"],
               *r["grades"].values(), "", ""]  # fmt: skip
    for r in scorers:
        yield ["scorer", r["scorer_id"], r["name"], "", r["count"], r["average"], *([""] * len(GRADES)),
               r["others_average"], r["drift"]]  # fmt: skip


def quality_csv_chunks(rows: Iterable[list]) -> Iterator[str]:
    """The CSV written as it is read, a few hundred rows at a time (names are neutralised: a name may
    start a spreadsheet formula)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for i, row in enumerate(rows, 1):
        writer.writerow(safe_row(row))
        if i % _CSV_CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def quality_csv(report: dict) -> str:
    """A report's table as one string (a report already read)."""
    rows = quality_csv_rows(report["providers"], report["organizations"], report["scorers"])
    return "".join(quality_csv_chunks(rows))


def quality_csv_stream(session: Session, date_from, date_to) -> Iterator[str]:
    """Every provider of the period, then the organisations and scorers, streamed: the small tables
    are read first, the provider rows from a server-side cursor as the file is sent."""
    orgs = organization_figures(session, rollup(session, date_from, date_to))
    scorers = scorer_drift(session, date_from, date_to)
    return quality_csv_chunks(quality_csv_rows(provider_rows(session, date_from, date_to), orgs, scorers))


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
