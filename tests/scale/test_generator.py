"""bench/generate.py makes a centre the service works on (issue 16): a small generated set on the test
database, then rotation, archiving and a payment batch through the API on it.

PostgreSQL only: the generator writes with COPY (``LEGALAID_TEST_DATABASE_URL``)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.db import db
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="bench/generate.py writes with PostgreSQL COPY")


def scalar(app, sql: str, **params):
    with app.app_context():
        return db.session.execute(sa.text(sql), params).scalar()


def rows(app, sql: str, **params):
    with app.app_context():
        return db.session.execute(sa.text(sql), params).all()


def test_json_columns_are_written_once_and_areas_match(app, generated):
    # One encoding: a JSON array, not a JSON string holding an array.
    for table, column in (
        ("provider", "specialties"),
        ("provider", "areas"),
        ("rotation_pool", "case_types"),
        ("rotation_pool", "provider_kinds"),
        ("rotation_pool", "weights"),
        ("legal_case", "applicant_categories"),
    ):
        kinds = {k for (k,) in rows(app, f"SELECT DISTINCT json_typeof({column}) FROM {table}")}
        assert kinds == {"array"}, (table, column, kinds)
    assert scalar(app, "SELECT DISTINCT json_typeof(breakdown) FROM subsidy WHERE breakdown IS NOT NULL") == (
        "object"
    )
    # Every handled case's intake point is the area key of a pool serving its type.
    unserved = scalar(
        app,
        "SELECT count(*) FROM legal_case c JOIN assignment a ON a.case_id = c.id AND a.pool_id IS NOT NULL "
        "WHERE NOT EXISTS (SELECT 1 FROM pool_scope s WHERE s.case_type = c.case_type "
        "AND s.area_key = c.intake_point)",
    )
    assert unserved == 0


def test_every_stage_is_filled_and_consistent(app, generated):
    counts = {
        t: scalar(app, f"SELECT count(*) FROM {t}")
        for t in (
            "hearing",
            "observation",
            "case_closing",
            "closing_document",
            "score_file",
            "score_sheet",
            "follow_up_call",
            "call_attempt",
            "archive_record",
            "subsidy",
            "payment_batch",
            "payment_batch_item",
            "consultation",
        )
    }
    assert all(counts.values()), counts
    archived = scalar(app, "SELECT count(*) FROM legal_case WHERE status = 'archived'")
    assert counts["archive_record"] >= 0.9 * archived
    # Archive numbers YYYY-NNNNN without gaps in each year, and the counter at the last one.
    for year, n, top, numbers_ok, counter in rows(
        app,
        "SELECT a.year, count(*), max(a.seq), "
        "bool_and(a.number = a.year || '-' || lpad(a.seq::text, 5, '0')), "
        "(SELECT last_number FROM archive_counter k WHERE k.year = a.year) "
        "FROM archive_record a GROUP BY a.year",
    ):
        assert n == top == counter and numbers_ok, year
    # Released money only with the case's own archive record; batches add up.
    assert not scalar(
        app,
        "SELECT count(*) FROM subsidy s LEFT JOIN archive_record a ON a.id = s.archive_id "
        "WHERE s.status IN ('payable', 'batched', 'paid') AND (a.case_id IS DISTINCT FROM s.case_id)",
    )
    assert not scalar(
        app,
        "SELECT count(*) FROM payment_batch b WHERE (b.count, b.total_fen) <> (SELECT count(*), "
        "coalesce(sum(i.amount_fen), 0) FROM payment_batch_item i WHERE i.batch_id = b.id)",
    )
    assert {s for (s,) in rows(app, "SELECT DISTINCT status FROM subsidy")} >= {"paid", "payable", "pending"}


def test_rotation_archiving_and_a_batch_through_the_api(app, generated, as_role):
    coordinator = as_role("coordinator")
    # The biggest pool's area: a new application there is assigned by rotation.
    area, case_type = rows(
        app,
        "SELECT p.area, s.case_type FROM rotation_pool p JOIN pool_scope s ON s.pool_id = p.id "
        "JOIN pool_member m ON m.pool_id = p.id GROUP BY p.area, s.case_type ORDER BY count(*) DESC LIMIT 1",
    )[0]
    created = coordinator.post(
        "/api/v1/cases",
        json={
            "case_type": case_type,
            "cause": "wage_arrears" if case_type != "criminal" else "盗窃罪",
            "received_on": clock.today().isoformat(),
            "intake_point": area,
            "applicant": {"name": "王伟", "id_number": "110101199003077571", "phone": "13800000000"},
        },
    )
    assert created.status_code == 201, created.get_json()
    case_id = created.get_json()["id"]
    if created.get_json()["status"] != "accepted":
        decided = coordinator.post(f"/api/v1/cases/{case_id}/decision", json={"approved": True})
        assert decided.status_code == 200, decided.get_json()
    assigned = coordinator.post(f"/api/v1/cases/{case_id}/assignments", json={"mode": "rotation"})
    assert assigned.status_code == 201, assigned.get_json()
    # A generated case waiting for assignment is served by its area's pool too.
    waiting = scalar(
        app,
        "SELECT c.id FROM legal_case c WHERE c.status = 'accepted' AND NOT EXISTS "
        "(SELECT 1 FROM assignment a WHERE a.case_id = c.id) ORDER BY c.id LIMIT 1",
    )
    if waiting is not None:
        answer = coordinator.post(f"/api/v1/cases/{waiting}/assignments", json={"mode": "rotation"})
        assert answer.status_code == 201, answer.get_json()

    # A generated case ready to archive is archived with the next number of the year.
    ready = scalar(
        app,
        "SELECT c.id FROM legal_case c JOIN score_file f ON f.case_id = c.id AND f.status = 'final' "
        "JOIN follow_up_call k ON k.case_id = c.id AND k.status = 'done' "
        "WHERE c.status = 'closed' AND (f.accepted_at IS NOT NULL OR f.appeal_by < :today) "
        "ORDER BY c.id LIMIT 1",
        today=clock.today(),
    )
    assert ready is not None
    year = clock.today().year
    last = scalar(app, "SELECT last_number FROM archive_counter WHERE year = :y", y=year) or 0
    supervisor = as_role("supervisor")
    archived = supervisor.post(f"/api/v1/cases/{ready}/archive")
    assert archived.status_code == 201, archived.get_json()
    assert archived.get_json()["archive_number"] == f"{year}-{last + 1:05d}"

    finance = as_role("finance")
    payable = [
        s for (s,) in rows(app, "SELECT id FROM subsidy WHERE status = 'payable' ORDER BY id DESC LIMIT 20")
    ]
    assert payable
    batch = finance.post("/api/v1/payment-batches", json={"subsidy_ids": payable})
    assert batch.status_code == 201, batch.get_json()
    batch_id = batch.get_json()["id"]
    detail = finance.get(f"/api/v1/payment-batches/{batch_id}")
    assert detail.status_code == 200 and detail.get_json()["count"] == len(payable)
    export = finance.get(f"/api/v1/payment-batches/{batch_id}/export?format=csv")
    assert export.status_code == 200 and export.data.count(b"\n") >= len(payable)
    confirmed = finance.post(
        f"/api/v1/payment-batches/{batch_id}/confirm",
        json={"bank_reference": "GEN-1", "paid_on": clock.today().isoformat()},
    )
    assert confirmed.status_code == 200, confirmed.get_json()


def test_stations_duty_and_station_cases_are_filled_and_consistent(app, generated):
    counts = {
        t: scalar(app, f"SELECT count(*) FROM {t}")
        for t in ("station", "duty_rota", "duty_shift", "duty_swap", "duty_month", "red_flag")
    }
    assert all(counts.values()), counts
    assert scalar(app, "SELECT count(*) FROM rotation_pool WHERE purpose = 'duty'") == scalar(
        app, "SELECT count(DISTINCT station_id) FROM rotation_pool WHERE purpose = 'duty'"
    )
    # Shifts as the service writes them: past staffed ones done (checked in and out, legal help by
    # kind, a JSON object) or missed; the rest planned.
    for status, staffed, checked, helped in rows(
        app,
        "SELECT status, bool_and(provider_id IS NOT NULL), bool_and(checked_in_at < checked_out_at), "
        "bool_and(json_typeof(legal_help) = 'object') FROM duty_shift GROUP BY status",
    ):
        assert helped, status
        if status == "done":
            assert staffed and checked
    assert {s for (s,) in rows(app, "SELECT DISTINCT status FROM duty_shift")} >= {
        "done",
        "missed",
        "planned",
    }
    # Duty money only for a done shift of its own station's archived month.
    assert scalar(app, "SELECT count(*) FROM subsidy WHERE kind = 'duty'")
    assert not scalar(
        app,
        "SELECT count(*) FROM subsidy s JOIN duty_shift f ON f.id = s.duty_shift_id "
        "JOIN duty_month m ON m.id = s.duty_month_id WHERE s.kind = 'duty' AND (f.status <> 'done' "
        "OR m.station_id <> f.station_id OR to_char(f.on_date, 'YYYY-MM') <> m.month)",
    )
    # Station cases: forwarded after they were taken, judged late or not once the centre has them.
    taken, judged, detained, sexes = rows(
        app,
        "SELECT count(station_id), count(forwarded_late), count(*) FILTER (WHERE detained), "
        "count(applicant_sex) FROM legal_case",
    )[0]
    cases = scalar(app, "SELECT count(*) FROM legal_case")
    assert 0.04 * cases < taken == judged < 0.12 * cases
    assert detained and sexes > 0.9 * cases
    assert not scalar(app, "SELECT count(*) FROM legal_case WHERE centre_received_at < station_received_at")


def test_station_and_duty_pages_answer_on_generated_data(app, generated, as_role):
    station_id, month = rows(
        app,
        "SELECT m.station_id, m.month FROM duty_month m ORDER BY m.month DESC, m.station_id LIMIT 1",
    )[0]
    admin = as_role("admin")
    assert admin.get("/admin/stations").status_code == 200
    assert admin.get(f"/admin/stations/{station_id}").status_code == 200
    coordinator = as_role("coordinator")
    assert coordinator.get(f"/stations/{station_id}/months/{month}").status_code == 200
    assert coordinator.get(f"/duty?month={month}").status_code == 200
    assert coordinator.get(f"/duty/stations/{station_id}?month={month}").status_code == 200
    rota = coordinator.get(f"/api/v1/stations/{station_id}/rota?month={month}")
    assert rota.status_code == 200 and rota.get_json()["rota"]["status"] == "published"
    # Next month's rota is drafted from the station's generated duty pool by the service's rotation.
    pool_id = scalar(
        app, "SELECT id FROM rotation_pool WHERE purpose = 'duty' AND station_id = :s", s=station_id
    )
    first = (clock.today().replace(day=28) + dt.timedelta(days=5)).replace(day=1)
    days = [first + dt.timedelta(days=i) for i in range(7) if (first + dt.timedelta(days=i)).weekday() < 5]
    drafted = coordinator.post(
        f"/api/v1/stations/{station_id}/rota",
        json={
            "month": f"{first:%Y-%m}",
            "pool_id": pool_id,
            "shifts": [{"date": d.isoformat(), "part": "am"} for d in days],
        },
    )
    assert drafted.status_code == 201, drafted.get_json()
    assert any(s["provider_id"] for s in drafted.get_json()["shifts"])
    # A month left for the coordinator is archived through the API, its done shifts then payable.
    open_month = rows(
        app,
        "SELECT r.station_id, r.month FROM duty_rota r WHERE r.month < to_char(:today, 'YYYY-MM') "
        "AND NOT EXISTS (SELECT 1 FROM duty_month m WHERE m.station_id = r.station_id AND m.month = r.month) "
        "ORDER BY r.month DESC LIMIT 1",
        today=clock.today(),
    )
    assert open_month
    station_id, month = open_month[0]
    assert coordinator.get(f"/stations/{station_id}/months/{month}").status_code == 200
    archived = coordinator.post(f"/api/v1/stations/{station_id}/months/{month}/archive")
    assert archived.status_code == 200, archived.get_json()
    assert archived.get_json()["count"] == scalar(
        app,
        "SELECT count(*) FROM duty_shift WHERE station_id = :s AND to_char(on_date, 'YYYY-MM') = :m "
        "AND status = 'done'",
        s=station_id,
        m=month,
    )


def test_handled_cases_stay_with_their_provider_and_open_ones_count(app, generated, as_role):
    """As the service writes them: the accepted assignment of a closed or archived case stays live
    and never ended (its provider reads the case, the score, the subsidy); ``open_cases`` counts only
    the open ones."""
    orphans = scalar(
        app,
        "SELECT count(*) FROM legal_case c WHERE c.status IN ('closed', 'archived') AND NOT EXISTS"
        " (SELECT 1 FROM assignment a WHERE a.case_id = c.id AND a.live AND a.status = 'accepted'"
        " AND a.ended_at IS NULL)",
    )
    assert orphans == 0
    wrong = scalar(
        app,
        "SELECT count(*) FROM provider p WHERE p.open_cases <> (SELECT count(*) FROM assignment a"
        " JOIN legal_case c ON c.id = a.case_id WHERE a.provider_id = p.id AND a.live"
        " AND c.status IN ('assigned', 'in_progress'))",
    )
    assert wrong == 0
    provider_id, case_id = rows(
        app,
        "SELECT provider_id, case_id FROM score_file WHERE status = 'final' ORDER BY case_id LIMIT 1",
    )[0]
    lawyer = as_role("provider", provider_id=provider_id)
    assert lawyer.get(f"/scoring/my-scores/{case_id}").status_code == 200
