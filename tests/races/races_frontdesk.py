"""Races for the front desk: consultations, stations, a station's duty month, the centre's receipt
(the table and its rules: tests/races/harness.py)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from legalaid import clock
from legalaid.db import db
from tests.races.centre import APPLICANT, Centre
from tests.races.harness import N, created_ids, one_winner, only, race, races, seq, statuses

# --- the front desk ------------------------------------------------------------------------------


def _consultation_body(i: int = 0) -> dict:
    return {
        "channel": "hotline",
        "occurred_at": clock.now().isoformat(),
        "person": {"name": f"Caller {i}", "phone": f"1380000{i:04d}"},
        "cause": "wage_arrears",
        "question": "Unpaid wages",
        "answer": "Told what to bring",
        "outcome": "answered",
    }


@races("consultations_api.register_consultation.post", kind="create")
def race_consultations(c: Centre):
    from assignment.consultations_models import Consultation

    desk = c.new_user(["desk"])
    before = c.count(Consultation)
    answers = race(c.many(desk), lambda cl, i: cl.post("/api/v1/consultations", json=_consultation_body(i)))
    assert statuses(answers) == {201: N}
    assert c.count(Consultation) == before + N
    for consultation_id in created_ids(answers):
        assert c.audit("consultation.register", consultation_id) == 1


@races("consultations_api.register_application.post", kind="unique")
def race_applications_from_one_consultation(c: Centre):
    from assignment.consultations_models import Consultation
    from assignment.models import Case

    desk = c.new_user(["desk"])
    r = c.one(desk).post("/api/v1/consultations", json=_consultation_body())
    assert r.status_code == 201, r.get_json()
    consultation_id = r.get_json()["id"]
    cases_before = c.count(Case)
    body = {"applicant": {"id_number": APPLICANT["id_number"]}}
    answers = race(
        c.many(desk),
        lambda cl, i: cl.post(f"/api/v1/consultations/{consultation_id}/application", json=body),
    )
    winner = one_winner(answers, 201, (409,))
    assert c.count(Case) == cases_before + 1
    case_id = answers[winner].get_json()["id"]
    assert c.scalar(sa.select(Consultation.case_id).where(Consultation.id == consultation_id)) == case_id
    assert c.audit("consultation.register_application", consultation_id) == 1
    c.goes_forward(case_id)


@races("consultations_api.create_station.post", kind="unique")
def race_stations_with_one_name(c: Centre):
    from assignment.consultations_models import Station

    name = f"Race station {next(seq)}"
    answers = race(
        c.many("h_admin"), lambda cl, i: cl.post("/api/v1/stations", json={"name": name, "kind": "court"})
    )
    one_winner(answers, 201, (409, 422))
    assert c.count(Station, Station.name == name) == 1


@races("station_api.update_station.patch", kind="idempotent")
def race_station_updates(c: Centre):
    from assignment.consultations_models import Station

    r = c.admin.post("/api/v1/stations", json={"name": f"Race township {next(seq)}", "kind": "township"})
    station_id = r.get_json()["id"]
    answers = race(
        c.many("h_admin"),
        lambda cl, i: cl.patch(f"/api/v1/stations/{station_id}", json={"hours": f"9-{16 + i % 2}"}),
    )
    got = only(answers, {200, 409})
    assert got[200] >= 1
    assert c.scalar(sa.select(Station.hours).where(Station.id == station_id)) in ("9-16", "9-17")
    assert c.audit("station.update", station_id) == got[200]


@races("subsidies_api.archive_month.post", kind="transition")
def race_duty_month_archived_twice(c: Centre):
    """Two coordinators archive one station's month: one 200, one 409; each done shift paid once."""
    from assignment.duty.models import DutyRota, DutyShift
    from assignment.models import RotationPool
    from supervision.subsidies.models import DutyMonth, Subsidy

    r = c.admin.post("/api/v1/stations", json={"name": f"Race duty court {next(seq)}", "kind": "court"})
    station_id, provider_id = r.get_json()["id"], c.new_provider()
    last_month = (clock.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    month = last_month.strftime("%Y-%m")
    with c.app.app_context():
        pool = RotationPool(
            name=f"Race duty pool {next(seq)}",
            case_types=[],
            provider_kinds=["lawyer"],
            purpose="duty",
            station_id=station_id,
        )
        db.session.add(pool)
        db.session.flush()
        rota = DutyRota(station_id=station_id, month=month, pool_id=pool.id, status="published")
        db.session.add(rota)
        db.session.flush()
        for day, part in ((3, "am"), (4, "day")):
            db.session.add(
                DutyShift(
                    rota_id=rota.id,
                    station_id=station_id,
                    on_date=last_month.replace(day=day),
                    part=part,
                    provider_id=provider_id,
                    status="done",
                )
            )
        db.session.commit()
    url = f"/api/v1/stations/{station_id}/months/{month}/archive"
    one_winner(race(c.many("h_coord"), lambda cl, i: cl.post(url)), 200)
    assert c.count(DutyMonth, DutyMonth.station_id == station_id) == 1
    assert c.count(Subsidy, Subsidy.duty_station_id == station_id) == 2
    assert c.audit("duty_month.archive", station_id) == 1


@races("station_api.centre_receipt.post", kind="transition")
def race_centre_receipts(c: Centre):
    """Two clerks record the centre's receipt of one station's application: one 200, one 409."""
    from assignment.models import Case

    r = c.admin.post("/api/v1/stations", json={"name": f"Race workstation {next(seq)}", "kind": "township"})
    body = {
        "case_type": "civil",
        "cause": "contract",
        "received_on": clock.today().isoformat(),
        "applicant": APPLICANT,
        "station_id": r.get_json()["id"],
        "station_received_at": (clock.now() - dt.timedelta(hours=2)).isoformat(),
    }
    case_id = c.one("h_coord").post("/api/v1/cases", json=body).get_json()["id"]
    answers = race(
        c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/centre-receipt", json={})
    )
    one_winner(answers, 200)
    assert c.scalar(sa.select(Case.centre_received_at).where(Case.id == case_id)) is not None
    assert c.audit("case.centre_receipt", case_id) == 1
    c.goes_forward(case_id)
