"""Drawing up a month for every station a duty pool staffs, at once (issue 14): what a coordinator
does for fifty stations on the last days of a month, in one go instead of fifty. Under the pool's
row lock the drafts of the month are superseded (their turns given back), the pool's members, their
leave, hearings and other shifts are read once, and the stations are planned one after another in
their order, each as ``rota.generate_rota`` plans one (``rota_plan.plan_month``, the same clock
arithmetic and rules): the rotas equal those of generating each station in that order. A station
whose month is published keeps it and is named in the answer.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.consultations_models import Station
from assignment.duty.models import SHIFT_PARTS, DutyRota, DutyShift
from assignment.duty.rota import (
    _M,
    _counted_turns,
    _give_back,
    _leave_days,
    _load,
    allowed_kinds,
    busy_parts,
    month_bounds,
    serves,
    shift_rows,
)
from assignment.duty.rota_plan import Plan, plan_month
from assignment.models import RotationPool
from assignment.roles import actor_id, require_role
from assignment.rotation.pool_clock import _write_members
from legalaid import audit
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotAllowed, NotFound, say


def stations_served(session: Session, pool: RotationPool) -> list[Station]:
    """The open stations a duty pool staffs, in the order they are drawn up (name, then id)."""
    open_stations = session.scalars(
        sa.select(Station).where(Station.active.is_(True)).order_by(Station.name, Station.id)
    )
    return [station for station in open_stations if serves(pool, station)]


def generate_month(
    session: Session, actor, pool_id: int, month: str, shifts: list[tuple[dt.date, str]]
) -> tuple[list[DutyRota], list[int]]:
    """Draft ``month`` for every open station the duty pool staffs, the same shifts at each: the new
    draft rotas, and the stations left as they are because their month is published. 409 when every
    station's month is published or the pool staffs no open station."""
    require_role(actor, "admin", "coordinator")
    first, last = month_bounds(month)
    if not shifts:
        raise Invalid(say("The rota is not valid."), fields={"shifts": [say("At least one shift.")]})
    if any(not (first <= day <= last) or part not in SHIFT_PARTS for day, part in shifts):
        raise Invalid(
            say("The rota is not valid."),
            fields={"shifts": [say("Every shift falls in the month, morning, afternoon or whole day.")]},
        )
    if session.get(RotationPool, pool_id) is None:
        raise NotFound(say("No such pool."))
    pool = lock_row(session, RotationPool, pool_id)  # generations from one pool queue here
    if pool.purpose != "duty":
        raise Invalid(say("The rota is not valid."), fields={"pool_id": [say("A duty pool.")]})
    stations = stations_served(session, pool)
    live = {
        rota.station_id: rota
        for rota in session.scalars(
            sa.select(DutyRota).where(
                DutyRota.month == month,
                DutyRota.status != "superseded",
                DutyRota.station_id.in_([s.id for s in stations] or [0]),
            )
        )
    }
    published = [s.id for s in stations if s.id in live and live[s.id].status == "published"]
    todo = [s for s in stations if s.id not in published]
    if not todo:
        raise NotAllowed(say("No station of this pool has a month left to draw up: %(month)s.", month=month))
    kinds = {station.id: allowed_kinds(pool, station) for station in todo}
    common = set.intersection(*kinds.values())
    seats, _bounds = _load(session, pool, common)  # every member: the month reaches through the pool
    changed = Plan()
    superseded = {}
    for station in todo:  # the drafts first, their turns given back
        draft = live.get(station.id)
        if draft is not None:
            draft = lock_row(session, DutyRota, draft.id)
            _give_back(pool, seats, _counted_turns(session, draft, pool), changed)
            superseded[station.id] = draft.id
    members = sa.select(_M.c.provider_id).where(_M.c.pool_id == pool.id).scalar_subquery()
    busy = busy_parts(session, members, first, last)
    leave = _leave_days(session, pool, first, last)
    planned = []
    for station in todo:
        outcome = plan_month(pool, seats, shifts, kinds[station.id], leave, busy)
        changed.changed.update(outcome.changed)
        rota = DutyRota(
            station_id=station.id, month=month, pool_id=pool.id, status="draft", created_by=actor_id(actor)
        )
        session.add(rota)
        planned.append((station, rota, outcome))
    session.flush()
    session.execute(
        sa.insert(DutyShift), [row for _s, rota, plan in planned for row in shift_rows(rota, plan)]
    )
    _write_members(session, pool.id, list(changed.changed.values()))
    for station, rota, plan in planned:
        gaps = sum(1 for s in plan.shifts if s["provider_id"] is None)
        summary = {"station_id": station.id, "month": month, "pool_id": pool.id, "shifts": len(shifts)}
        summary.update(gaps=gaps, superseded=superseded.get(station.id), with_the_pool=True)
        audit.record(session, actor, "duty_rota.generated", "duty_rota", rota.id, after=summary)
    return [rota for _station, rota, _plan in planned], published
