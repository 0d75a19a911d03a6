"""The centre's clock: the one place that reads the time.

Every deadline, day count, reminder, page and statistic asks this module for "now" and "today", so
the whole service agrees on the date (in the centre's time zone, not the server's) and a test, a demo
or a rehearsal can move the clock for everything at once (``travel_to``). A new ``date.today()`` or
``datetime.now()`` elsewhere is refused by a test (tests/test_clock.py).

The clock is process-wide: an offset added to the system's UTC time. ``LEGALAID_CLOCK`` (an ISO date
or moment) moves it when the app starts, which the test suite uses to run on 31 December.
"""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"
_offset = dt.timedelta(0)


def centre_tz() -> ZoneInfo:
    """The centre's time zone (``LEGALAID_TIMEZONE``); outside a request, the environment's."""
    from flask import current_app, has_app_context

    if has_app_context():
        return ZoneInfo(current_app.config.get("TIMEZONE") or DEFAULT_TIMEZONE)
    return ZoneInfo(os.environ.get("LEGALAID_TIMEZONE") or DEFAULT_TIMEZONE)


def now() -> dt.datetime:
    """This instant, aware, in UTC (every stored timestamp is UTC)."""
    return machine_now() + _offset


def machine_now() -> dt.datetime:
    """The machine's own time, unmoved: only for timers that wait in real seconds (the scheduler's
    triggers), never for a date the centre reads."""
    return dt.datetime.now(dt.UTC)


def local_date(moment: dt.datetime) -> dt.date:
    """The centre's calendar date at ``moment``."""
    return moment.astimezone(centre_tz()).date()


def today() -> dt.date:
    """The centre's date now: the day every limit and count is measured from."""
    return local_date(now())


def local_moment(day: dt.date, at: dt.time) -> dt.datetime:
    """``day`` at ``at`` on the centre's wall clock, as an aware UTC instant."""
    return dt.datetime.combine(day, at, centre_tz()).astimezone(dt.UTC)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants at which the centre's day ``day`` starts and the next one starts."""
    return local_moment(day, dt.time()), local_moment(day + dt.timedelta(days=1), dt.time())


def note_request_arrival() -> None:
    """Registered first of all ``before_request`` hooks: when the request arrived, before it read
    anything or waited for a lock (``asked_at``)."""
    from flask import g

    g.asked_at = now()


def asked_at() -> dt.datetime:
    """When the current request arrived: a transition that must only change what the requester saw
    (a reassignment) compares it with when that state began."""
    from flask import g, has_request_context

    return (g.get("asked_at") if has_request_context() else None) or now()


def travel_to(when: dt.date | dt.datetime | str) -> None:
    """Move the clock so that it reads ``when`` now and runs on from there. A date means 10:00 at the
    centre that day (mid-morning, so a test never straddles midnight)."""
    global _offset
    if isinstance(when, str):
        when = dt.datetime.fromisoformat(when) if "T" in when or " " in when else dt.date.fromisoformat(when)
    if not isinstance(when, dt.datetime):
        when = dt.datetime.combine(when, dt.time(10), centre_tz())
    elif when.tzinfo is None:
        when = when.replace(tzinfo=centre_tz())
    _offset = when.astimezone(dt.UTC) - machine_now()


def reset() -> None:
    """Back to the system's time."""
    global _offset
    _offset = dt.timedelta(0)


def start_from_environment() -> None:
    """``LEGALAID_CLOCK``, when set, moves the clock at start-up (demos, rehearsals, the test suite)."""
    moved = os.environ.get("LEGALAID_CLOCK")
    if moved:
        travel_to(moved)
