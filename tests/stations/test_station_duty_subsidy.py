"""Duty subsidies, archive-first (issue 14): a station's month is archived only when every staffed shift
is done or missed (else 409 naming what is missing); then each done shift's subsidy is payable, frozen
from the duty rate, listed with ``kind: duty`` and paid through the same batches, bank file and
confirmation as a case's. The database refuses a payable duty subsidy without its station's archived
month, and one pointing at another station's month."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.db import db

MONTH = "2026-10"


@pytest.fixture
def duty_month(app, station, make_provider):
    """A published rota of the station for October 2026: a morning done, a whole day done, an afternoon
    missed, and one more morning still planned. Returns (station id, shift ids, provider id)."""
    from assignment.duty.models import DutyRota, DutyShift
    from assignment.models import RotationPool

    provider = make_provider(bank_account_stored="6222020200112233445", bank_name="ICBC")
    with app.app_context():
        pool = RotationPool(
            name="Duty pool", case_types=[], provider_kinds=["lawyer"], purpose="duty", station_id=station
        )
        db.session.add(pool)
        db.session.flush()
        rota = DutyRota(station_id=station, month=MONTH, pool_id=pool.id, status="published")
        db.session.add(rota)
        db.session.flush()
        shifts = []
        for day, part, status in (
            (5, "am", "done"),
            (6, "day", "done"),
            (7, "pm", "missed"),
            (8, "am", "planned"),
        ):
            shift = DutyShift(
                rota_id=rota.id,
                station_id=station,
                on_date=dt.date(2026, 10, day),
                part=part,
                provider_id=provider,
                status=status,
            )
            db.session.add(shift)
            shifts.append(shift)
        db.session.commit()
        return station, [s.id for s in shifts], provider


def _finish(app, shift_id):
    from assignment.duty.models import DutyShift

    with app.app_context():
        db.session.get(DutyShift, shift_id).status = "done"
        db.session.commit()


def test_a_month_is_archived_only_when_every_shift_is_settled(app, as_role, duty_month, centre_clock):
    centre_clock.travel_to(dt.date(2026, 11, 2))
    station, shifts, provider = duty_month
    coordinator = as_role("coordinator")
    url = f"/api/v1/stations/{station}/months/{MONTH}/archive"
    early = coordinator.post(url)
    assert early.status_code == 409 and "2026-10-08 am" in early.get_json()["error"]["message"]
    finance = as_role("finance")
    assert finance.get("/api/v1/subsidies?status=payable").get_json()["total"] == 0
    _finish(app, shifts[3])
    archived = coordinator.post(url)
    assert archived.status_code == 200, archived.get_json()
    body = archived.get_json()
    assert body["count"] == 3 and body["total_fen"] == 20000 + 40000 + 20000  # half, whole, half day
    assert coordinator.post(url).status_code == 409  # once
    listed = finance.get("/api/v1/subsidies?status=payable").get_json()["items"]
    assert {s["kind"] for s in listed} == {"duty"} and {s["case_id"] for s in listed} == {None}
    assert {s["provider_id"] for s in listed} == {provider}
    assert sorted(s["breakdown"]["stage"] for s in listed) == ["day", "half_day", "half_day"]
    # The same batch, bank file and confirmation as case subsidies.
    batch = finance.post("/api/v1/payment-batches", json={"subsidy_ids": body["subsidy_ids"]})
    assert batch.status_code == 201 and batch.get_json()["total_fen"] == 80000
    batch_id = batch.get_json()["id"]
    export = finance.get(f"/api/v1/payment-batches/{batch_id}/export?format=csv")
    lines = export.get_data(as_text=True).strip().splitlines()
    assert export.status_code == 200 and len(lines) == 4
    assert sum(",400.00,40000," in line for line in lines) == 1  # the whole day, with no case number
    confirmed = finance.post(
        f"/api/v1/payment-batches/{batch_id}/confirm", json={"bank_reference": "B-1", "paid_on": "2026-11-02"}
    )
    assert confirmed.status_code == 200
    paid = finance.get("/api/v1/subsidies?status=paid").get_json()
    assert paid["total"] == 3 and {s["kind"] for s in paid["items"]} == {"duty"}
    assert as_role("provider").post(url).status_code == 403


def test_bad_months_are_refused(as_role, station):
    coordinator = as_role("coordinator")
    assert coordinator.post(f"/api/v1/stations/{station}/months/2026-13/archive").status_code == 422
    assert coordinator.post(f"/api/v1/stations/{station}/months/October/archive").status_code == 422
    assert (
        coordinator.post(f"/api/v1/stations/{station}/months/2026-10/archive").status_code == 409
    )  # no rota
    assert coordinator.post("/api/v1/stations/999/months/2026-10/archive").status_code == 404


def _insert_duty_subsidy(conn, shift_id, station, provider, month_id=None, status="pending"):
    conn.execute(
        sa.text(
            "INSERT INTO subsidy (kind, duty_shift_id, duty_station_id, duty_month_id, provider_id, status,"
            " amount_fen, created_at) VALUES ('duty', :shift, :station, :month, :provider, :status, 20000,"
            " :now)"
        ),
        {"shift": shift_id, "station": station, "month": month_id, "provider": provider, "status": status,
         "now": clock.now()},
    )  # fmt: skip


def test_the_database_refuses_a_payable_duty_subsidy_without_its_archived_month(app, duty_month):
    station, shifts, provider = duty_month
    with app.app_context(), db.engine.connect() as conn:
        _insert_duty_subsidy(conn, shifts[0], station, provider)
        conn.commit()
        with pytest.raises(sa.exc.IntegrityError):
            conn.execute(
                sa.text("UPDATE subsidy SET status = 'payable' WHERE duty_shift_id = :s"), {"s": shifts[0]}
            )
        conn.rollback()
        with pytest.raises(sa.exc.IntegrityError):  # a duty subsidy with a case, or without its shift
            conn.execute(
                sa.text("UPDATE subsidy SET duty_shift_id = NULL WHERE duty_shift_id = :s"), {"s": shifts[0]}
            )
        conn.rollback()


def test_the_month_must_be_the_shifts_own_stations(app, duty_month, make_provider):
    from assignment import stations
    from supervision.subsidies.models import DutyMonth

    station, shifts, provider = duty_month
    with app.app_context():
        other = stations.create_station(db.session, {"name": "区看守所", "kind": "detention_centre"}, None)
        db.session.flush()
        foreign = DutyMonth(station_id=other.id, month=MONTH, archived_at=clock.now())
        db.session.add(foreign)
        db.session.commit()
        other_id, foreign_id = other.id, foreign.id
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys = ON")
        with pytest.raises(sa.exc.IntegrityError):  # the shift is not the other station's
            _insert_duty_subsidy(conn, shifts[0], other_id, provider, foreign_id, "payable")
        conn.rollback()
        with pytest.raises(sa.exc.IntegrityError):  # the month is not the shift's station's
            _insert_duty_subsidy(conn, shifts[0], station, provider, foreign_id, "payable")
        conn.rollback()


def test_the_month_page_archives_after_asking_and_the_finance_pages_show_duty_rows(
    app, as_role, duty_month, centre_clock
):
    centre_clock.travel_to(dt.date(2026, 11, 2))
    station, shifts, provider = duty_month
    coordinator = as_role("coordinator")
    page = coordinator.get(f"/stations/{station}/months/{MONTH}").get_data(as_text=True)
    assert "2026-10-08 morning" in page and "archive-month" not in page
    _finish(app, shifts[3])
    assert "archive-month" in coordinator.get(f"/stations/{station}/months/{MONTH}").get_data(as_text=True)
    asked = coordinator.post(f"/stations/{station}/months/{MONTH}/archive", data={})
    assert asked.status_code == 200 and "confirmed" in asked.get_data(as_text=True)
    assert as_role("finance").get("/api/v1/subsidies?status=payable").get_json()["total"] == 0
    done = coordinator.post(
        f"/stations/{station}/months/{MONTH}/archive", data={"confirmed": "yes"}, follow_redirects=True
    )
    assert done.status_code == 200 and "month-subsidies" in done.get_data(as_text=True)
    finance = as_role("finance")
    assert finance.get("/finance/subsidies").status_code == 200
    assert finance.get("/finance/subsidies?case_type=duty").status_code == 200
    assert finance.get("/api/v1/subsidies?case_type=duty").get_json()["total"] == 3
    assert finance.get("/api/v1/subsidies?case_type=civil").get_json()["total"] == 0
    assert as_role("provider", provider_id=provider).get("/me/subsidies").status_code == 200


def test_through_the_service_the_month_comes_first(app, duty_month, make_person, centre_clock):
    from legalaid.errors import NotAllowed
    from supervision.subsidies import duty
    from supervision.subsidies.models import Subsidy

    centre_clock.travel_to(dt.date(2026, 11, 2))
    station, shifts, provider = duty_month
    with app.app_context():
        coordinator = make_person("coordinator")
        with pytest.raises(NotAllowed):
            duty.archive_month(db.session, coordinator, station, MONTH)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Subsidy)) == 0
        # Nothing outside the archive makes a duty subsidy payable: the ORM's write is refused too.
        db.session.add(
            Subsidy(
                kind="duty",
                duty_shift_id=shifts[0],
                duty_station_id=station,
                provider_id=provider,
                status="payable",
                amount_fen=20000,
            )
        )
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()
    _finish(app, shifts[3])
    with app.app_context():
        coordinator = make_person("coordinator")
        record, created = duty.archive_month(db.session, coordinator, station, MONTH)
        db.session.commit()
        assert [s.status for s in created] == ["payable"] * 3
        assert all(s.duty_month_id == record.id and s.breakdown["rate_fen"] == s.amount_fen for s in created)
        with pytest.raises(NotAllowed):
            duty.archive_month(db.session, coordinator, station, MONTH)


def test_duty_rates_are_entered_in_yuan_on_the_rates_page(as_role):
    admin = as_role("admin")
    form = {
        "case_type": "duty",
        "stage": "half_day",
        "provider_kind": "lawyer",
        "effective_from": "2027-01-01",
        "amount": "250",
        "note": "",
    }
    assert admin.post("/admin/subsidy-rates", data=form).status_code == 303
    rates = admin.get("/api/v1/subsidy-rates?per_page=100").get_json()["items"]
    assert any(
        r["case_type"] == "duty" and r["stage"] == "half_day" and r["amount_fen"] == 25000 for r in rates
    )
    page = admin.get("/admin/subsidy-rates").get_data(as_text=True)
    assert "half a day (duty)" in page and "Duty shift" in page
    refused = admin.post("/admin/subsidy-rates", data={**form, "stage": "trial"})
    assert refused.status_code == 200 and "half day or whole day" in refused.get_data(as_text=True)
