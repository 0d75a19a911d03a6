"""The forwarding limit of an application taken at a station (issue 14) at its boundaries, through the
service: 3 working days with a holiday between, 24 hours to the minute for a detained applicant, and
the 7-day decision counted from the centre's receipt."""

from __future__ import annotations

import datetime as dt

import pytest

from assignment import station_cases
from assignment.intake import case_deadlines
from assignment.workdays import set_calendar_day
from legalaid import clock
from legalaid.errors import Invalid, NotAllowed
from supervision.scheduling.deadlines import open_deadlines

WEDNESDAY = dt.date(2026, 9, 30)  # 1 October (Thursday) is made a holiday below


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), clock.centre_tz())


@pytest.fixture
def holiday(session):
    set_calendar_day(session, None, dt.date(2026, 10, 1), working=False, note="National Day")
    session.flush()


def _case(make_case_at, session, station, taken, reached=None, detained=False, **intake):
    return make_case_at(
        session,
        "applied",
        intake={
            "received_on": clock.local_date(taken),
            "station_id": station,
            "station_received_at": taken,
            "centre_received_at": reached,
            "detained": detained,
            **intake,
        },
    )


@pytest.mark.parametrize(
    "reached, state",
    [
        (local(dt.date(2026, 10, 6), 23, 59), "done"),  # the 3rd working day: Fri 2, Mon 5, Tue 6
        (local(dt.date(2026, 10, 7), 0, 0), "done_late"),
    ],
)
def test_three_working_days_with_a_holiday_between(
    session, make_case_at, station, holiday, centre_clock, reached, state
):
    centre_clock.travel_to(dt.date(2026, 10, 8))
    case = _case(make_case_at, session, station, local(WEDNESDAY, 16), reached)
    forwarding = case_deadlines(case)["forwarding"]
    assert forwarding["due_on"] == dt.date(2026, 10, 6)
    assert forwarding["state"] == state


def test_without_the_holiday_the_third_working_day_is_a_day_earlier(
    session, make_case_at, station, centre_clock
):
    centre_clock.travel_to(dt.date(2026, 10, 8))
    case = _case(make_case_at, session, station, local(WEDNESDAY, 16), local(dt.date(2026, 10, 5), 9))
    assert case_deadlines(case)["forwarding"]["due_on"] == dt.date(2026, 10, 5)
    assert case_deadlines(case)["forwarding"]["state"] == "done"


@pytest.mark.parametrize(
    "reached, state",
    [(local(dt.date(2026, 10, 7), 9, 30), "done"), (local(dt.date(2026, 10, 7), 9, 31), "done_late")],
)
def test_a_detained_applicant_24_hours_to_the_minute(
    session, make_case_at, station, centre_clock, reached, state
):
    centre_clock.travel_to(dt.date(2026, 10, 8))
    taken = local(dt.date(2026, 10, 6), 9, 30)
    case = _case(make_case_at, session, station, taken, reached, detained=True, case_type="criminal")
    forwarding = case_deadlines(case)["forwarding"]
    assert forwarding["due_at"] == taken + dt.timedelta(hours=24)
    assert forwarding["state"] == state


def test_a_detained_applicant_still_at_the_station_is_overdue_a_minute_after_24_hours(
    session, make_case_at, station, centre_clock
):
    taken = local(dt.date(2026, 10, 6), 9, 30)
    centre_clock.travel_to(taken)
    case = _case(make_case_at, session, station, taken, detained=True)
    centre_clock.travel_to(taken + dt.timedelta(hours=24, seconds=-1))  # the clock runs on from there
    assert case_deadlines(case)["forwarding"]["state"] == "open"
    centre_clock.travel_to(local(dt.date(2026, 10, 7), 9, 31))
    assert case_deadlines(case)["forwarding"]["state"] == "overdue"
    rows = {(d.case_id, d.name): d for d in open_deadlines(session)}
    assert rows[(case.id, "forwarding")].due_on == dt.date(2026, 10, 7)
    assert (case.id, "decision") not in rows  # the decision clock has not started


def test_the_forwarding_limits_are_configurable(app, session, make_case_at, station, centre_clock):
    app.config["CASE_LIMITS"] = {"forwarding_detained_hours": 48, "forwarding_days": 5}
    centre_clock.travel_to(dt.date(2026, 10, 20))
    detained = _case(make_case_at, session, station, local(dt.date(2026, 10, 6), 9), detained=True)
    assert case_deadlines(detained)["forwarding"]["due_at"] == local(dt.date(2026, 10, 8), 9)
    free = _case(make_case_at, session, station, local(dt.date(2026, 10, 6), 9))  # Tuesday
    assert case_deadlines(free)["forwarding"]["due_on"] == dt.date(2026, 10, 13)


def test_the_decision_runs_from_the_centres_receipt(session, make_case_at, station, centre_clock):
    centre_clock.travel_to(dt.date(2026, 10, 8))
    case = _case(
        make_case_at, session, station, local(dt.date(2026, 10, 2), 10), local(dt.date(2026, 10, 5), 9)
    )
    assert case_deadlines(case)["decision"]["due_on"] == dt.date(2026, 10, 12)
    rows = {(d.case_id, d.name): d for d in open_deadlines(session)}
    assert rows.get((case.id, "decision")) is None or rows[(case.id, "decision")].due_on == dt.date(
        2026, 10, 12
    )


def test_recording_the_centres_receipt_ends_the_forwarding_once(
    session, make_case_at, station, centre_clock, make_person
):
    coordinator = make_person("coordinator")
    taken = local(dt.date(2026, 10, 6), 9)
    centre_clock.travel_to(taken)
    case = _case(make_case_at, session, station, taken)
    assert case_deadlines(case)["decision"]["due_on"] is None
    centre_clock.travel_to(dt.date(2026, 10, 12))  # Monday: the 3rd working day was Friday 9th
    with pytest.raises(Invalid):
        station_cases.record_centre_receipt(session, case, coordinator, local(dt.date(2026, 10, 5), 9))
    station_cases.record_centre_receipt(session, case, coordinator)
    assert case_deadlines(case)["forwarding"]["state"] == "done_late"
    assert case_deadlines(case)["decision"]["due_on"] == dt.date(2026, 10, 19)
    with pytest.raises(NotAllowed):
        station_cases.record_centre_receipt(session, case, coordinator)
    figures = {f["station_id"]: f for f in station_cases.station_statistics(session)}[station]
    assert (figures["taken"], figures["forwarded"], figures["forwarded_late"]) == (1, 1, 1)


def test_station_input_is_checked(session, make_case_at, station, centre_clock):
    taken = local(clock.today(), 9)
    with pytest.raises(Invalid) as missing:
        make_case_at(session, "applied", intake={"station_id": station})
    assert "station_received_at" in missing.value.fields
    with pytest.raises(Invalid) as without:
        make_case_at(session, "applied", intake={"station_received_at": taken})
    assert "station_received_at" in without.value.fields
    with pytest.raises(Invalid) as before:
        _case(make_case_at, session, station, taken, taken - dt.timedelta(minutes=1))
    assert "centre_received_at" in before.value.fields
    with pytest.raises(Invalid) as unknown:
        _case(make_case_at, session, station + 999, taken)
    assert "station_id" in unknown.value.fields
