"""Cases taken at stations (issue 14, DESIGN.md "Workstations and duty rota"): the station and its
receipt, the centre's receipt, the applicant's detention, and the forwarding limit between the two.

A station forwards an application to the centre within 3 working days of taking it, a detained
applicant's request within 24 hours (Law art. 39: ``assignment.deadlines.forwarding_due``); the 7-day
decision runs from the centre's receipt (Law art. 43). A case registered at the station before it
reaches the centre waits for ``record_centre_receipt``; until then its forwarding can run late."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.consultations_models import Station
from assignment.deadlines import forwarding_due
from assignment.models import Case
from assignment.roles import require_role
from legalaid import audit, clock
from legalaid.errors import Invalid, NotAllowed, say

COORDINATOR = ("coordinator",)


def _aware(moment):
    if moment is None or not isinstance(moment, dt.datetime):
        return moment
    return moment if moment.tzinfo else moment.replace(tzinfo=clock.centre_tz())


def station_problems(session: Session, data: dict) -> dict[str, list[str]]:
    """What is wrong with an application's station fields (empty: nothing)."""
    problems: dict[str, list[str]] = {}
    station_id = data.get("station_id")
    taken, reached = _aware(data.get("station_received_at")), _aware(data.get("centre_received_at"))
    now = clock.now()
    if station_id is not None:
        station = session.get(Station, station_id)
        if station is None:
            problems["station_id"] = [say("Unknown station.")]
        elif not station.active:
            problems["station_id"] = [say("This station is no longer active.")]
        if taken is None:
            problems["station_received_at"] = [say("Required for an application taken at a station.")]
    elif taken is not None:
        problems["station_received_at"] = [say("Only for an application taken at a station.")]
    if taken is not None and taken > now:
        problems["station_received_at"] = [say("In the future.")]
    if reached is not None and reached > now:
        problems["centre_received_at"] = [say("In the future.")]
    elif reached is not None and taken is not None and reached < taken:
        problems["centre_received_at"] = [say("Before the station received it.")]
    return problems


def station_columns(session: Session, data: dict) -> dict:
    """The case's station columns from checked input; an application taken at a station without an
    area typed is in the station's area (rotation pools and travel extras read ``intake_point``)."""
    station_id = data.get("station_id")
    columns = {
        "intake_point": (data.get("intake_point") or "").strip() or None,
        "station_id": station_id,
        "station_received_at": _aware(data.get("station_received_at")),
        "centre_received_at": _aware(data.get("centre_received_at")),
        "detained": bool(data.get("detained")),
    }
    if station_id is not None and columns["intake_point"] is None:
        station = session.get(Station, station_id)
        columns["intake_point"] = (station.area or station.name)[:100] if station else None
    return columns


def decision_start(case: Case) -> dt.date | None:
    """The day the 7-day decision clock starts: the centre's receipt (Law art. 43); for a case the
    centre has not received yet from its station, none (the clock has not started)."""
    if case.centre_received_at is not None:
        return clock.local_date(case.centre_received_at)
    if case.station_received_at is not None:
        return None
    return case.received_on


def forwarding_deadline(session: Session, case: Case, now: dt.datetime | None = None) -> dict | None:
    """The forwarding limit of a case taken at a station, as the case's other deadlines (``due_on``,
    ``done_on``, ``state``) with the exact ``due_at``: late when the centre received it after it."""
    if case.station_received_at is None:
        return None
    now = now or clock.now()
    due_at = forwarding_due(session, case.station_received_at, bool(case.detained))
    reached = case.centre_received_at
    if reached is not None:
        state = "done_late" if reached > due_at else "done"
    else:
        state = "overdue" if now > due_at else "open"
    return {
        "due_on": clock.local_date(due_at),
        "due_at": due_at,
        "done_on": clock.local_date(reached) if reached is not None else None,
        "state": state,
    }


def judge_forwarding(session: Session, case: Case) -> bool | None:
    """Whether the station forwarded the case late, judged by the one limit once the centre has it,
    and kept on the case (``forwarded_late``) for the statistics; none while the station holds it."""
    deadline = forwarding_deadline(session, case)
    if deadline is None or case.centre_received_at is None:
        return None
    case.forwarded_late = deadline["state"] == "done_late"
    return case.forwarded_late


def record_centre_receipt(session: Session, case: Case, actor, at: dt.datetime | None = None) -> Case:
    """The centre received the application its station took: the forwarding ends (on time or late)
    and the decision clock starts. ``case`` is locked by the caller (``get_case(for_update=True)``);
    a receipt already recorded (two clerks at once) → 409."""
    require_role(actor, *COORDINATOR)
    if case.station_received_at is None:
        raise NotAllowed(say("Case %(number)s was not taken at a station.", number=case.number))
    if case.centre_received_at is not None:
        raise NotAllowed(
            say("The centre's receipt of case %(number)s is already recorded.", number=case.number)
        )
    at = _aware(at) or clock.now()
    if at > clock.now():
        raise Invalid(say("In the future."), fields={"received_at": [say("In the future.")]})
    if at < case.station_received_at:
        raise Invalid(
            say("Before the station received it."),
            fields={"received_at": [say("Before the station received it.")]},
        )
    case.centre_received_at = at
    late = judge_forwarding(session, case)
    audit.record(
        session,
        actor,
        "case.centre_receipt",
        "case",
        case.id,
        {"centre_received_at": None},
        {"centre_received_at": at, "forwarded_late": late},
    )
    return case


def awaiting_forwarding(session: Session) -> list[Case]:
    """Cases taken at a station that the centre has not received yet (open cases only)."""
    return list(
        session.scalars(
            sa.select(Case)
            .where(
                Case.station_received_at.is_not(None),
                Case.centre_received_at.is_(None),
                Case.status.in_(("applied", "pending_materials", "accepted")),
            )
            .order_by(Case.station_received_at, Case.id)
        )
    )


def station_statistics(
    session: Session,
    from_: dt.date | None = None,
    to: dt.date | None = None,
    *,
    station_id: int | None = None,
) -> list[dict]:
    """Per station (or the one ``station_id``), the applications it took in the period (by the
    station's receipt): how many, how many reached the centre, how many of those late, how many still
    at the station and overdue. The counts are one grouped statement; only the applications still at a
    station (few) are read, each judged by the one calculator, once per day of receipt."""
    period = [Case.station_id.is_not(None)]
    if station_id is not None:
        period.append(Case.station_id == station_id)
    if from_ is not None:
        period.append(Case.station_received_at >= clock.day_bounds(from_)[0])
    if to is not None:
        period.append(Case.station_received_at < clock.day_bounds(to)[1])
    reached = sa.and_(Case.station_received_at.is_not(None), Case.centre_received_at.is_not(None))
    counts = session.execute(
        sa.select(
            Case.station_id,
            sa.func.count(),
            sa.func.count().filter(reached),
            sa.func.count().filter(reached, Case.forwarded_late.is_(True)),
        )
        .where(*period)
        .group_by(Case.station_id)
    )
    figures: dict[int, dict] = {
        sid: {"taken": taken, "forwarded": forwarded, "forwarded_late": late, "awaiting": 0, "overdue": 0}
        for sid, taken, forwarded, late in counts
    }
    waiting = session.execute(
        sa.select(Case.station_id, Case.station_received_at, Case.detained).where(
            *period, Case.station_received_at.is_not(None), Case.centre_received_at.is_(None)
        )
    )
    now = clock.now()
    due_by_day: dict[tuple[dt.date, bool], dt.datetime] = {}
    for sid, taken, detained in waiting:
        if detained:
            due_at = forwarding_due(session, taken, True)
        else:
            key = (clock.local_date(taken), False)
            if key not in due_by_day:
                due_by_day[key] = forwarding_due(session, taken, False)
            due_at = due_by_day[key]
        figures[sid]["awaiting"] += 1
        figures[sid]["overdue"] += now > due_at
    listed = sa.select(Station).order_by(Station.name, Station.id)
    if station_id is not None:
        listed = listed.where(Station.id == station_id)
    stations = session.scalars(listed)
    empty = {"taken": 0, "forwarded": 0, "forwarded_late": 0, "awaiting": 0, "overdue": 0}
    return [
        {"station_id": s.id, "name": s.name, "kind": s.kind, "active": s.active, **figures.get(s.id, empty)}
        for s in stations
    ]
