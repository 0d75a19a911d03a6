"""Races for complaints (the table and its rules: tests/races/harness.py)."""

from __future__ import annotations

import datetime as dt

from legalaid import clock
from tests.races.centre import Centre
from tests.races.harness import N, one_winner, race, races, statuses

# --- complaints ----------------------------------------------------------------------------------


def _complaint(c: Centre, stage: str = "received", provider_id: int | None = None) -> int:
    """A complaint about a provider (neglect), brought to ``stage`` through the API."""
    sup = c.one("h_sup1")
    provider_id = provider_id or c.providers[0]
    body = {
        "received_on": clock.today().isoformat(),
        "complainant": {"name": "Zhao Lei", "relation": "client"},
        "respondent": {"kind": "provider", "id": provider_id},
        "matter": "neglect",
        "request": "Look into it",
        "facts": "No news for months",
    }
    r = sup.post("/api/v1/complaints", json=body)
    assert r.status_code == 201, r.get_json()
    complaint_id = r.get_json()["id"]
    url = f"/api/v1/complaints/{complaint_id}"
    steps = {
        "accepted": (f"{url}/acceptance", {"accepted": True}),
        "investigating": (
            f"{url}/statement-request",
            {"due_on": (clock.today() + dt.timedelta(days=7)).isoformat()},
        ),
        "decided": (f"{url}/decision", {"outcome": "not_upheld", "findings": "f"}),
    }
    for name in ("accepted", "investigating", "decided"):
        if stage == "received":
            break
        step_url, step_body = steps[name]
        r = sup.post(step_url, json=step_body)
        assert r.status_code == 200, r.get_json()
        if name == stage:
            break
    return complaint_id


@races("complaints_api.register_complaint.post", kind="create")
def race_complaints(c: Centre):
    from supervision.complaints.models import Complaint

    before = c.count(Complaint)
    body = {
        "received_on": clock.today().isoformat(),
        "complainant": {"name": "Zhao Lei", "relation": "applicant"},
        "respondent": {"kind": "centre"},
        "matter": "wrongful_refusal",
        "request": "Reconsider",
        "facts": "Refused",
    }
    answers = race(c.many("h_sup1"), lambda cl, i: cl.post("/api/v1/complaints", json=body))
    assert statuses(answers) == {201: N}
    assert c.count(Complaint) == before + N


@races("complaints_api.decide_acceptance.post", kind="transition")
def race_complaint_acceptance(c: Centre):
    complaint_id = _complaint(c)

    def send(cl, i):
        body = {"accepted": True} if i % 2 else {"accepted": False, "reason": f"no standing {i}"}
        return cl.post(f"/api/v1/complaints/{complaint_id}/acceptance", json=body)

    one_winner(race(c.many("h_sup1"), send), 200)
    assert c.audit("complaint.acceptance", complaint_id) == 1


@races("complaints_api.request_statement.post", kind="transition")
def race_statement_requests(c: Centre):
    complaint_id = _complaint(c, "accepted")
    due = (clock.today() + dt.timedelta(days=5)).isoformat()
    answers = race(
        c.many("h_sup2"),
        lambda cl, i: cl.post(f"/api/v1/complaints/{complaint_id}/statement-request", json={"due_on": due}),
    )
    one_winner(answers, 200)
    assert c.audit("complaint.request_statement", complaint_id) == 1


@races("complaints_api.submit_statement.post", kind="transition")
def race_statements(c: Centre):
    complaint_id = _complaint(c, "investigating")
    lawyer = c.lawyer(c.providers[0])
    answers = race(
        c.many(lawyer),
        lambda cl, i: cl.post(
            f"/api/v1/complaints/{complaint_id}/statement", json={"text": f"statement {i}"}
        ),
    )
    one_winner(answers, 200)
    assert c.audit("complaint.statement", complaint_id) == 1


@races("complaints_api.extend_decision.post", kind="transition")
def race_extensions(c: Centre):
    complaint_id = _complaint(c, "accepted")
    answers = race(
        c.many("h_sup3"),
        lambda cl, i: cl.post(
            f"/api/v1/complaints/{complaint_id}/extension",
            json={
                "reason": f"r{i}",
                "new_decide_by": (clock.today() + dt.timedelta(days=80 + i)).isoformat(),
            },
        ),
    )
    one_winner(answers, 200)
    assert c.audit("complaint.extend", complaint_id) == 1


@races("complaints_api.decide_complaint.post", kind="transition")
def race_complaint_decisions(c: Centre):
    from assignment.models import ProviderLeave

    provider_id = c.new_provider()  # in no pool: the pause changes nobody's rotation
    complaint_id = _complaint(c, "accepted", provider_id=provider_id)

    def send(cl, i):
        body = {"outcome": "upheld_correction", "findings": f"f{i}", "pause_days": 10 + i}
        return cl.post(f"/api/v1/complaints/{complaint_id}/decision", json=body)

    one_winner(race(c.many("h_sup4"), send), 200)
    assert c.audit("complaint.decide", complaint_id) == 1
    assert c.count(ProviderLeave, ProviderLeave.provider_id == provider_id) == 1  # one pause, not eight


@races("complaints_api.answer_complaint.post", kind="transition")
def race_complaint_answers(c: Centre):
    complaint_id = _complaint(c, "decided")
    answers = race(
        c.many("h_sup1"),
        lambda cl, i: cl.post(
            f"/api/v1/complaints/{complaint_id}/answer",
            json={"answered_on": clock.today().isoformat(), "method": ("letter", "phone")[i % 2]},
        ),
    )
    one_winner(answers, 200)
    assert c.audit("complaint.answer", complaint_id) == 1
