"""The deadlines list and the call lists at province scale (issue 16): paged, filtered and sorted on the
page and in the API, the database choosing the page (each limit read off its start column, at most as
many rows as the page needs), counts that stop, bad input refused (422, never 500), and the same
statements whatever the data size."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from legalaid import clock, listing
from supervision.scheduling import lists
from supervision.scheduling.deadlines import deadline_page, open_deadlines
from supervision.scheduling.models import FollowUpCall
from tests.conftest import AuthActions
from tests.lists.helpers import api, check_api_refuses, check_page, check_page_refuses, page_html

FAR = 400  # days: "every deadline" for the whole-list oracle


def _client(app, user):
    client = app.test_client()
    AuthActions(client).login(user.username)
    return client


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


@pytest.fixture
def grow(session, make_case, make_lawyer):
    """grow(n): n more closed cases whose closing materials or file review fall due a week apart, from
    10 days ahead back into the past (every third one has handed in its materials), and one offer
    waiting for the provider's answer."""
    lawyer = make_lawyer()
    made = [0]

    def add(n):
        today = clock.today()
        for _ in range(n):
            i = made[0]
            made[0] += 1
            case = make_case(provider=lawyer)
            ended = today - dt.timedelta(days=20 + 7 * i)
            if i % 3 == 2:
                _close(session, case, ended - dt.timedelta(days=10), complete_on=ended)
            else:
                _close(session, case, ended)
        make_case(provider=lawyer, accept=False)

    return add


def _keys(items):
    return [(d["case_id"], d["deadline"], d["due_on"]) for d in items]


def _whole(session, today, **filters):
    rows = deadline_page(session, today=today, due_to=today + dt.timedelta(days=FAR), **filters).rows
    return [(d.case_id, d.name, d.due_on.isoformat()) for d in rows]


def test_deadline_api_pages_are_the_whole_list_in_order(app, session, grow, coordinator):
    grow(9)
    today = clock.today()
    c = _client(app, coordinator)
    whole = api(c, "/api/v1/deadlines?per_page=500")
    expected = [(d.case_id, d.name, d.due_on.isoformat()) for d in open_deadlines(session, today)]
    assert _keys(whole["items"]) == expected and whole["total"] == len(expected) >= 6
    assert whole["total_capped"] is False
    dues = [d["due_on"] for d in whole["items"]]
    assert dues == sorted(dues) and all(d <= today.isoformat() for d in dues)
    pages = []
    for number in range(1, whole["total"] // 2 + 2):
        body = api(c, f"/api/v1/deadlines?per_page=2&page={number}")
        assert body["total"] == whole["total"]
        pages += _keys(body["items"])
    assert pages == _keys(whole["items"])
    down = api(c, "/api/v1/deadlines?per_page=500&sort=-due_on")["items"]
    assert _keys(down) == list(reversed(_keys(whole["items"])))
    # Each page of a limited read is the same slice of the whole list, ascending and descending.
    everything = _whole(session, today)
    for descending in (False, True):
        ordered = list(reversed(everything)) if descending else everything
        for offset in range(len(ordered)):
            got = deadline_page(
                session,
                today=today,
                due_to=today + dt.timedelta(days=FAR),
                descending=descending,
                offset=offset,
                limit=2,
            )
            assert [(d.case_id, d.name, d.due_on.isoformat()) for d in got.rows] == ordered[
                offset : offset + 2
            ]


def test_deadline_filters(app, session, grow, coordinator):
    grow(9)
    today = clock.today()
    c = _client(app, coordinator)
    everything = _whole(session, today)
    only = api(c, "/api/v1/deadlines?per_page=500&deadline=file_review")["items"]
    assert only and {d["deadline"] for d in only} == {"file_review"}
    overdue = api(c, "/api/v1/deadlines?per_page=500&overdue=true")["items"]
    assert overdue and all(d["state"] == "overdue" and d["due_on"] < today.isoformat() for d in overdue)
    soon = api(c, "/api/v1/deadlines?per_page=500&within=10")["items"]
    last = (today + dt.timedelta(days=10)).isoformat()
    assert _keys(soon) == [k for k in everything if k[2] <= last]
    assert any(d["state"] == "upcoming" and d["days_overdue"] == 0 for d in soon)
    first, last = today - dt.timedelta(days=30), today - dt.timedelta(days=4)
    ranged = api(c, f"/api/v1/deadlines?per_page=500&due_from={first}&due_to={last}")["items"]
    assert ranged and _keys(ranged) == [
        k for k in everything if first.isoformat() <= k[2] <= last.isoformat()
    ]


def test_a_due_range_counts_working_days_through_the_one_calculator(app, session, grow):
    """Closing materials counted in working days across a week of holidays: the range of starts the
    page reads is found by the calculator, and gives exactly the deadlines whose day is in range."""
    from assignment.workdays import set_calendar_day

    today = clock.today()
    for days in range(1, 8):
        set_calendar_day(session, None, today - dt.timedelta(days=days * 3), working=False)
    session.commit()
    app.config["DEADLINE_UNITS"] = {**app.config.get("DEADLINE_UNITS", {}), "closing_materials": "working"}
    app.config["CASE_LIMITS"] = {**app.config.get("CASE_LIMITS", {}), "closing_materials_days": 5}
    grow(9)
    with app.test_request_context():
        everything = _whole(session, today, name="closing_materials")
        assert len(everything) >= 5
        for first_days in range(-60, 15, 4):
            first = today + dt.timedelta(days=first_days)
            last = first + dt.timedelta(days=9)
            got = [
                (d.case_id, d.name, d.due_on.isoformat())
                for d in deadline_page(
                    session, today=today, name="closing_materials", due_from=first, due_to=last
                ).rows
            ]
            assert got == [k for k in everything if first.isoformat() <= k[2] <= last.isoformat()]


def test_deadline_api_refuses_bad_input(app, session, grow, coordinator):
    grow(1)
    c = _client(app, coordinator)
    check_api_refuses(
        c,
        "/api/v1/deadlines",
        deadline="nope",
        overdue="maybe",
        within="-1",
        due_from="someday",
        due_to="2026-02-30",
        sort="case",
        page="0",
        per_page="501",
    )
    assert api(c, "/api/v1/deadlines?within=9999", 422)["error"]["fields"]["within"]
    deep = api(c, "/api/v1/deadlines?per_page=500&page=21", 422)
    assert "page" in deep["error"]["fields"]
    assert api(c, "/api/v1/deadlines?per_page=500&page=20")["items"] == []


def test_deadline_page(app, session, grow, coordinator):
    grow(9)
    app.config["LIST_PAGE_SIZE"] = 2
    c = _client(app, coordinator)
    html = check_page(
        c, "/supervision/deadlines?deadline=closing_materials", table="deadlines", key="deadlines"
    )
    assert "Page 1 of" in html
    whole = api(c, "/api/v1/deadlines?per_page=500")["items"]
    first = page_html(c, "/supervision/deadlines")
    shown = [int(i) for i in re.findall(r'<tr data-case-id="(\d+)"', first)]
    assert shown == [d["case_id"] for d in whole[:2]]
    html = page_html(c, "/supervision/deadlines?within=10&overdue=y&sort=-due_on")
    assert "deadlines match" in html or "deadline matches" in html
    check_page_refuses(
        c, "/supervision/deadlines", within="x", due_from="someday", deadline="nope", sort="case"
    )
    assert c.get("/supervision/deadlines?page=two").status_code == 400
    assert page_html(c, "/supervision/deadlines?page=99999").count("<tr data-case-id") >= 1  # the last page


def test_deadline_counts_stop(app, session, grow, coordinator, monkeypatch):
    from supervision.scheduling import deadlines

    grow(9)
    monkeypatch.setattr(deadlines, "COUNT_CAP", 2)
    c = _client(app, coordinator)
    body = api(c, "/api/v1/deadlines?per_page=1")
    assert body["total"] == 2 and body["total_capped"] is True
    body = api(c, "/api/v1/deadlines?per_page=3")  # counted at least to the end of the page asked
    assert body["total"] == 3 and body["total_capped"] is True
    app.config["LIST_PAGE_SIZE"] = 1
    html = page_html(c, "/supervision/deadlines")
    assert "More than 2 deadlines match." in html and 'id="deadlines-next"' in html


def _due_calls(session, me, other, n):
    """n open calls due in the past for each of ``me`` and ``other``, oldest first."""
    calls = list(session.scalars(sa.select(FollowUpCall).order_by(FollowUpCall.id)))
    today = clock.today()
    for i, call in enumerate(calls):
        call.status = "planned"
        call.caller_id = (me, other)[i % 2]
        call.due_on = today - dt.timedelta(days=i)
    session.commit()
    return calls


def test_the_days_call_list_is_paged_with_mine_first(app, session, grow, supervisors):
    from supervision.scheduling.calls import daily_call_list

    me, other = supervisors(2)
    grow(5)
    _due_calls(session, me.id, other.id, 0)
    order = [c.id for c in daily_call_list(session, clock.today(), me.id)]
    assert len(order) >= 4
    app.config["LIST_PAGE_SIZE"] = 2
    c = _client(app, me)
    seen = []
    for number in range(1, len(order) // 2 + 2):
        html = page_html(c, f"/supervision/calls?due_page={number}")
        table = html.split('id="call-list"')[1].split("</table>")[0] if 'id="call-list"' in html else ""
        seen += [int(i) for i in re.findall(r'<tr data-call-id="(\d+)"', table)]
    assert seen == order
    html = page_html(c, "/supervision/calls")
    assert 'id="due-calls-next"' in html and f"{len(order)} calls are due." in html
    # The API's "my calls": the same list in the same order, paged as every list (a province's day
    # holds tens of thousands of calls, and each call's attempts were read one call at a time).
    pages = [api(c, f"/api/v1/me/calls?per_page=2&page={n}") for n in range(1, len(order) // 2 + 2)]
    assert [i["id"] for p in pages for i in p["items"]] == order
    assert pages[0]["total"] == len(order) and pages[0]["total_capped"] is False
    assert all(i["mine"] == (i["caller_id"] == me.id) for p in pages for i in p["items"])


def test_call_list_filters_and_counts(app, session, grow, supervisors, coordinator, monkeypatch):
    me, other = supervisors(2)
    grow(5)
    _due_calls(session, me.id, other.id, 0)
    c = _client(app, me)
    theirs = api(c, f"/api/v1/follow-ups?per_page=500&caller_id={other.id}")
    assert theirs["items"] and all(i["caller_id"] == other.id for i in theirs["items"])
    assert theirs["total_capped"] is False
    html = page_html(c, f"/supervision/calls?caller_id={other.id}")
    assert f"{theirs['total']} call" in html
    check_page_refuses(c, "/supervision/calls", caller_id="999999", due_from="x", status="nope")
    monkeypatch.setattr(listing, "COUNT_CAP", 2)
    monkeypatch.setattr(lists, "DUE_COUNT_CAP", 2)
    body = api(c, "/api/v1/follow-ups?per_page=1")
    assert body["total"] == 2 and body["total_capped"] is True
    app.config["LIST_PAGE_SIZE"] = 1
    html = page_html(c, "/supervision/calls")
    assert "More than 2 calls match." in html and "More than 2 calls are due." in html
    home = page_html(c, "/")
    assert "follow-up call" in home


def test_statements_do_not_grow_with_the_data(app, session, grow, supervisors, coordinator, count_queries):
    me, other = supervisors(2)
    urls = (
        "/api/v1/deadlines",
        "/api/v1/deadlines?within=30&deadline=closing_materials",
        "/supervision/deadlines",
        "/api/v1/follow-ups",
        "/supervision/calls",
    )
    app.config["LIST_PAGE_SIZE"] = 3
    sup, coord = _client(app, me), _client(app, coordinator)

    def counts():
        _due_calls(session, me.id, other.id, 0)
        out = []
        for url in urls:
            client = sup if "calls" in url else coord
            page_html(client, url)  # what a session reads once
            with count_queries() as q:
                page_html(client, url)
            out.append(q.count)
        return out

    grow(3)
    small = counts()
    grow(12)
    assert counts() == small
