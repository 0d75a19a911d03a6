"""The working-day calendar: Monday to Friday, except the holidays and make-up working days (调休)
an admin records. Limits configured in working days count on it (DESIGN.md §4)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.models import CalendarDay
from legalaid import audit
from legalaid.errors import NotFound, say

ADMIN = ("admin",)


def _exceptions(session: Session, start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    rows = session.execute(
        sa.select(CalendarDay.day, CalendarDay.working).where(CalendarDay.day.between(start, end))
    )
    return dict(rows.all())


def is_working_day(session: Session, day: dt.date, exceptions: dict[dt.date, bool] | None = None) -> bool:
    if exceptions is None:
        exceptions = _exceptions(session, day, day)
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def add_working_days(session: Session, start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
    # Golden Week and Spring Festival are at most 9 days off in a row; look far enough ahead at once.
    horizon = start + dt.timedelta(days=days * 2 + 21)
    exceptions = _exceptions(session, start, horizon)
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day > horizon:
            horizon = day + dt.timedelta(days=60)
            exceptions |= _exceptions(session, day, horizon)
        if is_working_day(session, day, exceptions):
            counted += 1
    return day


def add_days(session: Session, start: dt.date, days: int, unit: str = "calendar") -> dt.date:
    """A limit of ``days`` from ``start`` in calendar or working days."""
    if unit == "working":
        return add_working_days(session, start, days)
    return start + dt.timedelta(days=days)


def set_calendar_day(session: Session, actor, day: dt.date, working: bool, note: str | None = None):
    """Record a holiday (``working=False``) or a make-up working day (``working=True``)."""
    from assignment.roles import require_role

    require_role(actor, *ADMIN)
    row = session.get(CalendarDay, day)
    before = {"working": row.working, "note": row.note} if row else None
    if row is None:
        row = CalendarDay(day=day, working=working)
        session.add(row)
    row.working, row.note = working, (note or "").strip() or None
    row.changed_by = getattr(actor, "id", None)
    session.flush()
    audit.record(
        session,
        actor,
        "calendar.set_day",
        "calendar_day",
        None,
        before,
        {"day": day, "working": working, "note": row.note},
    )
    return row


def clear_calendar_day(session: Session, actor, day: dt.date) -> None:
    from assignment.roles import require_role

    require_role(actor, *ADMIN)
    # Locked: of two clears at once the second finds no row (404), not a row already deleted (500).
    row = session.get(CalendarDay, day, with_for_update=True, populate_existing=True)
    if row is None:
        raise NotFound(say("That day has no exception."))
    audit.record(
        session,
        actor,
        "calendar.clear_day",
        "calendar_day",
        None,
        {"day": day, "working": row.working, "note": row.note},
        None,
    )
    session.delete(row)


def calendar_days(session: Session, year: int) -> list[CalendarDay]:
    return list(
        session.scalars(
            sa.select(CalendarDay)
            .where(CalendarDay.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
            .order_by(CalendarDay.day)
        )
    )
