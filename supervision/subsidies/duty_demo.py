"""The duty subsidy's part of ``legalaid demo`` (issue 14), after the duty rota's: last month of one
station reviewed and archived by a coordinator, its done shifts' subsidies batched and paid."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from legalaid import clock
from legalaid.demo import on_day
from legalaid.errors import DomainError
from legalaid.hooks import add_demo_step
from supervision.subsidies.demo import _first_user


def build_duty_subsidies(session: Session, progress) -> None:
    from assignment.duty.models import DutyRota
    from supervision.subsidies.batches import confirm_batch, create_payment_batch
    from supervision.subsidies.duty import archive_month

    coordinator = _first_user(session, "coordinator", "coord")
    clerk = _first_user(session, "finance", "finance")
    if coordinator is None or clerk is None:
        progress("  no coordinator or finance login; duty subsidies skipped")
        return
    first_of_month = clock.today().replace(day=1)
    month = (first_of_month - dt.timedelta(days=1)).strftime("%Y-%m")
    stations = session.scalars(
        sa.select(DutyRota.station_id)
        .where(DutyRota.month == month, DutyRota.status == "published")
        .order_by(DutyRota.station_id)
    ).all()
    for station_id in stations:
        try:
            with session.begin_nested(), on_day(first_of_month, dt.time(9)):
                _record, created = archive_month(session, coordinator, station_id, month)
        except DomainError as exc:
            progress(f"  station {station_id} {month} not archived: {exc.message}")
            continue
        if not created:
            continue
        ids = [s.id for s in created]
        with on_day(first_of_month + dt.timedelta(days=1), dt.time(10)):
            batch = create_payment_batch(session, clerk, ids)
        paid_on = min(first_of_month + dt.timedelta(days=3), clock.today())
        with on_day(paid_on, dt.time(16)):
            confirm_batch(session, clerk, batch.id, bank_reference=f"ICBC-DUTY-{month}", paid_on=paid_on)
        session.commit()
        progress(
            f"  {month} of station {station_id} archived: {len(ids)} duty subsidies paid in batch {batch.id}"
        )
        return
    session.commit()
    progress("  no station's last month could be archived")


def register(app: Flask) -> None:
    add_demo_step(app, "duty subsidies: a station's month archived and paid", build_duty_subsidies, order=55)
