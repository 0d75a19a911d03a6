"""The deadline calculator at its edges (issue 12): every limit of the table on the day it falls, in
calendar and working days, a holiday run longer than the calculator's look-ahead, make-up working days,
and paused days on top."""

from __future__ import annotations

import datetime as dt

import pytest

from assignment import deadlines, workdays

MONDAY = dt.date(2026, 9, 28)


@pytest.fixture
def rules_ctx(app, session):
    """An app context with the rules in force (``app.config``) and the test's session."""
    return app


@pytest.mark.parametrize(
    "name, days",
    [
        ("decision", 7),
        ("assignment", 3),
        ("acceptance", 2),
        ("retainer", 5),
        ("materials_supply", 15),
        ("closing_materials", 30),
        ("file_review", 30),
        ("subsidy", 90),
        ("complaint_decision", 45),
    ],
)
def test_every_limit_of_the_table_in_calendar_days(rules_ctx, session, name, days):
    assert deadlines.limits()[f"{name}_days"] == days
    assert deadlines.unit(name) == "calendar"
    assert deadlines.due_date(session, name, MONDAY) == MONDAY + dt.timedelta(days=days)
    assert deadlines.due_date(session, name, MONDAY, paused_days=4) == MONDAY + dt.timedelta(days=days + 4)


def test_a_centre_limit_and_unit_replace_the_defaults(rules_ctx, session):
    rules_ctx.config["CASE_LIMITS"] = {"closing_materials_days": 15}
    rules_ctx.config["DEADLINE_UNITS"] = {"decision": "working"}
    assert deadlines.limits()["closing_materials_days"] == 15
    assert deadlines.limits()["decision_days"] == 7  # the others keep the table's
    assert deadlines.due_date(session, "closing_materials", MONDAY) == MONDAY + dt.timedelta(days=15)
    # 7 working days from Monday 28 September: 29, 30 Sep, 1, 2 Oct (Thu, Fri), 5, 6, 7 Oct.
    assert deadlines.unit("decision") == "working" and deadlines.unit("assignment") == "calendar"
    assert deadlines.due_date(session, "decision", MONDAY) == dt.date(2026, 10, 7)
    assert deadlines.due_date(session, "decision", MONDAY, paused_days=2) == dt.date(2026, 10, 9)


def test_working_days_count_from_the_day_after(session):
    friday = dt.date(2026, 10, 2)
    assert workdays.add_working_days(session, friday, 0) == friday
    assert workdays.add_working_days(session, friday, 1) == dt.date(2026, 10, 5)  # over the weekend
    assert workdays.add_working_days(session, MONDAY, 5) == dt.date(2026, 10, 5)
    assert workdays.add_days(session, friday, 1) == dt.date(2026, 10, 3)
    assert workdays.add_days(session, friday, 1, "working") == dt.date(2026, 10, 5)


def test_weekdays_and_weekends_and_their_exceptions(session):
    saturday, sunday, monday = dt.date(2026, 10, 10), dt.date(2026, 10, 11), dt.date(2026, 10, 12)
    friday = dt.date(2026, 10, 9)
    assert workdays.is_working_day(session, friday) and workdays.is_working_day(session, monday)
    assert not workdays.is_working_day(session, saturday) and not workdays.is_working_day(session, sunday)
    workdays.set_calendar_day(session, None, saturday, working=True, note="make-up day")
    workdays.set_calendar_day(session, None, monday, working=False, note="holiday")
    session.flush()
    assert workdays.is_working_day(session, saturday) and not workdays.is_working_day(session, monday)
    assert workdays.add_working_days(session, friday, 1) == saturday
    assert workdays.add_working_days(session, friday, 2) == dt.date(2026, 10, 13)


def test_a_holiday_run_longer_than_the_look_ahead(session):
    # The calculator reads the calendar some weeks ahead at once, then reads on: holidays past that
    # first read still count. The 45 days after Monday 28 September are all holidays; the next working
    # day is Friday 13 November, the one after it Monday 16 November.
    for n in range(1, 46):
        workdays.set_calendar_day(session, None, MONDAY + dt.timedelta(days=n), working=False)
    session.flush()
    assert workdays.add_working_days(session, MONDAY, 1) == dt.date(2026, 11, 13)
    assert workdays.add_working_days(session, MONDAY, 2) == dt.date(2026, 11, 16)


def test_the_calendar_of_a_year_lists_its_exceptions_in_order(session):
    later, earlier = dt.date(2026, 10, 8), dt.date(2026, 10, 1)
    workdays.set_calendar_day(session, None, later, working=False, note="  Golden Week ")
    workdays.set_calendar_day(session, None, earlier, working=False, note="National Day")
    workdays.set_calendar_day(session, None, dt.date(2027, 1, 1), working=False)
    session.flush()
    days = workdays.calendar_days(session, 2026)
    assert [(d.day, d.working, d.note) for d in days] == [
        (earlier, False, "National Day"),
        (later, False, "Golden Week"),
    ]
    workdays.set_calendar_day(session, None, later, working=True, note=" ")
    assert (days[1].working, days[1].note) == (True, None)
    workdays.clear_calendar_day(session, None, earlier)
    session.flush()
    assert [d.day for d in workdays.calendar_days(session, 2026)] == [later]
    assert workdays.is_working_day(session, earlier)


@pytest.mark.parametrize("name", ["complaint_acceptance", "complaint_answer"])
def test_complaint_limits_count_working_days_unless_the_centre_says(rules_ctx, session, name):
    # 法律援助投诉处理办法 (2025): 5 working days; from Friday 2 October, over the weekend.
    friday = dt.date(2026, 10, 2)
    assert deadlines.limits()[f"{name}_days"] == 5 and deadlines.unit(name) == "working"
    assert deadlines.due_date(session, name, friday) == dt.date(2026, 10, 9)
    rules_ctx.config["DEADLINE_UNITS"] = {name: "calendar"}
    assert deadlines.unit(name) == "calendar"
    assert deadlines.due_date(session, name, friday) == dt.date(2026, 10, 7)


def test_the_declared_limits_and_units_are_checked(rules_ctx):
    from legalaid import rules

    declared = rules.declared(rules_ctx)
    assert declared["CASE_LIMITS"].defaults == deadlines.LIMITS
    units = declared["DEADLINE_UNITS"].defaults
    # a unit for every limit counted in days (an hours limit has none)
    assert set(units) == {name.removesuffix("_days") for name in deadlines.LIMITS if name.endswith("_days")}
    assert units["decision"] == "calendar" and units["subsidy"] == "calendar"
    assert units["complaint_acceptance"] == "working" and units["complaint_answer"] == "working"
    assert units["complaint_decision"] == "calendar"
    rules_ctx.config["DEADLINE_UNITS"] = {"decision": "weekdays", "subsidy": "working"}
    assert rules.problems(rules_ctx) == [
        "DEADLINE_UNITS.decision must be calendar or working (given 'weekdays')"
    ]


def test_only_an_admin_keeps_the_holiday_calendar_and_every_change_is_audited(session, make_person):
    import sqlalchemy as sa

    from legalaid.errors import Forbidden, NotFound
    from legalaid.models import AuditEntry

    admin, coordinator = make_person("admin"), make_person("coordinator")
    day = dt.date(2026, 10, 1)
    with pytest.raises(Forbidden):
        workdays.set_calendar_day(session, coordinator, day, working=False)
    row = workdays.set_calendar_day(session, admin, day, working=False, note=None)
    assert (row.day, row.working, row.note, row.changed_by) == (day, False, None, admin.id)
    workdays.set_calendar_day(session, admin, day, working=True, note="make-up")
    with pytest.raises(Forbidden):
        workdays.clear_calendar_day(session, coordinator, day)
    workdays.clear_calendar_day(session, admin, day)
    with pytest.raises(NotFound):
        workdays.clear_calendar_day(session, admin, day)
    session.commit()
    entries = session.execute(
        sa.select(AuditEntry.action, AuditEntry.actor_id, AuditEntry.before, AuditEntry.after)
        .where(AuditEntry.action.like("calendar.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.actor_id) for e in entries] == [
        ("calendar.set_day", admin.id),
        ("calendar.set_day", admin.id),
        ("calendar.clear_day", admin.id),
    ]
    assert entries[0].before is None and entries[0].after["working"] is False
    assert entries[1].before == {"working": False, "note": None}
    assert entries[1].after["working"] is True and entries[1].after["note"] == "make-up"
    assert entries[2].before["working"] is True and entries[2].after is None


def test_a_years_calendar_runs_from_1_january_to_31_december(session):
    for day in (dt.date(2025, 12, 31), dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2027, 1, 1)):
        workdays.set_calendar_day(session, None, day, working=False)
    session.flush()
    assert [d.day for d in workdays.calendar_days(session, 2026)] == [
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
    ]
