"""Complaints (法律援助投诉处理办法): the limits at their edges (the 5th and 6th working day, the 45th
and 46th day, one extension), the order of the steps, who sees the complainant, and the effects of an
upheld complaint (subsidy held or zero as a confirmed red flag makes it; the provider paused in every
pool until the end date)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.db import db

MONDAY = dt.date(2026, 3, 9)  # a week without holidays


def complaint_body(**extra) -> dict:
    return {
        "received_on": MONDAY.isoformat(),
        "complainant": {"name": "Zhao Lei", "relation": "client", "phone": "13900001111"},
        "respondent": {"kind": "centre"},
        "matter": "wrongful_refusal",
        "request": "Reconsider my application",
        "facts": "My application was refused without a reason.",
        **extra,
    }


@pytest.fixture
def handler(as_role):
    return as_role("supervisor")


def register(client, **extra) -> dict:
    r = client.post("/api/v1/complaints", json=complaint_body(**extra))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def overdue_ids(client) -> set[int]:
    return {c["id"] for c in client.get("/api/v1/complaints?overdue=true").get_json()["items"]}


def test_acceptance_due_on_the_fifth_working_day(handler, centre_clock):
    centre_clock.travel_to(MONDAY)
    complaint = register(handler)
    assert complaint["status"] == "received" and complaint["accept_by"] == "2026-03-16"
    centre_clock.travel_to(dt.date(2026, 3, 16))  # the 5th working day: still in time
    assert complaint["id"] not in overdue_ids(handler)
    centre_clock.travel_to(dt.date(2026, 3, 17))  # the 6th: overdue
    assert complaint["id"] in overdue_ids(handler)
    assert handler.get(f"/api/v1/complaints/{complaint['id']}").get_json()["overdue"] is True


def test_acceptance_skips_a_holiday_of_the_calendar(handler, centre_clock, app):
    from assignment.models import CalendarDay

    with app.app_context():
        db.session.add(CalendarDay(day=dt.date(2026, 3, 11), working=False, note="holiday"))
        db.session.commit()
    centre_clock.travel_to(MONDAY)
    assert register(handler)["accept_by"] == "2026-03-17"


def test_decision_due_45_days_after_acceptance(handler, centre_clock):
    centre_clock.travel_to(MONDAY)
    complaint = register(handler)
    centre_clock.travel_to(dt.date(2026, 3, 10))
    r = handler.post(f"/api/v1/complaints/{complaint['id']}/acceptance", json={"accepted": True})
    assert r.status_code == 200 and r.get_json()["decide_by"] == "2026-04-24"
    centre_clock.travel_to(dt.date(2026, 4, 24))  # the 45th day
    assert complaint["id"] not in overdue_ids(handler)
    centre_clock.travel_to(dt.date(2026, 4, 25))  # the 46th
    assert complaint["id"] in overdue_ids(handler)


def test_one_extension_with_a_reason_and_a_later_date(handler, centre_clock):
    centre_clock.travel_to(MONDAY)
    cid = register(handler)["id"]
    handler.post(f"/api/v1/complaints/{cid}/acceptance", json={"accepted": True})  # decide by 2026-04-23
    url = f"/api/v1/complaints/{cid}/extension"
    assert handler.post(url, json={"reason": "r", "new_decide_by": "2026-04-20"}).status_code == 422
    r = handler.post(url, json={"reason": "Witness abroad; the head approved", "new_decide_by": "2026-05-25"})
    assert r.status_code == 200 and r.get_json()["decide_by"] == "2026-05-25"
    assert handler.post(url, json={"reason": "again", "new_decide_by": "2026-06-25"}).status_code == 409
    centre_clock.travel_to(dt.date(2026, 5, 25))
    assert cid not in overdue_ids(handler)
    centre_clock.travel_to(dt.date(2026, 5, 26))
    assert cid in overdue_ids(handler)


def test_answer_due_five_working_days_after_the_decision(handler, centre_clock):
    centre_clock.travel_to(MONDAY)
    cid = register(handler)["id"]
    handler.post(f"/api/v1/complaints/{cid}/acceptance", json={"accepted": True})
    centre_clock.travel_to(dt.date(2026, 3, 13))  # a Friday
    r = handler.post(
        f"/api/v1/complaints/{cid}/decision", json={"outcome": "not_upheld", "findings": "Refusal was lawful"}
    )
    assert r.status_code == 200 and r.get_json()["answer_by"] == "2026-03-20"
    centre_clock.travel_to(dt.date(2026, 3, 20))
    assert cid not in overdue_ids(handler)
    centre_clock.travel_to(dt.date(2026, 3, 23))
    assert cid in overdue_ids(handler)
    r = handler.post(
        f"/api/v1/complaints/{cid}/answer", json={"answered_on": "2026-03-23", "method": "phone"}
    )
    assert r.status_code == 200 and r.get_json()["status"] == "answered"
    assert cid not in overdue_ids(handler)


def test_steps_out_of_order_are_refused(handler):
    cid = register(handler)["id"]
    url = f"/api/v1/complaints/{cid}"
    decision = {"outcome": "not_upheld", "findings": "f"}
    assert handler.post(f"{url}/decision", json=decision).status_code == 409
    assert (
        handler.post(
            f"{url}/answer", json={"answered_on": MONDAY.isoformat(), "method": "letter"}
        ).status_code
        == 409
    )
    refused = handler.post(f"{url}/acceptance", json={"accepted": False})
    assert refused.status_code == 422 and "reason" in refused.get_json()["error"]["fields"]
    assert (
        handler.post(f"{url}/acceptance", json={"accepted": False, "reason": "Already handled"}).status_code
        == 200
    )
    assert handler.post(f"{url}/acceptance", json={"accepted": True}).status_code == 409
    assert handler.post(f"{url}/decision", json=decision).status_code == 409


def test_identity_only_for_handlers_and_the_provider_sees_it_when_asked(handler, as_role, make_provider):
    provider_id = make_provider()
    cid = register(handler, respondent={"kind": "provider", "id": provider_id}, matter="neglect")["id"]
    admin_view = as_role("admin").get(f"/api/v1/complaints/{cid}").get_json()
    assert admin_view["complainant"]["name"] is None and admin_view["complainant"]["relation"] == "client"
    assert handler.get(f"/api/v1/complaints/{cid}").get_json()["complainant"]["name"] == "Zhao Lei"
    lawyer = as_role("provider", provider_id=provider_id)
    other = as_role("provider", provider_id=make_provider())
    assert lawyer.get(f"/api/v1/complaints/{cid}").status_code == 404
    handler.post(f"/api/v1/complaints/{cid}/acceptance", json={"accepted": True})
    due = (clock.today() + dt.timedelta(days=7)).isoformat()
    assert (
        handler.post(f"/api/v1/complaints/{cid}/statement-request", json={"due_on": due}).status_code == 200
    )
    seen = lawyer.get(f"/api/v1/complaints/{cid}").get_json()
    assert seen["statement_due_on"] == due and seen["complainant"]["name"] is None
    assert other.get(f"/api/v1/complaints/{cid}").status_code == 404
    assert other.post(f"/api/v1/complaints/{cid}/statement", json={"text": "not me"}).status_code == 404
    r = lawyer.post(f"/api/v1/complaints/{cid}/statement", json={"text": "I called the client twice."})
    assert r.status_code == 200 and r.get_json()["statement"] == "I called the client twice."
    assert lawyer.post(f"/api/v1/complaints/{cid}/statement", json={"text": "again"}).status_code == 409


def test_upheld_neglect_pauses_the_provider_in_every_pool_until_its_date(
    handler, make_provider, make_case_at, app
):
    from assignment.models import ProviderLeave

    provider_id = make_provider()
    cid = register(
        handler,
        received_on=clock.today().isoformat(),
        respondent={"kind": "provider", "id": provider_id},
        matter="neglect",
    )["id"]
    handler.post(f"/api/v1/complaints/{cid}/acceptance", json={"accepted": True})
    r = handler.post(
        f"/api/v1/complaints/{cid}/decision",
        json={"outcome": "upheld_correction", "findings": "No contact for 3 months", "pause_days": 30},
    )
    assert r.status_code == 200, r.get_json()
    with app.app_context():
        leave = db.session.scalars(
            sa.select(ProviderLeave).where(ProviderLeave.provider_id == provider_id)
        ).one()
        assert leave.starts_on == clock.today()
        assert leave.ends_on == clock.today() + dt.timedelta(days=29)  # paused 30 days, back on the 31st
        assert "complaint" in leave.note
        from supervision.complaints.services import upheld_by_provider

        assert upheld_by_provider(db.session) == {provider_id: 1}
        yesterday = clock.today() - dt.timedelta(days=1)
        assert upheld_by_provider(db.session, date_to=yesterday) == {}
        # The rotation passes the provider over to the pause's last day, and takes them again after.
        from assignment.models import Provider
        from assignment.rotation import provider_ineligibility

        case = make_case_at(db.session, stage="accepted")
        provider = db.session.get(Provider, provider_id)
        last_day = clock.today() + dt.timedelta(days=29)
        assert provider_ineligibility(db.session, provider, case, last_day) is not None
        assert provider_ineligibility(db.session, provider, case, last_day + dt.timedelta(days=1)) is None


def test_pause_days_only_for_upheld_neglect(handler):
    cid = register(handler)["id"]
    handler.post(f"/api/v1/complaints/{cid}/acceptance", json={"accepted": True})
    r = handler.post(
        f"/api/v1/complaints/{cid}/decision",
        json={"outcome": "upheld_education", "findings": "f", "pause_days": 5},
    )
    assert r.status_code == 422 and "pause_days" in r.get_json()["error"]["fields"]


def test_upheld_took_money_has_the_confirmed_red_flags_effect(handler, make_provider, make_case_at, app):
    from supervision.scheduling.models import RedFlag
    from supervision.subsidies.models import Subsidy
    from supervision.subsidies.prerequisites import took_money_confirmed_many

    provider_id = make_provider()
    with app.app_context():
        case = make_case_at(db.session, stage="in_progress", provider_id=provider_id)
        db.session.commit()
        case_id = case.id
        assert db.session.scalar(sa.select(Subsidy.status).where(Subsidy.case_id == case_id)) == "pending"
    cid = register(
        handler,
        received_on=clock.today().isoformat(),
        respondent={"kind": "provider", "id": provider_id},
        case_id=case_id,
        matter="took_money",
    )["id"]
    handler.post(f"/api/v1/complaints/{cid}/acceptance", json={"accepted": True})
    r = handler.post(
        f"/api/v1/complaints/{cid}/decision",
        json={"outcome": "referred_for_discipline", "findings": "Took 2,000 yuan"},
    )
    assert r.status_code == 200, r.get_json()
    with app.app_context():
        flag = db.session.scalars(sa.select(RedFlag).where(RedFlag.case_id == case_id)).one()
        assert flag.status == "confirmed" and flag.provider_id == provider_id
        # Not archived yet: as for a confirmed flag, the hold is lifted and archiving computes 0.
        assert db.session.scalar(sa.select(Subsidy.status).where(Subsidy.case_id == case_id)) == "pending"
        assert took_money_confirmed_many(db.session, [case_id]) == {case_id}
        flag_id = flag.id
    # The flag a complaint confirmed reads like any other on the supervisors' pages.
    assert handler.get(f"/supervision/red-flags/{flag_id}").status_code == 200
    assert handler.get("/supervision/red-flags").status_code == 200


def test_who_may_handle(as_role):
    assert as_role("desk").post("/api/v1/complaints", json=complaint_body()).status_code == 403
    assert as_role("admin").post("/api/v1/complaints", json=complaint_body()).status_code == 403
    assert as_role("coordinator").get("/api/v1/complaints").status_code == 403


def test_overdue_limit_on_the_deadlines_page_and_in_the_morning_digest(handler, centre_clock, app):
    from supervision.scheduling.models import Reminder
    from supervision.scheduling.scheduler import plan_morning_reminders

    centre_clock.travel_to(MONDAY)
    cid = register(handler)["id"]
    centre_clock.travel_to(dt.datetime(2026, 3, 17, 9, 0))
    page = handler.get("/supervision/deadlines").get_data(as_text=True)
    assert f'href="/complaints/{cid}"' in page and "1 day overdue" in page
    with app.app_context():
        assert plan_morning_reminders(db.session, clock.now())
        digest = db.session.scalars(sa.select(Reminder).where(Reminder.key.like("complaint-digest:%"))).all()
        assert len(digest) == 1 and f"complaint {cid}  complaint_acceptance  2026-03-16" in digest[0].body
