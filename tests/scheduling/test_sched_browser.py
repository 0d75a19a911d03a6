"""In the browser: a supervisor's call list and attempt form, the observation report, a provider's
hearings."""

from __future__ import annotations

import datetime as dt

import pytest

from legalaid import clock
from tests.scheduling.conftest import future

pytestmark = pytest.mark.browser


def test_supervisor_sees_todays_calls_and_records_one(session, make_case, supervisors, login_page):
    (sup,) = supervisors(1)
    case = make_case(accepted_at=clock.now() - dt.timedelta(days=7, hours=1))
    number, username = case.number, sup.username
    session.commit()
    session.close()
    page = login_page(username)
    page.goto("/supervision/calls")
    row = page.locator("#call-list tr", has_text=number)
    assert row.count() == 1
    row.get_by_role("link", name="Record").click()
    page.get_by_label("Reached", exact=True).check()
    page.select_option("#satisfaction", "satisfied")
    page.fill("#notes", "Met the lawyer twice.")
    page.click("#save-attempt")
    page.wait_for_url("**/supervision/calls")
    assert "The call is recorded as done." in page.inner_text(".flash")
    assert page.locator("#call-list tr", has_text=number).count() == 0


def test_supervisor_sees_an_observation_and_files_the_report(
    session, make_case, hearing_at, supervisors, login_page
):
    (sup,) = supervisors(1)
    hearing = hearing_at(make_case(major=True), future(3))
    observation = hearing.observation
    hearing.starts_at = observation.starts_at = clock.now() - dt.timedelta(hours=3)
    hearing.ends_at = observation.ends_at = clock.now() - dt.timedelta(hours=1)
    session.commit()
    observation_id, username = observation.id, sup.username
    session.close()
    page = login_page(username)
    page.goto("/supervision/observations")
    row = page.locator(f"#my-observations tr[data-observation-id='{observation_id}']")
    assert "first hearing of a major case" in row.inner_text()
    row.get_by_role("link", name="Report").click()
    for field, value in (("preparation", 4), ("examination", 5), ("argument", 4), ("effect", 3)):
        page.check(f"#{field}-{value - 1}")
    page.fill("#court_view", "The judge found the defence thorough.")
    page.click("#file-report")
    page.wait_for_url("**/supervision/observations")
    assert "Observation report filed" in page.inner_text(".flash")
    page.goto(f"/supervision/observations/{observation_id}")
    assert page.inner_text("#observation-status") == "reported"


def test_provider_sees_their_hearings(
    session, make_case, make_lawyer, make_person, hearing_at, supervisors, login_page
):
    supervisors(1)
    lawyer = make_lawyer()
    hearing_at(make_case(provider=lawyer), future(5), court="Xihu District Court")
    hearing_at(make_case(), future(6), court="Someone Else's Court")
    username = make_person("provider", provider_id=lawyer.id).username
    session.commit()
    session.close()
    page = login_page(username)
    assert "Xihu District Court" in page.inner_text("#hearings-panel")
    page.goto("/supervision/hearings")
    text = page.inner_text("#hearing-list")
    assert "Xihu District Court" in text and "Someone Else" not in text


def test_provider_records_a_hearing_from_the_list_and_cancelling_it_asks_first(
    session, make_case, make_lawyer, make_person, supervisors, login_page
):
    supervisors(1)
    lawyer = make_lawyer()
    number = make_case(provider=lawyer).number
    username = make_person("provider", provider_id=lawyer.id).username
    session.commit()
    session.close()
    page = login_page(username)
    page.goto("/supervision/hearings")
    page.select_option("#record-hearing select", number)
    page.click("#record-hearing-go")
    starts = (clock.now() + dt.timedelta(days=9)).strftime("%Y-%m-%dT09:30")
    page.fill("#starts_at", starts)
    page.fill("#court", "Xihu District Court")
    page.click("#save-hearing")
    page.wait_for_selector("#hearing-status")
    page.click("#cancel-hearing")
    page.wait_for_selector("#confirm-yes")
    page.click("#confirm-cancel")
    assert "scheduled" in page.inner_text("#hearing-status")
    page.click("#cancel-hearing")
    page.click("#confirm-yes")
    page.wait_for_selector("#hearing-status")
    assert "cancelled" in page.inner_text("#hearing-status")
