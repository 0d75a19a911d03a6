"""The one archive check (archive.archive_missing) against the real readers of closing, calls, scores
and red flags, not fakes: what archiving says is missing is what a provider reads as the reason their
subsidy waits (issue 12)."""

from __future__ import annotations

from legalaid import clock
from tests.test_races import world as world  # the shared panel, users and clients


def _in_progress_case(world):
    case_id, assignment = world["assigned_case"]()
    lawyer = world["clients"](f"lawyer{assignment['provider_id']}", 1)[0]
    assert lawyer.post(f"/api/v1/assignments/{assignment['id']}/accept").status_code == 200
    return case_id, lawyer


def test_an_open_red_flag_blocks_archiving_until_resolved(app, world):
    case_id, lawyer = _in_progress_case(world)
    supervisor = world["clients"]("super", 1)[0]
    call_id = supervisor.get(f"/api/v1/follow-ups?case_id={case_id}").get_json()["items"][0]["id"]
    body = {"reached": True, "satisfaction": "unsatisfied", "took_money": True}
    assert supervisor.post(f"/api/v1/follow-ups/{call_id}/attempts", json=body).status_code == 201
    closing = {"ended_on": clock.today().isoformat(), "outcome": "mediation", "documents": []}
    assert lawyer.post(f"/api/v1/cases/{case_id}/closing", json=closing).status_code == 200

    refused = supervisor.post(f"/api/v1/cases/{case_id}/archive")
    assert refused.status_code == 409
    message = refused.get_json()["error"]["message"]
    assert "open red flag" in message and "final score" in message and "closing materials" in message
    subsidy = lawyer.get("/api/v1/me/subsidies").get_json()["items"][0]
    assert subsidy["status"] == "held" and subsidy["waiting_for"].startswith("Held: red flag")

    flags = supervisor.get("/api/v1/red-flags").get_json()["items"]
    flag_id = next(f["id"] for f in flags if f["case_id"] == case_id)
    decided = {"outcome": "dismissed", "reason": "court fees, not the lawyer's"}
    assert supervisor.post(f"/api/v1/red-flags/{flag_id}/resolve", json=decided).status_code == 200
    again = supervisor.post(f"/api/v1/cases/{case_id}/archive").get_json()["error"]["message"]
    assert "open red flag" not in again and "final score" in again
    waiting = lawyer.get("/api/v1/me/subsidies").get_json()["items"][0]["waiting_for"]
    assert waiting.startswith("Waiting for") and "final score" in waiting and "red flag" not in waiting
