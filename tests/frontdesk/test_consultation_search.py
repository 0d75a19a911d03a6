"""Searching the consultation register (issue 13: 1,000,000 consultations): two-character Chinese
terms and names, wildcards typed as text, the capped count ("more"), and on PostgreSQL the plans of
the list's first page and of a phone search (an index, never a sequential scan of the register)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from legalaid import clock, listing
from tests.conftest import ON_POSTGRES


def body(question: str, name: str | None = None, phone: str | None = None, **extra) -> dict:
    return {
        "channel": "hotline",
        "occurred_at": clock.now().isoformat(),
        "person": {"name": name, "phone": phone, "categories": []},
        "cause": "wage_arrears",
        "question": question,
        "answer": "告知可申请劳动仲裁及法律援助。",
        "outcome": "answered",
        **extra,
    }


@pytest.fixture
def desk(as_role):
    return as_role("desk")


def found(client, **query) -> list[str]:
    r = client.get("/api/v1/consultations", query_string=query)
    assert r.status_code == 200, r.get_json()
    return [c["question"] for c in r.get_json()["items"]]


def test_two_character_terms_names_and_case(desk, centre_clock):
    for question, name in (
        ("工地老板拖欠三个月工资不给", "李明"),
        ("在厂里干活受伤，老板不给报工伤", "王伟"),
        ("Unpaid WAGES since March", None),
        ("想离婚，孩子抚养权怎么判", "王伟华"),
    ):
        assert desk.post("/api/v1/consultations", json=body(question, name)).status_code == 201
    assert found(desk, q="工资") == ["工地老板拖欠三个月工资不给"]
    assert found(desk, q="王伟") == ["想离婚，孩子抚养权怎么判", "在厂里干活受伤，老板不给报工伤"]
    assert found(desk, q="王伟华") == ["想离婚，孩子抚养权怎么判"]
    assert found(desk, q="wages") == ["Unpaid WAGES since March"]
    assert found(desk, q="劳动仲裁") and len(found(desk, q="仲裁")) == 4  # the answer is searched too
    assert found(desk, q="伤") == ["在厂里干活受伤，老板不给报工伤"]  # one character: no pairs, LIKE alone
    assert found(desk, q="资不") == ["工地老板拖欠三个月工资不给"]
    assert found(desk, q="工伤认定") == []
    assert found(desk, q="伟王") == []  # both characters are there, not side by side


def test_wildcards_are_searched_as_text(desk):
    desk.post("/api/v1/consultations", json=body("欠款 100% 未还"))
    desk.post("/api/v1/consultations", json=body("欠款一百元未还"))
    assert found(desk, q="0%") == ["欠款 100% 未还"]
    assert found(desk, q="款_") == []


def test_a_text_search_counts_to_the_end_of_the_page_and_says_there_are_more(desk, centre_clock):
    start = clock.now() - dt.timedelta(hours=1)
    for i in range(5):
        at = (start + dt.timedelta(minutes=i)).isoformat()
        desk.post("/api/v1/consultations", json=body(f"拖欠工资 {i}", occurred_at=at))
    page = desk.get("/api/v1/consultations?q=工资&per_page=2").get_json()
    assert [c["question"] for c in page["items"]] == ["拖欠工资 4", "拖欠工资 3"]
    assert page["total"] == 2 and page["total_capped"] is True
    last = desk.get("/api/v1/consultations?q=工资&per_page=2&page=3").get_json()
    assert [c["question"] for c in last["items"]] == ["拖欠工资 0"]
    assert last["total"] == 5 and last["total_capped"] is False
    everything = desk.get("/api/v1/consultations?per_page=2").get_json()
    assert everything["total"] == 5 and everything["total_capped"] is False


def test_the_count_stops_at_the_cap(session, monkeypatch):
    from assignment import consultations

    monkeypatch.setattr(listing, "COUNT_CAP", 3)
    for i in range(5):
        session.add(
            consultations.Consultation(
                occurred_at=clock.now(),
                channel="visit",
                person_categories=[],
                question=f"问题 {i}",
                answer="答复",
                outcome="answered",
            )
        )
    session.flush()
    stmt = consultations.consultation_list_statement()
    assert listing.capped_count(session, stmt, listing.count_cap(None, 2)) == (3, True)
    assert listing.capped_count(session, stmt, listing.count_cap(None, 10)) == (5, False)
    assert listing.capped_count(session, stmt, listing.count_cap("问题", 2)) == (2, True)
    session.rollback()


def test_the_register_page_says_more_for_a_text_search(as_role, centre_clock, monkeypatch):
    from assignment import consultations_views

    desk = as_role("desk")
    monkeypatch.setattr(consultations_views, "PER_PAGE", 2)
    for i in range(3):
        desk.post("/api/v1/consultations", json=body(f"拖欠工资 {i}"))
    html = desk.get("/consultations?q=工资").get_data(as_text=True)
    assert "More than 2 consultations" in html and 'id="next"' in html
    html = desk.get("/consultations?q=工资&page=2").get_data(as_text=True)
    assert "3 consultations" in html and "More than" not in html


def _plan(session, stmt) -> str:
    from sqlalchemy.dialects import postgresql

    sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    return "\n".join(session.scalars(sa.text("EXPLAIN " + sql)))


@pytest.mark.skipif(not ON_POSTGRES, reason="the plans are PostgreSQL's")
def test_first_page_and_phone_search_use_an_index_not_a_sequential_scan(session):
    """5,000 consultations (ANALYZEd): the first page walks ``ix_consultation_occurred`` backwards,
    a phone search reads ``ix_consultation_phone``, a rare name is found through the text pairs'
    GIN index; none scans the register."""
    from assignment.consultations import consultation_list_statement

    session.execute(
        sa.text(
            """
            INSERT INTO consultation (occurred_at, channel, person_name, person_phone, person_categories,
                cause, question, answer, outcome, created_at)
            SELECT now() - i * interval '1 hour', 'hotline',
                CASE WHEN i % 1000 = 0 THEN '王伟' ELSE '李明' END,
                '138' || lpad(i::text, 8, '0'), '[]'::json, 'wage_arrears',
                '工地老板拖欠三个月工资不给 ' || i, '告知可申请劳动仲裁', 'answered', now()
            FROM generate_series(1, 5000) AS i
            """
        )
    )
    session.commit()
    session.execute(sa.text("ANALYZE consultation"))
    plans = {
        "first page": _plan(session, consultation_list_statement().limit(50)),
        "phone": _plan(session, consultation_list_statement(phone="138 0000 4321").limit(50)),
        "a common word": _plan(session, consultation_list_statement(q="工资").limit(50)),
    }
    for what, plan in plans.items():
        assert "Seq Scan on consultation" not in plan, f"{what}:\n{plan}"
    assert "ix_consultation_occurred" in plans["first page"], plans["first page"]
    assert "ix_consultation_phone" in plans["phone"], plans["phone"]
    # At 5,000 rows walking the list's index is cheapest even for a rare name; that the query's
    # expression is the GIN index's own shows when the planner may not walk it or read every row.
    session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    session.execute(sa.text("SET LOCAL enable_indexscan = off"))
    for term in ("王伟", "王伟华"):
        plan = _plan(session, consultation_list_statement(q=term).limit(50))
        assert "ix_consultation_text_pairs" in plan, plan
    session.rollback()
