"""Follow-up calls: the three calls, who to call, the retry rule on working days, red flags."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from assignment.workdays import set_calendar_day
from legalaid import clock
from legalaid.errors import Invalid, NotAllowed
from legalaid.models import AuditEntry
from supervision import signals
from supervision.scheduling import calls
from supervision.scheduling.models import FollowUpCall
from tests.scheduling.conftest import TZ, future


def _calls(session, case, purpose=None):
    stmt = sa.select(FollowUpCall).where(FollowUpCall.case_id == case.id)
    if purpose:
        stmt = stmt.where(FollowUpCall.purpose == purpose)
    return list(session.scalars(stmt.order_by(FollowUpCall.id)))


def test_accepting_the_assignment_plans_the_first_call(session, make_case, supervisors):
    (sup,) = supervisors(1)
    accepted = dt.datetime(2026, 3, 2, 10, tzinfo=TZ)
    case = make_case(accepted_at=accepted)
    (call,) = _calls(session, case)
    assert call.purpose == "after_assignment" and call.due_on == dt.date(2026, 3, 9)
    assert call.caller_id == sup.id and call.status == "planned"
    assert call.phone == "13800000000" and not call.via_contact


def test_first_hearing_plans_a_call_three_days_later_and_moves_with_it(
    session, make_case, hearing_at, supervisors, coordinator
):
    from supervision.scheduling.hearings import cancel_hearing, move_hearing

    supervisors(2)
    case = make_case()
    first = hearing_at(case, future(10))
    hearing_at(case, future(20))
    (call,) = _calls(session, case, "after_hearing")
    assert (
        call.due_on == clock.local_date(first.starts_at) + dt.timedelta(days=3)
        and call.hearing_id == first.id
    )
    move_hearing(session, coordinator, first, starts_at=future(12))
    assert call.due_on == clock.local_date(future(12)) + dt.timedelta(days=3)
    cancel_hearing(session, coordinator, first)
    session.commit()
    assert call.due_on == clock.local_date(future(20)) + dt.timedelta(days=3) and call.status == "planned"
    assert len(_calls(session, case, "after_hearing")) == 1


def test_closing_plans_the_last_call(session, make_case, supervisors):
    supervisors(1)
    case = make_case()
    case.status = "closed"
    signals.case_closed.send(session, case=case, actor=None)
    session.commit()
    (call,) = _calls(session, case, "after_closing")
    assert call.due_on == clock.today() + dt.timedelta(days=7)
    assert not calls.after_closing_call_settled(session, case.id)
    calls.record_call_attempt(session, None, call, reached=True, satisfaction="satisfied", took_money=False)
    assert calls.after_closing_call_settled(session, case.id)


def test_detained_client_is_reached_through_the_contact(session, make_case, supervisors):
    supervisors(1)
    case = make_case(
        case_type="criminal", cause="theft", contact_name="Mother", contact_phone="13900000001", detained=True
    )
    (call,) = _calls(session, case)
    assert call.via_contact and call.callee_name == "Mother" and call.phone == "13900000001"


def test_a_contact_person_alone_does_not_make_the_client_detained(session, make_case, supervisors):
    """Issue 14: detention is stated at intake, no longer guessed from a criminal case's contact."""
    supervisors(1)
    case = make_case(case_type="criminal", cause="theft", contact_name="Mother", contact_phone="13900000001")
    (call,) = _calls(session, case)
    assert not call.via_contact and call.phone == "13800000000"


def test_callers_rotate(session, make_case, supervisors):
    people = supervisors(3)
    callers = [_calls(session, make_case())[0].caller_id for _ in range(6)]
    assert callers == [p.id for p in people] * 2


def test_any_supervisor_may_record_early(session, make_case, supervisors):
    caller, colleague = supervisors(2)
    (call,) = _calls(session, make_case())
    assert call.caller_id == caller.id and call.due_on > clock.today()
    calls.record_call_attempt(session, colleague, call, reached=True, satisfaction="basically_satisfied")
    assert call.status == "done" and call.attempts[0].by_id == colleague.id


def test_unreachable_retried_on_next_two_working_days_then_closed(session, make_case, supervisors):
    (sup,) = supervisors(1)
    admin = None
    set_calendar_day(session, admin, dt.date(2026, 10, 5), working=False, note="National Day")  # a Monday
    (call,) = _calls(session, make_case())
    friday = dt.datetime(2026, 10, 2, 15, tzinfo=TZ)
    calls.record_call_attempt(session, sup, call, reached=False, at=friday)
    assert call.status == "retrying" and call.due_on == dt.date(2026, 10, 6)  # past the weekend and holiday
    calls.record_call_attempt(session, sup, call, reached=False, at=dt.datetime(2026, 10, 6, 10, tzinfo=TZ))
    assert call.status == "retrying" and call.due_on == dt.date(2026, 10, 7)
    calls.record_call_attempt(session, sup, call, reached=False, at=dt.datetime(2026, 10, 7, 10, tzinfo=TZ))
    assert call.status == "unreachable" and call.failed_attempts == 3
    with pytest.raises(NotAllowed):
        calls.record_call_attempt(session, sup, call, reached=True)


def test_make_up_working_day_counts_for_retries(session, make_case, supervisors):
    (sup,) = supervisors(1)
    set_calendar_day(session, None, dt.date(2026, 10, 10), working=True, note="make-up day")  # a Saturday
    (call,) = _calls(session, make_case())
    calls.record_call_attempt(session, sup, call, reached=False, at=dt.datetime(2026, 10, 9, 15, tzinfo=TZ))
    assert call.due_on == dt.date(2026, 10, 10)


def test_unreached_client_gives_no_answers(session, make_case, supervisors):
    (sup,) = supervisors(1)
    (call,) = _calls(session, make_case())
    with pytest.raises(Invalid):
        calls.record_call_attempt(session, sup, call, reached=False, satisfaction="satisfied")


def test_took_money_raises_a_red_flag_resolved_with_reason(session, make_case, supervisors):
    sup, other = supervisors(2)
    case = make_case()
    (call,) = _calls(session, case)
    calls.record_call_attempt(
        session, sup, call, reached=True, satisfaction="unsatisfied", took_money=True, notes="paid 500 yuan"
    )
    session.commit()
    (flag,) = calls.red_flags(session, case.id)
    assert flag.kind == "took_money" and flag.status == "open" and flag.provider_id == call.provider_id
    with pytest.raises(Invalid):
        calls.resolve_red_flag(session, other, flag, "dismissed", " ")
    calls.resolve_red_flag(session, other, flag, "dismissed", "the client confused a court fee")
    session.commit()
    assert flag.status == "dismissed" and flag.resolved_by == other.id
    assert (
        session.scalar(sa.select(AuditEntry.after).where(AuditEntry.action == "red_flag.resolve"))["status"]
        == "dismissed"
    )
    with pytest.raises(NotAllowed):
        calls.resolve_red_flag(session, other, flag, "confirmed", "changed my mind")


def test_red_flag_confirmed(session, make_case, supervisors):
    (sup,) = supervisors(1)
    case = make_case()
    (call,) = _calls(session, case)
    calls.record_call_attempt(session, sup, call, reached=True, took_money=True)
    (flag,) = calls.red_flags(session, case.id)
    calls.resolve_red_flag(session, sup, flag, "confirmed", "receipt shown")
    assert [f.status for f in calls.red_flags(session, case.id)] == ["confirmed"]


def test_reassignment_cancels_the_providers_open_calls(
    session, make_case, make_lawyer, supervisors, coordinator
):
    from assignment.models import Assignment
    from assignment.signals import assignment_ended

    supervisors(1)
    case = make_case()
    (call,) = _calls(session, case)
    assignment = session.scalar(sa.select(Assignment).where(Assignment.case_id == case.id))
    assignment.status, assignment.live = "replaced", False
    assignment_ended.send(session, assignment=assignment, reason="reassigned", actor=coordinator)
    session.commit()
    assert call.status == "cancelled"


def test_daily_call_list_puts_mine_first(session, make_case, supervisors):
    a, b = supervisors(2)
    for _ in range(4):
        make_case(accepted_at=clock.now() - dt.timedelta(days=8))
    day = clock.today()
    todo = calls.daily_call_list(session, day, b.id)
    assert len(todo) == 4 and [c.caller_id for c in todo][:2] == [b.id, b.id]


def test_red_flag_is_announced_raised_and_resolved(session, make_case, supervisors):
    heard = []

    def listen(sender, flag, actor=None, **_):
        heard.append(flag.status)

    (sup,) = supervisors(1)
    case = make_case()
    (call,) = _calls(session, case)
    with signals.red_flag_raised.connected_to(listen), signals.red_flag_resolved.connected_to(listen):
        calls.record_call_attempt(session, sup, call, reached=True, took_money=True)
        (flag,) = calls.red_flags(session, case.id)
        calls.resolve_red_flag(session, sup, flag, "dismissed", "a court fee")
    assert heard == ["open", "dismissed"]
