"""Stations: places outside the centre that take applications or are staffed by duty providers
(DESIGN.md "Workstations and duty rota"). The front desk chooses one; the duty rota builds on them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.consultations_models import STATION_KINDS, Station
from assignment.roles import require_role
from legalaid import audit
from legalaid.errors import Invalid, say


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
