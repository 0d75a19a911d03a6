"""Each statutory deadline of DESIGN.md §4 on the coordinators' "due today and overdue" list, and
limits counted in working days across a holiday."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from assignment.workdays import add_working_days, is_working_day, set_calendar_day
from legalaid import clock
from supervision.scheduling.deadlines import open_deadlines

TODAY = dt.date(2026, 10, 12)  # a Monday


def _names(session, today=TODAY):
    return {(d.case_id, d.name): d for d in open_deadlines(session, today)}


def test_decision_due_seven_days_after_receipt(session, make_case):
    case = make_case(accept=False)
    case.status, case.source, case.received_on = "applied", "application", TODAY - dt.timedelta(days=7)
    session.commit()
    found = _names(session)[(case.id, "decision")]
    assert found.state == "due_today" and found.due_on == TODAY
    assert _names(session, TODAY + dt.timedelta(days=2))[(case.id, "decision")].days_overdue == 2
    assert (case.id, "decision") not in _names(session, TODAY - dt.timedelta(days=1))


def test_paused_clock_moves_the_decision(session, make_case):
    case = make_case(accept=False)
    case.status, case.received_on, case.paused_days = "applied", TODAY - dt.timedelta(days=7), 3
    session.commit()
    assert (case.id, "decision") not in _names(session)


def test_assignment_due_three_days_after_decision(session, make_case):
    case = make_case(accept=False)
    from assignment.models import Assignment

    session.execute(sa.delete(Assignment).where(Assignment.case_id == case.id))
    case.status, case.decided_on = "accepted", TODAY - dt.timedelta(days=4)
    session.commit()
    assert _names(session)[(case.id, "assignment")].days_overdue == 1


def test_acceptance_due_when_the_offer_runs_out(session, make_case):
    case = make_case(accept=False)
    from assignment.models import Assignment

    offer = session.scalar(sa.select(Assignment).where(Assignment.case_id == case.id))
    offer.respond_by = dt.datetime(2026, 10, 11, 4, tzinfo=dt.UTC)
    session.commit()
    assert _names(session)[(case.id, "acceptance")].due_on == dt.date(2026, 10, 11)


def _close(session, case, ended_on, complete_on=None):
    from supervision.scoring.models import CaseClosing

    case.status = "closed"
    session.add(
        CaseClosing(
            case_id=case.id,
            provider_id=case.current_assignment.provider_id,
            ended_on=ended_on,
            outcome="judgment",
            documents_due_on=ended_on + dt.timedelta(days=30),
            documents_complete_on=complete_on,
        )
    )
    session.commit()


def test_closing_materials_due_thirty_days_after_the_end(session, make_case):
    case = make_case()
    _close(session, case, TODAY - dt.timedelta(days=30))
    assert _names(session)[(case.id, "closing_materials")].state == "due_today"


def test_file_review_due_thirty_days_after_hand_in(session, make_case):
    case = make_case()
    _close(session, case, TODAY - dt.timedelta(days=60), complete_on=TODAY - dt.timedelta(days=31))
    found = _names(session)
    assert (case.id, "closing_materials") not in found
    assert found[(case.id, "file_review")].days_overdue == 1


def test_subsidy_due_ninety_days_after_archiving(session, make_case):
    from supervision.subsidies.models import ArchiveRecord, Subsidy

    case = make_case()
    archived_on = TODAY - dt.timedelta(days=95)
    _close(
        session, case, archived_on - dt.timedelta(days=20), complete_on=archived_on - dt.timedelta(days=10)
    )
    archive = ArchiveRecord(case_id=case.id, year=2026, seq=1, number="2026-00001", archived_on=archived_on)
    session.add(archive)
    session.flush()
    subsidy = session.scalar(sa.select(Subsidy).where(Subsidy.case_id == case.id))
    if subsidy is None:
        subsidy = Subsidy(case_id=case.id, provider_id=case.current_assignment.provider_id)
        session.add(subsidy)
    subsidy.status, subsidy.archive_id, subsidy.archived_on, subsidy.amount_fen = (
        "payable",
        archive.id,
        archived_on,
        120000,
    )
    case.status = "archived"
    session.commit()
    found = _names(session)
    assert (case.id, "file_review") not in found
    assert found[(case.id, "subsidy")].days_overdue == 5


def test_working_days_skip_weekends_and_holidays(session):
    set_calendar_day(session, None, dt.date(2026, 10, 1), working=False, note="National Day")
    set_calendar_day(session, None, dt.date(2026, 10, 2), working=False)
    set_calendar_day(session, None, dt.date(2026, 10, 10), working=True, note="make-up day")
    assert not is_working_day(session, dt.date(2026, 10, 1))
    assert is_working_day(session, dt.date(2026, 10, 10))
    # Wed 30 Sep + 3 working days: Thu 1 and Fri 2 are holidays, the weekend is off -> Mon 5, Tue 6, Wed 7.
    assert add_working_days(session, dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 7)
    assert add_working_days(session, dt.date(2026, 10, 9), 1) == dt.date(2026, 10, 10)


def test_limit_in_working_days_across_a_holiday(app, session, make_case):
    app.config["DEADLINE_UNITS"] = {"decision": "working"}
    set_calendar_day(session, None, dt.date(2026, 10, 1), working=False, note="National Day")
    case = make_case(accept=False)
    case.status, case.received_on = "applied", dt.date(2026, 9, 28)  # a Monday
    session.commit()
    # 7 working days from Mon 28 Sep, with Thu 1 Oct off: 29, 30, 2, 5, 6, 7, 8 -> Thu 8 Oct.
    assert (case.id, "decision") not in _names(session, dt.date(2026, 10, 7))
    assert _names(session, dt.date(2026, 10, 8))[(case.id, "decision")].state == "due_today"


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_deadlines_page(app, session, make_case, make_person, role):
    from tests.conftest import AuthActions

    case = make_case(accept=False)
    case.status, case.received_on = "applied", clock.today() - dt.timedelta(days=10)
    session.commit()
    client = app.test_client()
    AuthActions(client).login(make_person(role).username)
    page = client.get("/supervision/deadlines")
    assert page.status_code == 200 and case.number.encode() in page.data and b"3 days overdue" in page.data
