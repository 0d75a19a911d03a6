"""The scheduling pages finished for a real day (issue 11): no dead ends (recording a hearing, staffing
an observation nobody was free for, deadlines and the calendar feed are linked), a hearing that took
place cannot be cancelled, destructive steps ask first, and a took-money call reads as a red flag."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from legalaid import clock
from supervision.scheduling.models import FollowUpCall, Observation, RedFlag
from tests.conftest import AuthActions
from tests.scheduling.conftest import future


def _client(app, user):
    client = app.test_client()
    AuthActions(client).login(user.username)
    return client


def test_recording_a_hearing_is_linked_from_the_case_the_assignment_and_the_list(
    app, session, make_case, coordinator, make_person
):
    case = make_case()
    staff = _client(app, coordinator)
    page = staff.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"/supervision/cases/{case.id}/hearings/new" in page
    hearings = staff.get("/supervision/hearings").get_data(as_text=True)
    assert 'id="record-hearing"' in hearings and "/supervision/hearings/record" in hearings
    r = staff.get("/supervision/hearings/record", query_string={"case_number": case.number})
    assert r.status_code in (302, 303) and r.headers["Location"].endswith(
        f"/supervision/cases/{case.id}/hearings/new"
    )
    r = staff.get("/supervision/hearings/record", query_string={"case_number": "NO-SUCH-1"})
    assert r.status_code in (302, 303)

    lawyer = make_person("provider", provider_id=case.current_assignment.provider_id)
    provider = _client(app, lawyer)
    assignment_page = provider.get(f"/me/assignments/{case.current_assignment.id}")
    assert f"/supervision/cases/{case.id}/hearings/new" in assignment_page.get_data(as_text=True)
    mine = provider.get("/supervision/hearings").get_data(as_text=True)
    assert f'<option value="{case.number}">' in mine


def test_a_hearing_that_took_place_cannot_be_cancelled(
    app, session, make_case, hearing_at, supervisors, coordinator, centre_clock
):
    supervisors(1)
    case = make_case()
    hearing = hearing_at(case, future(2))
    centre_clock.travel_to(clock.today() + dt.timedelta(days=3))
    client = _client(app, coordinator)
    page = client.get(f"/supervision/hearings/{hearing.id}").get_data(as_text=True)
    assert (
        'id="hearing-status">held' in page and 'id="cannot-cancel"' in page and "cancel-hearing" not in page
    )
    listed = client.get("/supervision/hearings").get_data(as_text=True)
    row = listed[listed.index(f'data-hearing-id="{hearing.id}"') :].split("</tr>")[0]
    assert ">held<" in row
    r = client.post(f"/supervision/hearings/{hearing.id}/cancel", data={"confirmed": "yes"})
    assert r.status_code in (302, 303)
    session.expire_all()
    assert session.get(type(hearing), hearing.id).status == "scheduled"
    api = client.post(f"/api/v1/hearings/{hearing.id}/cancel", json={})
    assert api.status_code == 409 and "cannot be cancelled" in api.get_json()["error"]["message"]


def test_the_no_free_supervisor_alert_lets_the_coordinator_staff_the_observation(
    app, session, make_case, hearing_at, coordinator, make_person
):
    case = make_case(major=True)  # always observed
    hearing = hearing_at(case, future(5))  # no supervisor yet: nobody is free
    observation = session.get(Observation, hearing.observation.id)
    assert observation.status == "unassigned"
    sup = make_person("supervisor")
    client = _client(app, coordinator)
    page = client.get(f"/supervision/observations/{observation.id}").get_data(as_text=True)
    assert 'id="staff-observation"' in page and f'value="{sup.id}"' in page
    r = client.post(
        f"/supervision/observations/{observation.id}/observer",
        data={"action": "assign", "observer_id": sup.id},
    )
    assert r.status_code in (302, 303)
    session.expire_all()
    observation = session.get(Observation, observation.id)
    assert (observation.status, observation.observer_id) == ("scheduled", sup.id)
    # The case's assigner is never offered (DESIGN.md §4), even by hand.
    refused = client.post(
        f"/supervision/observations/{observation.id}/observer",
        data={"action": "assign", "observer_id": coordinator.id},
    )
    assert refused.status_code == 422


def test_deadline_case_numbers_link_to_the_case(app, session, make_case, coordinator, centre_clock):
    case = make_case(accept=False)
    centre_clock.travel_to(clock.today() + dt.timedelta(days=10))
    page = _client(app, coordinator).get("/supervision/deadlines").get_data(as_text=True)
    assert f'href="/cases/{case.id}"' in page


def test_the_calendar_feed_page_is_linked_from_the_supervisors_and_lawyers_pages(
    app, session, make_case, hearing_at, supervisors, make_person
):
    (sup,) = supervisors(1)
    case = make_case()
    hearing_at(case, future(3))
    assert "/supervision/calendar" in _client(app, sup).get("/").get_data(as_text=True)
    lawyer = make_person("provider", provider_id=case.current_assignment.provider_id)
    provider = _client(app, lawyer)
    assert "/supervision/calendar" in provider.get("/").get_data(as_text=True)
    assert "/supervision/calendar" in provider.get("/supervision/hearings").get_data(as_text=True)


def test_a_took_money_call_says_a_red_flag_was_raised_and_confirming_asks_first(
    app, session, make_case, supervisors
):
    (sup,) = supervisors(1)
    case = make_case()
    call = session.scalar(sa.select(FollowUpCall).where(FollowUpCall.case_id == case.id))
    client = _client(app, sup)
    client.post(
        f"/supervision/calls/{call.id}",
        data={"reached": "yes", "satisfaction": "unsatisfied", "took_money": "y", "notes": "paid 500"},
    )
    page = client.get("/supervision/calls").get_data(as_text=True)
    assert "A red flag is raised" in page and "subsidy is held" in page and "status: done" not in page
    flag = session.scalar(sa.select(RedFlag).where(RedFlag.case_id == case.id))
    data = {"outcome": "confirmed", "reason": "the client showed the receipt"}
    asked = client.post(f"/supervision/red-flags/{flag.id}", data=data)
    assert asked.status_code == 200 and 'id="confirm-yes"' in asked.get_data(as_text=True)
    session.expire_all()
    assert session.get(RedFlag, flag.id).status == "open"
    done = client.post(f"/supervision/red-flags/{flag.id}", data={**data, "confirmed": "yes"})
    assert done.status_code in (302, 303)
    session.expire_all()
    assert session.get(RedFlag, flag.id).status == "confirmed"


def test_only_the_observer_is_offered_the_report_form(
    app, session, make_case, hearing_at, supervisors, centre_clock
):
    observer, other = supervisors(2)
    case = make_case(major=True)
    hearing = hearing_at(case, future(1))
    observation = hearing.observation
    observation.observer_id, observation.status = observer.id, "scheduled"
    session.commit()
    centre_clock.travel_to(clock.today() + dt.timedelta(days=2))
    seen_by_other = _client(app, other).get(f"/supervision/observations/{observation.id}")
    assert seen_by_other.status_code == 200 and 'id="file-report"' not in seen_by_other.get_data(as_text=True)
    seen_by_observer = _client(app, observer).get(f"/supervision/observations/{observation.id}")
    assert 'id="file-report"' in seen_by_observer.get_data(as_text=True)
