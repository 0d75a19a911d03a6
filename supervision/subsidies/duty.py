"""Duty subsidies, archive-first (issue 14, DESIGN.md "Workstations and duty rota"): the coordinator
reviews a station's month of duty shifts (every shift with a provider done or missed) and archives it;
only then does each done shift's subsidy exist, ``payable``, computed once from the dated rate table
(case type ``duty``, per half day or whole day) and frozen with its breakdown. From there it goes
through the same batches, bank files and confirmation as a case's subsidy (``kind: duty``).

The database holds the rule too: a duty subsidy is payable, batched or paid only with its month's
``duty_month`` row, and the composite keys make that month the shift's own station's month."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.consultations_models import Station
from assignment.duty.forms import PART_LABELS
from assignment.duty.models import DutyRota, DutyShift
from assignment.duty.rota import month_bounds
from assignment.models import Provider
from assignment.roles import actor_id, require_role
from legalaid import audit, clock
from legalaid.db import lock_row
from legalaid.errors import NotAllowed, NotFound, joined, labelled, say
from supervision.subsidies.models import DutyMonth, Subsidy
from supervision.subsidies.rates import rate_in_force

COORDINATOR = ("coordinator",)
# A morning or an afternoon is half a day; a whole-day shift a day (the rate table's duty stages).
PART_STAGES = {"am": "half_day", "pm": "half_day", "day": "day"}


def month_shifts(session: Session, station_id: int, month: str) -> list[DutyShift]:
    """The shifts of the station's published rota for the month, by date and part."""
    first, last = month_bounds(month)
    return list(
        session.scalars(
            sa.select(DutyShift)
            .join(DutyRota, DutyRota.id == DutyShift.rota_id)
            .where(
                DutyShift.station_id == station_id,
                DutyRota.status == "published",
                DutyShift.on_date.between(first, last),
            )
            .order_by(DutyShift.on_date, DutyShift.part, DutyShift.id)
        )
    )


def month_missing(shifts: list[DutyShift]) -> list[str]:
    """What keeps a month from being archived: a staffed shift neither done nor missed (a gap, with no
    provider, has nobody to check or pay)."""
    return [
        say(
            "%(day)s %(part)s not checked out or marked missed",
            day=s.on_date.isoformat(),
            part=labelled(s.part, PART_LABELS),
        )
        for s in shifts
        if s.provider_id is not None and s.status not in ("done", "missed")
    ]


def duty_amount(session: Session, shift: DutyShift, provider: Provider) -> tuple[int, dict]:
    """The shift's subsidy in fen and its breakdown: the rate in force on the shift's day for its
    length and the provider's kind (Decimal-free: a rate is whole fen, paid once)."""
    stage = PART_STAGES[shift.part]
    rate = rate_in_force(session, "duty", stage, provider.kind, shift.on_date)
    return rate.amount_fen, {
        "kind": "duty",
        "rate_id": rate.id,
        "rate_fen": rate.amount_fen,
        "stage": stage,
        "part": shift.part,
        "on_date": shift.on_date.isoformat(),
        "provider_kind": provider.kind,
        "total_fen": rate.amount_fen,
    }


def archive_month(session: Session, actor, station_id: int, month: str) -> tuple[DutyMonth, list[Subsidy]]:
    """Archive the station's month: every staffed shift done or missed (else 409 listing what is
    missing), then each done shift's subsidy created ``payable``, frozen. The station row is locked, so
    of two coordinators archiving at once the second finds the month archived (409)."""
    require_role(actor, *COORDINATOR)
    month_bounds(month)
    station = lock_row(session, Station, station_id)
    if station is None:
        raise NotFound(say("No such station."))
    if session.scalar(
        sa.select(DutyMonth.id).where(DutyMonth.station_id == station_id, DutyMonth.month == month)
    ):
        raise NotAllowed(
            say("%(month)s of %(station)s is already archived.", month=month, station=station.name)
        )
    shifts = month_shifts(session, station_id, month)
    if not shifts:
        raise NotAllowed(
            say("%(station)s has no published shifts in %(month)s.", station=station.name, month=month)
        )
    missing = month_missing(shifts)
    if missing:
        raise NotAllowed(
            say("%(month)s cannot be archived yet: %(missing)s.", month=month, missing=joined(missing[:20]))
        )
    record = DutyMonth(
        station_id=station_id, month=month, archived_at=clock.now(), archived_by=actor_id(actor)
    )
    session.add(record)
    session.flush()
    today, now = clock.today(), clock.now()
    created = []
    for shift in shifts:
        if shift.status != "done" or shift.provider_id is None:
            continue
        provider = session.get(Provider, shift.provider_id)
        amount, breakdown = duty_amount(session, shift, provider)
        subsidy = Subsidy(
            kind="duty",
            duty_shift_id=shift.id,
            duty_station_id=station_id,
            duty_month_id=record.id,
            provider_id=shift.provider_id,
            status="payable",
            amount_fen=amount,
            breakdown=breakdown,
            archived_on=today,
            computed_at=now,
        )
        session.add(subsidy)
        created.append(subsidy)
    session.flush()
    for subsidy in created:
        audit.record(
            session,
            actor,
            "subsidy.create",
            "subsidy",
            subsidy.id,
            None,
            {
                "kind": "duty",
                "status": "payable",
                "amount_fen": subsidy.amount_fen,
                "shift": subsidy.duty_shift_id,
            },
        )
    audit.record(
        session,
        actor,
        "duty_month.archive",
        "station",
        station_id,
        None,
        {"month": month, "subsidies": len(created), "total_fen": sum(s.amount_fen for s in created)},
    )
    return record, created
