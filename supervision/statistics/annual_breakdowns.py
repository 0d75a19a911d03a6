"""The annual report's breakdowns (by organisation, provider, station and area; paged when wide) and
its monthly trend, each one grouped statement over the period's rows."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.consultations_models import Consultation, Station
from assignment.models import Assignment, Case, Organization, Provider
from legalaid import clock
from supervision.scoring.models import CaseClosing
from supervision.statistics.annual_figures import _bounds, _count, _sum, station_columns_exist

PER_PAGE = 50


def by_provider(session: Session, start: dt.date, end: dt.date, page: int = 1) -> dict:
    """Cases received in the period by the provider of their accepted live assignment, a page at a time
    (the number of providers counted in the same statement)."""
    stmt = (
        sa.select(
            Provider.id,
            Provider.name,
            Organization.name.label("organization"),
            sa.func.count().label("cases"),
            _count(Case.status.in_(("closed", "archived"))).label("closed"),
            _sum(Case.group_size).label("persons"),
            sa.func.count().over().label("total"),
        )
        .select_from(Case)
        .join(Assignment, sa.and_(Assignment.case_id == Case.id, Assignment.live.is_(True)))
        .join(Provider, Provider.id == Assignment.provider_id)
        .join(Organization, Organization.id == Provider.organization_id)
        .where(Case.received_on.between(start, end), Assignment.status == "accepted")
        .group_by(Provider.id, Provider.name, Organization.name)
        .order_by(sa.desc("cases"), Provider.name, Provider.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    rows = [r._asdict() for r in session.execute(stmt)]
    total = rows[0].pop("total") if rows else 0
    for r in rows[1:]:
        r.pop("total")
    return {"page": page, "per_page": PER_PAGE, "total": total, "rows": rows}


def by_organization(session: Session, start: dt.date, end: dt.date) -> list[dict]:
    stmt = (
        sa.select(
            Organization.id,
            Organization.name,
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
        .group_by(Organization.id, Organization.name, Organization.area)
        .order_by(sa.desc("cases"), Organization.name)
        .limit(PER_PAGE)
    )
    return [r._asdict() for r in session.execute(stmt)]


def by_area(session: Session, start: dt.date, end: dt.date) -> list[dict]:
    """Cases received in the period by their intake point / area (as typed at intake)."""
    area = sa.func.coalesce(Case.intake_point, "")
    stmt = (
        sa.select(area.label("area"), sa.func.count().label("cases"), _sum(Case.group_size).label("persons"))
        .where(Case.received_on.between(start, end))
        .group_by(area)
        .order_by(sa.desc("cases"), area)
        .limit(PER_PAGE)
    )
    return [r._asdict() for r in session.execute(stmt)]


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


def _month(session: Session, column):
    if session.get_bind().dialect.name == "sqlite":
        return sa.func.strftime("%Y-%m", column)
    return sa.func.to_char(column, "YYYY-MM")


def monthly_trend(session: Session, start: dt.date, end: dt.date) -> list[dict]:
    """Per month: cases received, persons, cases closed (ended), consultations (centre's local months)."""
    months = {
        k: {"month": k, "received": 0, "persons": 0, "closed": 0, "consultations": 0}
        for k in month_keys(start, end)
    }
    month = _month(session, Case.received_on)
    for key, n, persons in session.execute(
        sa.select(month, sa.func.count(), _sum(Case.group_size))
        .where(Case.received_on.between(start, end))
        .group_by(month)
    ):
        months[key].update(received=n, persons=int(persons))
    month = _month(session, CaseClosing.ended_on)
    for key, n in session.execute(
        sa.select(month, sa.func.count()).where(CaseClosing.ended_on.between(start, end)).group_by(month)
    ):
        months[key]["closed"] = n
    # Consultations are instants: counted per month of the centre's calendar, as the period figures.
    lower, upper = _bounds(start, end)
    month = _month(session, _local(session, Consultation.occurred_at, start))
    for key, n in session.execute(
        sa.select(month, sa.func.count())
        .where(Consultation.occurred_at >= lower, Consultation.occurred_at < upper)
        .group_by(month)
    ):
        months[key]["consultations"] = n
    return list(months.values())


def _local(session: Session, column, day: dt.date):
    """A UTC timestamp column as the centre's local time (SQLite keeps naive UTC text)."""
    tz = clock.centre_tz()
    if session.get_bind().dialect.name != "sqlite":
        return sa.func.timezone(str(tz.key), column)
    return sa.func.datetime(column, f"{_utc_offset_hours(tz, day):+d} hours")


def _utc_offset_hours(tz, day: dt.date) -> int:
    offset = dt.datetime.combine(day, dt.time(12), tzinfo=tz).utcoffset() or dt.timedelta()
    return int(offset.total_seconds() // 3600)
