"""The Supervision part of API.md: paths, fields, status codes; object-level checks."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from legalaid import clock
from supervision.scheduling.models import FollowUpCall
from tests.conftest import AuthActions
from tests.scheduling.conftest import future


def _client(app, user):
    client = app.test_client()
    AuthActions(client).login(user.username)
    return client


def test_hearing_observation_and_report_through_the_api(
    app, session, make_case, make_person, coordinator, supervisors
):
    sup, _other = supervisors(2)
    case = make_case(major=True)
    coord = _client(app, coordinator)
    r = coord.post(
        f"/api/v1/cases/{case.id}/hearings",
        json={"starts_at": future(14).isoformat(), "court": "People's Court", "room": "2"},
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["observation"]["observer_id"] == sup.id and body["observation"]["status"] == "scheduled"
    assert body["observation_reason"] == "major_case"
    assert dt.datetime.fromisoformat(body["ends_at"]) - dt.datetime.fromisoformat(
        body["starts_at"]
    ) == dt.timedelta(hours=3)
    supervisor = _client(app, sup)
    listed = supervisor.get("/api/v1/observations?status=scheduled").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["observation"]["id"]
    r = supervisor.post(
        f"/api/v1/observations/{body['observation']['id']}/report",
        json={"preparation": 4, "examination": 4, "argument": 5, "effect": 4},
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_allowed"  # not held yet
    r = supervisor.post(
        f"/api/v1/observations/{body['observation']['id']}/report",
        json={"preparation": 9, "examination": 4, "argument": 5, "effect": 4},
    )
    assert r.status_code == 422 and "preparation" in r.get_json()["error"]["fields"]


def test_hearing_validation_and_roles(app, session, make_case, coordinator, supervisors, make_person):
    supervisors(1)
    case = make_case()
    coord = _client(app, coordinator)
    r = coord.post(
        f"/api/v1/cases/{case.id}/hearings", json={"starts_at": "2026-12-01T09:00:00", "court": "X"}
    )
    assert r.status_code == 422 and "starts_at" in r.get_json()["error"]["fields"]
    r = coord.post(f"/api/v1/cases/{case.id}/hearings", json={"court": "X"})
    assert r.status_code == 422
    r = coord.post(f"/api/v1/cases/{case.id}/hearings", data="{", content_type="application/json")
    assert r.status_code == 400
    assert (
        coord.post(
            "/api/v1/cases/999999/hearings", json={"starts_at": future(3).isoformat(), "court": "X"}
        ).status_code
        == 404
    )
    finance = _client(app, make_person("finance"))
    assert (
        finance.post(
            f"/api/v1/cases/{case.id}/hearings", json={"starts_at": future(3).isoformat(), "court": "X"}
        ).status_code
        == 403
    )


def test_provider_records_and_sees_only_their_hearings(
    app, session, make_case, make_lawyer, make_person, supervisors
):
    supervisors(1)
    mine, theirs = make_lawyer(), make_lawyer()
    my_case, their_case = make_case(provider=mine), make_case(provider=theirs)
    provider = _client(app, make_person("provider", provider_id=mine.id))
    r = provider.post(
        f"/api/v1/cases/{my_case.id}/hearings",
        json={"starts_at": future(5).isoformat(), "court": "District Court"},
    )
    assert r.status_code == 201
    hearing_id = r.get_json()["id"]
    r = provider.post(
        f"/api/v1/cases/{their_case.id}/hearings",
        json={"starts_at": future(5).isoformat(), "court": "District Court"},
    )
    assert r.status_code == 404
    listed = provider.get("/api/v1/hearings").get_json()
    assert [h["id"] for h in listed["items"]] == [hearing_id]
    r = provider.patch(f"/api/v1/hearings/{hearing_id}", json={"starts_at": future(6).isoformat()})
    assert r.status_code == 200 and r.get_json()["starts_at"] == future(6).isoformat()
    assert provider.post(f"/api/v1/hearings/{hearing_id}/cancel", json={}).status_code == 200
    assert provider.post(f"/api/v1/hearings/{hearing_id}/cancel", json={}).status_code == 409


def test_follow_ups_and_attempts(app, session, make_case, supervisors):
    sup, other = supervisors(2)
    case = make_case()
    supervisor = _client(app, other)
    calls = supervisor.get(f"/api/v1/follow-ups?case_id={case.id}").get_json()
    assert calls["total"] == 1
    (call,) = calls["items"]
    assert {"due_on", "status", "purpose", "caller_id"} <= set(call)
    assert call["purpose"] == "after_assignment" and call["caller_id"] == sup.id
    assert supervisor.get(f"/api/v1/follow-ups?due_before={clock.today()}").get_json()["total"] == 0
    assert supervisor.get("/api/v1/follow-ups?due_before=nonsense").status_code == 422
    r = supervisor.post(
        f"/api/v1/follow-ups/{call['id']}/attempts",
        json={"reached": True, "satisfaction": "satisfied", "took_money": True, "notes": "gift"},
    )
    assert r.status_code == 201 and r.get_json()["call"]["status"] == "done"
    flags = supervisor.get(f"/api/v1/red-flags?case_id={case.id}").get_json()["items"]
    assert [f["status"] for f in flags] == ["open"]
    r = supervisor.post(f"/api/v1/red-flags/{flags[0]['id']}/resolve", json={"outcome": "confirmed"})
    assert r.status_code == 422
    r = supervisor.post(
        f"/api/v1/red-flags/{flags[0]['id']}/resolve", json={"outcome": "confirmed", "reason": "receipt"}
    )
    assert r.status_code == 200 and r.get_json()["status"] == "confirmed"
    r = supervisor.post(f"/api/v1/follow-ups/{call['id']}/attempts", json={"reached": False})
    assert r.status_code == 409
    assert (
        supervisor.post(f"/api/v1/follow-ups/{call['id']}/attempts", json={"reached": "yes"}).status_code
        == 422
    )


def test_my_calls_and_inbox(app, session, make_case, supervisors):
    from supervision.scheduling.reminders import sweep_due_reminders

    (sup,) = supervisors(1)
    case = make_case(accepted_at=clock.now() - dt.timedelta(days=9))
    supervisor = _client(app, sup)
    mine = supervisor.get("/api/v1/me/calls").get_json()
    assert mine["total"] == 1 and mine["items"][0]["case_id"] == case.id and mine["items"][0]["mine"]
    flag_call = session.scalar(sa.select(FollowUpCall))
    from supervision.scheduling.calls import record_call_attempt

    record_call_attempt(session, sup, flag_call, reached=True, took_money=True)
    sweep_due_reminders(session)
    session.commit()
    inbox = supervisor.get("/api/v1/me/inbox").get_json()
    assert inbox["unread"] == 1 and inbox["items"][0]["kind"] == "red_flag"
    assert supervisor.post("/api/v1/me/inbox/read", json={}).get_json() == {"marked": 1}
    assert supervisor.get("/api/v1/me/inbox").get_json()["unread"] == 0


def test_calendar_days_admin_only(app, session, make_person):
    admin, coord = _client(app, make_person("admin")), _client(app, make_person("coordinator"))
    assert coord.put("/api/v1/calendar/days/2026-10-01", json={"working": False}).status_code == 403
    r = admin.put("/api/v1/calendar/days/2026-10-01", json={"working": False, "note": "National Day"})
    assert r.status_code == 200
    assert coord.get("/api/v1/calendar/days?year=2026").get_json()["items"][0]["day"] == "2026-10-01"
    assert admin.delete("/api/v1/calendar/days/2026-10-01").status_code == 204
    assert admin.delete("/api/v1/calendar/days/2026-10-01").status_code == 404


def test_openapi_lists_the_supervision_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/cases/{case_id}/hearings",
        "/api/v1/observations/{observation_id}/report",
        "/api/v1/follow-ups",
        "/api/v1/follow-ups/{call_id}/attempts",
    ):
        assert path in paths
