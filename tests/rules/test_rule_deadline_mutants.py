"""The forwarding limits of a workstation (DESIGN.md "Workstations"; Law art. 39) in the one deadline
calculator, to the minute (issue 12, mutation run of ``assignment/deadlines.py``): a detained
applicant's request within 24 hours of the station taking it; any other within 3 working days of the
station's day of receipt, to the last instant of that day at the centre; both limits the centre's."""

from __future__ import annotations

import datetime as dt

import pytest

from assignment import deadlines, workdays
from legalaid import clock


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` at ``hour:minute`` on the centre's wall clock (aware, UTC)."""
    return clock.local_moment(day, dt.time(hour, minute))


@pytest.fixture
def rules_ctx(app, session):
    """An app context with the rules in force (``app.config``) and the test's session."""
    return app


def test_the_forwarding_limits_in_the_table(rules_ctx):
    assert deadlines.limits()["forwarding_days"] == 3
    assert deadlines.limits()["forwarding_detained_hours"] == 24
    assert deadlines.unit("forwarding") == "working"


def test_a_detained_applicants_request_is_due_24_hours_later_to_the_minute(rules_ctx, session):
    taken = _at(dt.date(2026, 10, 2), 21, 17)  # a Friday evening: hours, not working days
    due = deadlines.forwarding_due(session, taken, True)
    assert due == _at(dt.date(2026, 10, 3), 21, 17)
    assert due - taken == dt.timedelta(hours=24)


def test_any_other_application_is_due_at_the_end_of_the_third_working_day(rules_ctx, session):
    # Taken on Friday 2 October: Monday 5, Tuesday 6, Wednesday 7 October; due up to the last instant
    # of Wednesday at the centre, not a moment after midnight.
    taken = _at(dt.date(2026, 10, 2), 9, 30)
    due = deadlines.forwarding_due(session, taken, False)
    midnight = _at(dt.date(2026, 10, 8), 0)
    assert due == midnight - dt.timedelta(microseconds=1)
    assert clock.local_date(due) == dt.date(2026, 10, 7)
    # a holiday in the three days moves it on
    workdays.set_calendar_day(session, None, dt.date(2026, 10, 6), working=False, note="holiday")
    session.flush()
    assert deadlines.forwarding_due(session, taken, False) == _at(dt.date(2026, 10, 9), 0) - dt.timedelta(
        microseconds=1
    )


def test_the_stations_day_of_receipt_is_the_centres_date(rules_ctx, session):
    # 00:30 on Monday 5 October at the centre is still Sunday 4 October in UTC: the count starts from
    # Monday (Tuesday 6, Wednesday 7, Thursday 8), not from Sunday (Monday 5 ... Wednesday 7).
    taken = _at(dt.date(2026, 10, 5), 0, 30)
    assert taken.astimezone(dt.UTC).date() == dt.date(2026, 10, 4)
    assert deadlines.forwarding_due(session, taken, False) == _at(dt.date(2026, 10, 9), 0) - dt.timedelta(
        microseconds=1
    )


def test_the_centre_sets_both_forwarding_limits(rules_ctx, session):
    rules_ctx.config["CASE_LIMITS"] = {"forwarding_detained_hours": 12, "forwarding_days": 1}
    taken = _at(dt.date(2026, 10, 2), 9, 30)  # Friday
    assert deadlines.forwarding_due(session, taken, True) == _at(dt.date(2026, 10, 2), 21, 30)
    assert deadlines.forwarding_due(session, taken, False) == _at(dt.date(2026, 10, 6), 0) - dt.timedelta(
        microseconds=1
    )
    rules_ctx.config["DEADLINE_UNITS"] = {"forwarding": "calendar"}
    assert deadlines.forwarding_due(session, taken, False) == _at(dt.date(2026, 10, 4), 0) - dt.timedelta(
        microseconds=1
    )
