"""``GET /api/v1/me/assignments``: a provider's own list, in one query whatever its length, built
again only after a state change (legalaid.answers)."""

import os

import pytest
import sqlalchemy as sa

from assignment.rotation import accept_assignment, assign_by_rotation, decline_assignment
from legalaid.answers import AnswerCache, answer_cache
from legalaid.db import db

ON_POSTGRES = bool(os.environ.get("LEGALAID_TEST_DATABASE_URL"))


def test_my_assignments_is_one_query_for_any_number_of_cases(
    session, lawyers, make_pool, make_case, coordinator, as_role, count_queries
):
    (lawyer,) = lawyers(1)
    make_pool([lawyer])
    for n in range(6):
        assignment = assign_by_rotation(session, make_case(), coordinator)
        if n % 2:
            accept_assignment(session, assignment, None)
        session.commit()
    client = as_role("provider", provider_id=lawyer)
    client.get("/api/v1/session")  # the signed-in user is now cached by this worker
    with count_queries() as q:
        body = client.get("/api/v1/me/assignments?per_page=4").get_json()
    lists = [s for s in q.statements if "audit_head" not in s]  # SQLite reads the head in the session
    assert len(lists) == 1, q.statements
    assert body["total"] == 6 and len(body["items"]) == 4
    live = body["items"][0]
    assert (
        live["case"]["applicant"]["id_number"].endswith("7571")
        and live["case"]["applicant"]["id_number"][0] == "*"
    )
    assert set(live["deadlines"]) >= {"acceptance", "retainer"} and live["why_you"]


def test_a_page_past_the_end_still_gives_the_total(
    session, lawyers, make_pool, make_case, coordinator, as_role
):
    (lawyer,) = lawyers(1)
    make_pool([lawyer])
    assign_by_rotation(session, make_case(), coordinator)
    session.commit()
    body = as_role("provider", provider_id=lawyer).get("/api/v1/me/assignments?page=3").get_json()
    assert body == {"items": [], "total": 1}


def _list(client, query=""):
    response = client.get(f"/api/v1/me/assignments{query}")
    assert response.status_code == 200
    return response


def test_a_repeated_list_is_not_built_again(
    session, lawyers, make_pool, make_case, coordinator, as_role, app, count_queries
):
    (lawyer,) = lawyers(1)
    make_pool([lawyer])
    assign_by_rotation(session, make_case(), coordinator)
    session.commit()
    client = as_role("provider", provider_id=lawyer)
    first = _list(client)
    with count_queries() as q:
        again = _list(client)
    assert again.data == first.data
    assert not [s for s in q.statements if "assignment" in s], q.statements
    assert answer_cache(app).hits >= 1


def test_every_change_the_provider_makes_or_meets_shows_at_once(
    session, lawyers, make_pool, make_case, coordinator, as_role
):
    """The cached list follows the state: a new assignment, an answer, a decline, each seen on the
    next request (the audit head moved with each)."""
    (lawyer,) = lawyers(1)
    make_pool([lawyer])
    first = assign_by_rotation(session, make_case(), coordinator)
    session.commit()
    client = as_role("provider", provider_id=lawyer)
    assert [i["status"] for i in _list(client).get_json()["items"]] == ["offered"]

    assert client.post(f"/api/v1/assignments/{first.id}/accept").status_code == 200
    assert [i["status"] for i in _list(client).get_json()["items"]] == ["accepted"]

    second = assign_by_rotation(session, make_case(), coordinator)
    session.commit()
    body = _list(client).get_json()
    assert body["total"] == 2 and body["items"][0]["id"] == second.id

    decline_assignment(session, db.session.get(type(second), second.id), "other", None)
    session.commit()
    statuses = {i["id"]: i["status"] for i in _list(client).get_json()["items"]}
    assert statuses == {first.id: "accepted", second.id: "declined"}


def test_each_provider_and_page_has_its_own_answer(
    session, lawyers, make_pool, make_case, coordinator, as_role
):
    one, two = lawyers(2)
    make_pool([one, two])
    for _ in range(4):
        assign_by_rotation(session, make_case(), coordinator)
        session.commit()
    first = as_role("provider", provider_id=one)
    session.rollback()  # the sign-in ran in this test's session (one app context); free SQLite's lock
    second = as_role("provider", provider_id=two)
    mine = {i["provider_id"] for i in _list(first).get_json()["items"]}
    theirs = {i["provider_id"] for i in _list(second).get_json()["items"]}
    assert mine == {one} and theirs == {two}
    page_one = _list(first, "?per_page=1").get_json()["items"]
    page_two = _list(first, "?per_page=1&page=2").get_json()["items"]
    assert len(page_one) == len(page_two) == 1 and page_one[0]["id"] != page_two[0]["id"]


def test_an_unchanged_list_answers_304_to_its_etag(
    session, lawyers, make_pool, make_case, coordinator, as_role
):
    (lawyer,) = lawyers(1)
    make_pool([lawyer])
    assignment = assign_by_rotation(session, make_case(), coordinator)
    session.commit()
    client = as_role("provider", provider_id=lawyer)
    etag = _list(client).headers["ETag"]
    assert client.get("/api/v1/me/assignments", headers={"If-None-Match": etag}).status_code == 304
    assert client.post(f"/api/v1/assignments/{assignment.id}/accept").status_code == 200
    changed = client.get("/api/v1/me/assignments", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["items"][0]["status"] == "accepted"


def test_the_cache_keeps_the_most_recently_used_within_its_bound():
    cache = AnswerCache(max_entries=2, max_body_bytes=10)
    cache.put(("a",), b"1")
    cache.put(("b",), b"2")
    assert cache.get(("a",))[0] == b"1"  # a is now the most recent
    cache.put(("c",), b"3")
    assert cache.get(("b",)) is None and cache.get(("a",)) and cache.get(("c",))
    cache.put(("big",), b"x" * 11)  # answered, but too large to keep
    assert cache.get(("big",)) is None and len(cache) == 2


@pytest.mark.skipif(not ON_POSTGRES, reason="the held head connection exists on PostgreSQL only")
def test_a_dropped_head_connection_is_replaced(
    session, lawyers, make_pool, make_case, coordinator, as_role, app
):
    (lawyer,) = lawyers(1)
    make_pool([lawyer])
    assign_by_rotation(session, make_case(), coordinator)
    session.commit()
    client = as_role("provider", provider_id=lawyer)
    _list(client)
    reader = app.extensions["answer_head_reader"]
    pid = reader._connection.driver_connection.info.backend_pid
    session.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    session.commit()
    assert _list(client).get_json()["total"] == 1


def test_my_assignments_page_is_paged_in_a_fixed_number_of_statements(
    session, lawyers, make_pool, make_case, coordinator, as_role, count_queries, monkeypatch
):
    """The lawyer's page shows a page of cards, its deadlines without reading each case's assignment
    again: the same statements for 2 cards as for 6, and the rest on the next page."""
    from assignment import views_my_assignments

    monkeypatch.setattr(views_my_assignments, "MY_ASSIGNMENTS_PAGE", 3)
    (lawyer,) = lawyers(1)
    make_pool([lawyer])
    client = as_role("provider", provider_id=lawyer)
    counts = []
    for total in (2, 6):
        while len(session.scalars(sa.select(sa.text("1")).select_from(sa.text("assignment"))).all()) < total:
            assignment = assign_by_rotation(session, make_case(), coordinator)
            accept_assignment(session, assignment, None)
            session.commit()
        client.get("/me/assignments")
        session.expire_all()  # nothing loaded by the test is reused by the page
        with count_queries() as q:
            page = client.get("/me/assignments").get_data(as_text=True)
        counts.append(q.count)
    assert counts[0] == counts[1], counts
    assert page.count('class="card assignment"') == 3 and "Page 1 of 2" in page
    rest = client.get("/me/assignments?page=2").get_data(as_text=True)
    assert rest.count('class="card assignment"') == 3 and "Page 2 of 2" in rest
