"""Hearings, observations, follow-up calls and red flags: paged, sorted and filtered on the page and in
the API the same way (issue 11 item 12); a provider's hearings list is their own."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from legalaid import clock
from supervision.scheduling.lists import CALL_SORTS, FLAG_SORTS, HEARING_SORTS, OBSERVATION_SORTS
from supervision.scheduling.models import FollowUpCall, RedFlag
from tests.conftest import AuthActions
from tests.lists.helpers import (
    api,
    check_api_paging,
    check_api_refuses,
    check_api_sorts,
    check_page,
    check_page_refuses,
    check_page_sorts,
    ids,
    page_html,
)
from tests.scheduling.conftest import coordinator, future, hearing_at, make_case, make_lawyer  # noqa: F401


def _client(app, user):
    client = app.test_client()
    AuthActions(client).login(user.username)
    return client


@pytest.fixture
def world(app, session, make_case, hearing_at, make_lawyer, make_person, coordinator):  # noqa: F811
    """Three major cases of three lawyers, each with one hearing (observed: a major case's first), a
    call after assignment each; two calls raised a red flag. Pages show two rows each."""
    from supervision.scheduling.calls import record_call_attempt

    app.config["LIST_PAGE_SIZE"] = 2
    sup = make_person("supervisor")
    make_person("supervisor")
    lawyers = [make_lawyer() for _ in range(3)]
    cases = [make_case(provider=p, major=True) for p in lawyers]
    hearings = [
        hearing_at(case, future(days), court=court)
        for case, days, court in zip(
            cases, (9, 3, 6), ("Beta Court", "Alpha Court", "Gamma Court"), strict=True
        )
    ]
    calls = list(session.scalars(sa.select(FollowUpCall).where(FollowUpCall.purpose == "after_assignment")))
    for call in calls[:2]:
        record_call_attempt(session, sup, call, reached=True, took_money=True)
    session.commit()
    return {"sup": sup, "lawyers": lawyers, "cases": cases, "hearings": hearings, "calls": calls}


def test_hearings_api(app, world, coordinator, make_person):  # noqa: F811
    c = _client(app, coordinator)
    url = "/api/v1/hearings?per_page=500"
    check_api_paging(c, "/api/v1/hearings", 3)
    check_api_sorts(c, url, HEARING_SORTS.columns, sorted_by={"starts_at": "starts_at", "court": "court"})
    assert [h["court"] for h in api(c, url + "&sort=court")["items"]] == [
        "Alpha Court",
        "Beta Court",
        "Gamma Court",
    ]
    assert ids(c, url + "&q=alpha") == [world["hearings"][1].id]
    assert ids(c, url + f"&q={world['cases'][2].number}") == [world["hearings"][2].id]
    assert ids(c, url + "&status=cancelled") == []
    assert len(ids(c, url + "&status=scheduled")) == 3 and ids(c, url + "&status=held") == []
    day = (clock.today() + dt.timedelta(days=3)).isoformat()
    assert ids(c, url + f"&starts_from={day}&starts_to={day}") == [world["hearings"][1].id]
    check_api_refuses(
        c, "/api/v1/hearings", sort="nope", status="held-ish", starts_from="2026-13-01", per_page=501
    )
    # A provider sees their own hearings only, whatever the filter.
    lawyer = world["lawyers"][0]
    own = _client(app, make_person("provider", provider_id=lawyer.id))
    assert ids(own, url) == [world["hearings"][0].id]
    assert ids(own, url + "&q=alpha") == []


def test_hearings_page(app, world, coordinator, make_person, count_queries):  # noqa: F811
    c = _client(app, coordinator)
    check_page(c, "/supervision/hearings?status=scheduled", table="hearing-list", key="hearings")
    check_page_sorts(c, "/supervision/hearings", HEARING_SORTS.columns)
    html = page_html(c, "/supervision/hearings?q=Gamma")
    assert "Gamma Court" in html and "Alpha Court" not in html
    html = page_html(c, "/supervision/hearings?sort=-court")
    assert html.index("Gamma Court") < html.index("Beta Court")
    check_page_refuses(c, "/supervision/hearings", sort="nope", starts_from="someday", status="x")
    with count_queries() as one:
        page_html(c, "/supervision/hearings?page=2")
    with count_queries() as two:
        page_html(c, "/supervision/hearings")
    assert one.count == two.count
    lawyer = world["lawyers"][1]
    own = page_html(_client(app, make_person("provider", provider_id=lawyer.id)), "/supervision/hearings")
    assert "Alpha Court" in own and "Beta Court" not in own and "Gamma Court" not in own


def test_observations_api_and_page(app, world, coordinator):  # noqa: F811
    c = _client(app, coordinator)
    url = "/api/v1/observations?per_page=500"
    check_api_paging(c, "/api/v1/observations", 3)
    check_api_sorts(
        c,
        url,
        [k for k in OBSERVATION_SORTS.columns if k != "observer"],
        sorted_by={"starts_at": "starts_at"},
    )
    check_api_sorts(c, url + "&status=scheduled", ["observer"])
    observation = world["hearings"][1].observation
    assert ids(c, url + f"&q={world['cases'][1].number}") == [observation.id]
    day = (clock.today() + dt.timedelta(days=3)).isoformat()
    assert ids(c, url + f"&starts_from={day}&starts_to={day}") == [observation.id]
    assert ids(c, url + "&status=reported") == []
    check_api_refuses(c, "/api/v1/observations", sort="when", status="nope", starts_to="x")

    sup = _client(app, world["sup"])
    check_page(sup, "/supervision/observations?sort=-starts_at", table="observation-list", key="observations")
    check_page_sorts(sup, "/supervision/observations", OBSERVATION_SORTS.columns)
    html = page_html(sup, f"/supervision/observations?q={world['cases'][1].number}")
    assert "1 observation matches." in html
    check_page_refuses(sup, "/supervision/observations", sort="nope", starts_from="2026-02-30")


def test_calls_api_and_page(app, world, coordinator, session):  # noqa: F811
    c = _client(app, coordinator)
    url = "/api/v1/follow-ups?per_page=500"
    total = api(c, url)["total"]
    assert total >= 3
    check_api_paging(c, "/api/v1/follow-ups", total)
    check_api_sorts(c, url, CALL_SORTS.columns, sorted_by={"due_on": "due_on", "purpose": "purpose"})
    done = ids(c, url + "&status=done")
    assert sorted(done) == sorted(call.id for call in world["calls"][:2])
    assert ids(c, url + "&purpose=after_assignment&q=" + world["cases"][2].number) == [world["calls"][2].id]
    due = world["calls"][2].due_on.isoformat()
    assert world["calls"][2].id in ids(c, url + f"&due_from={due}&due_to={due}")
    check_api_refuses(c, "/api/v1/follow-ups", sort="-", purpose="lunch", due_from="tomorrow", status="x")

    sup = _client(app, world["sup"])
    check_page(sup, "/supervision/calls?purpose=after_assignment", table="all-call-list", key="calls")
    check_page_sorts(sup, "/supervision/calls", CALL_SORTS.columns)
    html = page_html(sup, "/supervision/calls?status=done")
    assert "2 calls match." in html
    check_page_refuses(sup, "/supervision/calls", sort="nope", purpose="lunch", due_to="x")


def test_red_flags_api_and_page(app, world, coordinator, session):  # noqa: F811
    c = _client(app, coordinator)
    url = "/api/v1/red-flags?per_page=500"
    flags = list(session.scalars(sa.select(RedFlag).order_by(RedFlag.id)))
    assert len(flags) == 2
    check_api_paging(c, "/api/v1/red-flags", 2)
    check_api_sorts(c, url, FLAG_SORTS.columns, sorted_by={"raised_at": "raised_at", "status": "status"})
    lawyer = world["lawyers"][0]
    assert ids(c, url + f"&q={lawyer.name}") == [f.id for f in flags if f.provider_id == lawyer.id]
    assert ids(c, url + f"&provider_id={lawyer.id}") == [f.id for f in flags if f.provider_id == lawyer.id]
    today = clock.today().isoformat()
    assert len(ids(c, url + f"&raised_from={today}&status=open")) == 2
    assert ids(c, url + "&status=dismissed") == []
    check_api_refuses(c, "/api/v1/red-flags", sort="raised", status="closed", raised_to="x", provider_id="me")

    sup = _client(app, world["sup"])
    app.config["LIST_PAGE_SIZE"] = 1
    check_page(sup, "/supervision/red-flags?status=open&sort=-raised_at", table="red-flags", key="red-flags")
    check_page_sorts(sup, "/supervision/red-flags", FLAG_SORTS.columns)
    html = page_html(sup, f"/supervision/red-flags?q={lawyer.name}")
    assert "1 red flag matches." in html
    check_page_refuses(sup, "/supervision/red-flags", sort="nope", raised_from="x")


def test_api_lists_read_a_fixed_number_of_statements(app, world, coordinator, count_queries):  # noqa: F811
    c = _client(app, coordinator)
    for url in ("/api/v1/hearings", "/api/v1/observations", "/api/v1/follow-ups", "/api/v1/red-flags"):
        api(c, url)  # what the first request of a session reads once
        with count_queries() as one:
            api(c, url + "?per_page=1")
        with count_queries() as every:
            api(c, url + "?per_page=500")
        assert one.count == every.count, url


def test_scheduling_pages_read_a_fixed_number_of_statements(app, world, count_queries):
    sup = _client(app, world["sup"])
    for url in ("/supervision/observations", "/supervision/calls", "/supervision/red-flags"):
        page_html(sup, url)
        app.config["LIST_PAGE_SIZE"] = 1
        with count_queries() as one:
            page_html(sup, url)
        app.config["LIST_PAGE_SIZE"] = 500
        with count_queries() as every:
            page_html(sup, url)
        assert one.count == every.count, url


def test_mine_on_the_page_is_the_api_filter_by_person(app, world, coordinator):  # noqa: F811
    c, sup = _client(app, coordinator), _client(app, world["sup"])
    me = world["sup"].id
    observed = api(c, f"/api/v1/observations?per_page=500&observer_id={me}")
    assert all(o["observer_id"] == me for o in observed["items"])
    html = page_html(sup, "/supervision/observations?mine=y")
    assert f"{observed['total']} observation" in html
    called = api(c, f"/api/v1/follow-ups?per_page=500&caller_id={me}")
    assert all(o["caller_id"] == me for o in called["items"])
    assert f"{called['total']} call" in page_html(sup, "/supervision/calls?mine=y")
    everyone = api(c, "/api/v1/follow-ups?per_page=500")["total"]
    assert f"{everyone} call" in page_html(sup, "/supervision/calls")
    check_api_refuses(c, "/api/v1/follow-ups", caller_id="me", due_before="x")
    check_api_refuses(c, "/api/v1/observations", observer_id="me")
