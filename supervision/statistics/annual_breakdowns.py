"""The annual report's breakdowns (by organisation, provider, station and area; paged when wide) and
its monthly trend, each one grouped statement over the period's rows."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.consultations_models import Consultation, Station
from assignment.models import Assignment, Case, Organization, Provider
from supervision.statistics import annual_figures as af
from supervision.statistics.annual_figures import _bounds, _count, _sum, station_columns_exist

PER_PAGE = 50


def by_handler(session: Session, start: dt.date, end: dt.date, page: int = 1) -> tuple[list, dict]:
    """Cases received in the period by the organisation, and by the provider (a page at a time), of
    their accepted live assignment: one grouped statement per provider (the organisations' rows are
    their providers' added up), not one join of the year's cases for each table."""
    stmt = (
        sa.select(
            Provider.id,
            Provider.name,
            Organization.id.label("organization_id"),
            Organization.name.label("organization"),
            Organization.area,
            sa.func.count().label("cases"),
            _count(Case.status.in_(("closed", "archived"))).label("closed"),
            _sum(Case.group_size).label("persons"),
        )
        .select_from(Case)
        .join(Assignment, sa.and_(Assignment.case_id == Case.id, Assignment.live.is_(True)))
        .join(Provider, Provider.id == Assignment.provider_id)
        .join(Organization, Organization.id == Provider.organization_id)
        .where(Case.received_on.between(start, end), Assignment.status == "accepted")
        .group_by(Provider.id, Provider.name, Organization.id, Organization.name, Organization.area)
    )
    rows = [r._asdict() for r in session.execute(stmt)]
    organizations: dict[int, dict] = {}
    for r in rows:
        org = organizations.setdefault(
            r["organization_id"],
            {
                "id": r["organization_id"],
                "name": r["organization"],
                "area": r["area"],
                "cases": 0,
                "closed": 0,
                "persons": 0,
            },
        )
        for key in ("cases", "closed", "persons"):
            org[key] += int(r[key])
    by_org = sorted(organizations.values(), key=lambda o: (-o["cases"], o["name"]))[:PER_PAGE]
    rows.sort(key=lambda r: (-r["cases"], r["name"], r["id"]))
    shown = [
        {k: r[k] for k in ("id", "name", "organization", "cases", "closed")} | {"persons": int(r["persons"])}
        for r in rows[(page - 1) * PER_PAGE : page * PER_PAGE]
    ]
    return by_org, {"page": page, "per_page": PER_PAGE, "total": len(rows), "rows": shown}


def by_provider(session: Session, start: dt.date, end: dt.date, page: int = 1) -> dict:
    """Cases received in the period by the provider of their accepted live assignment, a page at a time."""
    return by_handler(session, start, end, page)[1]


def by_organization(session: Session, start: dt.date, end: dt.date) -> list[dict]:
    return by_handler(session, start, end)[0]


def received_by_month_and_area(session: Session, start: dt.date, end: dt.date) -> list[tuple]:
    """Cases received and their persons in the period per month and intake point (a few hundred rows):
    the breakdown by area and the monthly trend both read them (one pass over the year's cases)."""
    month, area = af.month_of(session, Case.received_on), sa.func.coalesce(Case.intake_point, "")
    stmt = (
        sa.select(month, area, sa.func.count(), _sum(Case.group_size))
        .where(Case.received_on.between(start, end))
        .group_by(month, area)
    )
    return [(m, a, int(n), int(persons)) for m, a, n, persons in session.execute(stmt)]


def by_area(session: Session, start: dt.date, end: dt.date, received: list | None = None) -> list[dict]:
    """Cases received in the period by their intake point / area (as typed at intake)."""
    areas: dict[str, dict] = {}
    for _month, area, n, persons in (
        received if received is not None else received_by_month_and_area(session, start, end)
    ):
        row = areas.setdefault(area, {"area": area, "cases": 0, "persons": 0})
        row["cases"] += n
        row["persons"] += persons
    return sorted(areas.values(), key=lambda r: (-r["cases"], r["area"]))[:PER_PAGE]


def by_station(session: Session, start: dt.date, end: dt.date) -> list[dict]:
    """Consultations at each station in the period (and cases taken there, once cases have stations)."""
    lower, upper = _bounds(start, end)
    consultations = dict(
        session.execute(
            sa.select(Consultation.station_id, sa.func.count())
            .where(
                Consultation.occurred_at >= lower,
                Consultation.occurred_at < upper,
                Consultation.station_id.is_not(None),
            )
            .group_by(Consultation.station_id)
        ).all()
    )
    cases: dict = {}
    if station_columns_exist(session):
        cases = dict(
            session.execute(
                sa.select(Case.station_id, sa.func.count())
                .where(Case.received_on.between(start, end), Case.station_id.is_not(None))
                .group_by(Case.station_id)
            ).all()
        )
    ids = set(consultations) | set(cases)
    if not ids:
        return []
    names = dict(session.execute(sa.select(Station.id, Station.name).where(Station.id.in_(ids))).all())
    rows = [
        {
            "id": i,
            "name": names.get(i, ""),
            "consultations": consultations.get(i, 0),
            "cases": cases.get(i, 0),
        }
        for i in ids
    ]
    return sorted(rows, key=lambda r: (-r["cases"] - r["consultations"], r["name"]))[:PER_PAGE]


def month_keys(start: dt.date, end: dt.date) -> list[str]:
    keys, day = [], start.replace(day=1)
    while day <= end:
        keys.append(day.strftime("%Y-%m"))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return keys


def month_periods(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The period cut at month ends (the first and last pieces may be part months)."""
    out, day = [], start
    while day <= end:
        following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        out.append((day, min(end, following - dt.timedelta(days=1))))
        day = following
    return out


def monthly_trend(
    session: Session, start: dt.date, end: dt.date, months: dict | None = None, received: list | None = None
) -> list[dict]:
    """Per month: cases received, persons, cases closed (ended), consultations (centre's local months).
    The closings and consultations per month are those ``af.figures_for_periods`` kept in ``months``
    while counting the period (its first), or are counted now."""
    trend = {
        k: {"month": k, "received": 0, "persons": 0, "closed": 0, "consultations": 0}
        for k in month_keys(start, end)
    }
    for key, _area, n, persons in (
        received if received is not None else received_by_month_and_area(session, start, end)
    ):
        trend[key]["received"] += n
        trend[key]["persons"] += persons
    if months is None:
        months = {"closings": [], "consultations": []}
        af.closing_counts(session, [(start, end)], months["closings"])
        af.consultation_counts(session, [(start, end)], months["consultations"])
    for period, (key,), figures in months["closings"]:
        if period == 0:
            trend[key]["closed"] += figures["closings.ended"]
    # Consultations are instants: counted per month of the centre's calendar, as the period figures.
    for period, (key,), figures in months["consultations"]:
        if period == 0:
            trend[key]["consultations"] += figures["consultations.total"]
    return list(trend.values())
