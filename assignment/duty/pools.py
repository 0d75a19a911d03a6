"""Duty pools: rotation pools of purpose ``duty`` that staff one station's shifts (or, without a
station, any station of the pool's area). They claim no case scope, so they never serve cases; a
case pool never staffs shifts (generation refuses it). Members join and change weight through
``assignment.pools.set_pool_member`` like any pool's."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.consultations_models import Station
from assignment.duty.models import LAWYERS_ONLY_STATIONS
from assignment.models import PROVIDER_KINDS, RotationPool
from assignment.roles import require_role
from legalaid import audit
from legalaid.errors import Invalid, NotFound, say


def create_duty_pool(
    session: Session, actor, name: str, provider_kinds: Iterable[str], *, station_id: int | None = None,
    area: str | None = None,
) -> RotationPool:  # fmt: skip
    """A duty pool for a station; lawyers only for court, procuratorate and detention-centre stations."""
    require_role(actor, "admin")
    name, kinds = (name or "").strip(), sorted(set(provider_kinds))
    problems = {}
    if not name or len(name) > 200:
        problems["name"] = [say("Required.")]
    elif session.scalar(sa.select(RotationPool.id).where(RotationPool.name == name)):
        problems["name"] = [say("A pool with this name exists.")]
    if not kinds or set(kinds) - set(PROVIDER_KINDS):
        problems["provider_kinds"] = [say("One or more of %(choices)s.", choices=", ".join(PROVIDER_KINDS))]
    station = None
    if station_id is not None:
        station = session.get(Station, station_id)
        if station is None:
            raise NotFound(say("No such station."))
        if station.kind in LAWYERS_ONLY_STATIONS and kinds != ["lawyer"]:
            problems["provider_kinds"] = [
                say("Lawyers only at court, procuratorate and detention-centre stations.")
            ]
    if problems:
        raise Invalid(say("The pool is not valid."), fields=problems)
    pool = RotationPool(
        name=name, case_types=[], provider_kinds=kinds, area=(area or (station.area if station else None)),
        purpose="duty", station_id=station_id, weights=[],
    )  # fmt: skip
    session.add(pool)
    session.flush()
    audit.record(
        session, actor, "pool.create", "rotation_pool", pool.id, None,
        {"name": name, "purpose": "duty", "station_id": station_id, "provider_kinds": kinds},
    )  # fmt: skip
    return pool


def duty_pools_for(session: Session, station: Station) -> list[RotationPool]:
    """The duty pools that may staff ``station``: its own, then those of no station."""
    return list(
        session.scalars(
            sa.select(RotationPool)
            .where(
                RotationPool.purpose == "duty",
                sa.or_(
                    RotationPool.station_id == station.id,
                    sa.and_(
                        RotationPool.station_id.is_(None),
                        sa.or_(RotationPool.area.is_(None), RotationPool.area == station.area),
                    ),
                ),
            )
            .order_by(RotationPool.station_id.is_(None), RotationPool.name)
        )
    )
