"""Stations: places outside the centre that take applications or are staffed by duty providers
(DESIGN.md "Workstations and duty rota"). The front desk chooses one; the duty rota builds on them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.consultations_models import STATION_KINDS, Station
from assignment.roles import require_role
from legalaid import audit
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotFound, say


def create_station(session: Session, data: dict, actor) -> Station:
    """A place outside the centre that takes applications or is staffed by duty providers."""
    require_role(actor, "admin")
    name = (data.get("name") or "").strip()
    problems = {}
    if not name:
        problems["name"] = [say("Required.")]
    elif session.scalar(sa.select(Station.id).where(sa.func.lower(Station.name) == name.lower())):
        problems["name"] = [say("Another station has this name.")]
    if data.get("kind") not in STATION_KINDS:
        problems["kind"] = [say("One of %(choices)s.", choices=", ".join(STATION_KINDS))]
    if problems:
        raise Invalid(say("The station is not valid."), fields=problems)
    station = Station(
        name=name,
        kind=data["kind"],
        area=(data.get("area") or "").strip() or None,
        address=(data.get("address") or "").strip() or None,
        hours=(data.get("hours") or "").strip() or None,
    )
    session.add(station)
    session.flush()
    audit.record(
        session, actor, "station.create", "station", station.id, None, {"name": name, "kind": station.kind}
    )
    return station


def active_stations(session: Session) -> list[Station]:
    return list(session.scalars(sa.select(Station).where(Station.active.is_(True)).order_by(Station.name)))


STATION_FIELDS = ("name", "kind", "area", "address", "hours", "active")


def get_station(session: Session, station_id: int) -> Station:
    station = session.get(Station, station_id)
    if station is None:
        raise NotFound(say("No such station."))
    return station


def _summary(station: Station) -> dict:
    return {field: getattr(station, field) for field in STATION_FIELDS}


def update_station(session: Session, station_id: int, fields: dict, actor) -> Station:
    """Correct a station's name, kind, area, address or hours, or (de)activate it; a station is never
    deleted (its cases and shifts keep naming it). A field left out is kept."""
    require_role(actor, "admin")
    station = lock_row(session, Station, station_id)
    if station is None:
        raise NotFound(say("No such station."))
    problems = {}
    if "name" in fields:
        name = (fields["name"] or "").strip()
        if not name:
            problems["name"] = [say("Required.")]
        elif session.scalar(
            sa.select(Station.id).where(sa.func.lower(Station.name) == name.lower(), Station.id != station.id)
        ):
            problems["name"] = [say("Another station has this name.")]
    if "kind" in fields and fields["kind"] not in STATION_KINDS:
        problems["kind"] = [say("One of %(choices)s.", choices=", ".join(STATION_KINDS))]
    if problems:
        raise Invalid(say("The station is not valid."), fields=problems)
    before = _summary(station)
    for field in ("area", "address", "hours"):
        if field in fields:
            setattr(station, field, (fields[field] or "").strip() or None)
    if "name" in fields:
        station.name = fields["name"].strip()
    if "kind" in fields:
        station.kind = fields["kind"]
    if fields.get("active") is not None:
        station.active = bool(fields["active"])
    session.flush()
    audit.record(session, actor, "station.update", "station", station.id, before, _summary(station))
    return station


def station_list_statement(*, kind: str | None = None, active: bool | None = None) -> sa.Select:
    stmt = sa.select(Station)
    if kind:
        stmt = stmt.where(Station.kind == kind)
    if active is not None:
        stmt = stmt.where(Station.active.is_(active))
    return stmt.order_by(Station.name, Station.id)
