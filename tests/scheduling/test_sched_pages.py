"""Every scheduling page answers for the roles that use it; the forms call the services."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from assignment.models import CalendarDay
from legalaid import clock
from supervision.scheduling.models import FollowUpCall, RedFlag
from tests.conftest import AuthActions
from tests.scheduling.conftest import future


def _client(app, user):
    client = app.test_client()
    AuthActions(client).login(user.username)
    return client


def test_pages_answer(app, session, make_case, hearing_at, supervisors, make_person, coordinator):
    from supervision.scheduling.calls import record_call_attempt

    (sup,) = supervisors(1)
    case = make_case(major=True)
    hearing = hearing_at(case, future(4))
    call = session.scalar(sa.select(FollowUpCall))
    record_call_attempt(session, sup, call, reached=True, took_money=True)
    session.commit()
    flag = session.scalar(sa.select(RedFlag))
    ids = {
        "case": case.id,
        "hearing": hearing.id,
        "observation": hearing.observation.id,
        "call": call.id,
        "flag": flag.id,
    }
    admin = make_person("admin")
    visits = {
        sup: [
            "/",
            "/supervision/calls",
            f"/supervision/calls/{ids['call']}",
            "/supervision/observations",
            f"/supervision/observations/{ids['observation']}",
            "/supervision/red-flags",
            f"/supervision/red-flags/{ids['flag']}",
            "/supervision/inbox",
            "/supervision/calendar",
            f"/supervision/hearings/{ids['hearing']}",
        ],
        coordinator: [
            "/supervision/hearings",
            f"/supervision/cases/{ids['case']}/hearings/new",
            "/supervision/deadlines",
            "/supervision/working-days",
        ],
        admin: ["/supervision/outbox", "/supervision/working-days?year=2027"],
    }
    for user, paths in visits.items():
        client = _client(app, user)
        for path in paths:
            assert client.get(path).status_code == 200, (user.username, path)
    assert _client(app, coordinator).get("/supervision/calls").status_code == 403


def test_forms_record_move_and_cancel_a_hearing(app, session, make_case, supervisors, coordinator):
    supervisors(1)
    case = make_case()
    client = _client(app, coordinator)
    first, moved = clock.today() + dt.timedelta(days=15), clock.today() + dt.timedelta(days=16)
    r = client.post(
        f"/supervision/cases/{case.id}/hearings/new",
        data={"starts_at": f"{first}T09:30", "court": "Intermediate Court", "room": "5"},
    )
    assert r.status_code in (302, 303)
    hearing_path = r.headers["Location"]
    r = client.post(
        hearing_path,
        data={
            "action": "move",
            "starts_at": f"{moved}T14:00",
            "ends_at": "",
            "court": "Intermediate Court",
            "room": "6",
        },
    )
    assert r.status_code in (302, 303)
    page = client.get(hearing_path).get_data(as_text=True)
    assert f"{moved} 14:00" in page and f"{moved} 17:00" in page
    # Cancelling asks first: the first post only shows the question, the confirmed one cancels.
    asked = client.post(hearing_path + "/cancel", data={"cancel-reason": "adjourned"})
    assert asked.status_code == 200 and 'id="confirm-yes"' in asked.get_data(as_text=True)
    assert 'id="hearing-status">scheduled' in client.get(hearing_path).get_data(as_text=True)
    r = client.post(hearing_path + "/cancel", data={"cancel-reason": "adjourned", "confirmed": "yes"})
    assert r.status_code in (302, 303)
    assert 'id="hearing-status">cancelled' in client.get(hearing_path).get_data(as_text=True)


def test_admin_edits_the_working_day_calendar(app, session, make_person):
    client = _client(app, make_person("admin"))
    r = client.post(
        "/supervision/working-days",
        data={"action": "set", "day": "2027-02-08", "working": "holiday", "note": "Spring Festival"},
    )
    assert r.status_code in (302, 303)
    assert session.get(CalendarDay, dt.date(2027, 2, 8)).working is False
    session.commit()
    asked = client.post("/supervision/working-days/clear", data={"clear-day": "2027-02-08"})
    assert asked.status_code == 200 and "2027-02-08" in asked.get_data(as_text=True)
    session.expire_all()
    assert session.get(CalendarDay, dt.date(2027, 2, 8)) is not None
    r = client.post("/supervision/working-days/clear", data={"clear-day": "2027-02-08", "confirmed": "yes"})
    assert r.status_code in (302, 303)
    session.expire_all()
    assert session.get(CalendarDay, dt.date(2027, 2, 8)) is None


def test_bell_shows_unread_count(app, session, make_person):
    from supervision.scheduling.reminders import plan_reminder, sweep_due_reminders

    user = make_person("coordinator")
    plan_reminder(
        session,
        key="bell",
        user_id=user.id,
        kind="test",
        subject="Ring",
        due_at=clock.now(),
        email=False,
    )
    sweep_due_reminders(session)
    session.commit()
    page = _client(app, user).get("/").get_data(as_text=True)
    assert "Inbox 1" in page and "🔔" not in page  # the bell is an inline SVG (base.html)
