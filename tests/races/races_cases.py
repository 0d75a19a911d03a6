"""Races for intake (registration, decisions, materials, withdrawal) and assignment (the table and
its rules: tests/races/harness.py)."""

from __future__ import annotations

from legalaid import clock
from tests.races.centre import APPLICANT, Centre
from tests.races.harness import N, created_ids, one_winner, only, race, races, statuses

# --- intake --------------------------------------------------------------------------------------


@races("assignment_api.register_case.post", kind="create")
def race_registrations(c: Centre):
    from assignment.models import Case

    before = c.count(Case)
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.post(
            "/api/v1/cases",
            json={
                "case_type": "civil",
                "cause": "contract",
                "received_on": clock.today().isoformat(),
                "applicant": {**APPLICANT, "name": f"Applicant {i}"},
            },
        ),
    )
    assert statuses(answers) == {201: N}
    assert c.count(Case) == before + N
    numbers = [a.get_json()["number"] for a in answers]
    assert len(set(numbers)) == N  # gapless numbering never hands one number out twice
    for case_id in created_ids(answers):
        assert c.audit("case.register", case_id) == 1
    c.goes_forward(created_ids(answers)[0])


@races("assignment_api.decide.post", kind="transition")
def race_decisions(c: Centre):
    case_id = c.case_in("applied")

    def send(cl, i):
        body = (
            {"approved": True, "means_test": "checked"} if i % 2 else {"approved": False, "reason": f"r{i}"}
        )
        return cl.post(f"/api/v1/cases/{case_id}/decision", json=body)

    winner = one_winner(race(c.many("h_coord"), send), 200)
    assert c.status(case_id) == ("accepted" if winner % 2 else "rejected")
    assert c.audit("case.decide", case_id) == 1
    c.goes_forward(case_id)


@races("assignment_api.request_materials.post", kind="transition")
def race_materials_requests(c: Centre):
    case_id = c.case_in("applied")
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/materials-request", json={"missing": [f"proof {i}"]}),
    )
    one_winner(answers, 200)
    assert c.status(case_id) == "pending_materials"
    assert c.audit("case.request_materials", case_id) == 1
    c.goes_forward(case_id, 3)  # supplied, decided, assigned


@races("assignment_api.supply_materials.post", kind="transition")
def race_materials_supplied(c: Centre):
    case_id = c.case_in("applied")
    assert (
        c.coord.post(f"/api/v1/cases/{case_id}/materials-request", json={"missing": ["proof"]}).status_code
        == 200
    )
    answers = race(c.many("h_coord"), lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/materials"))
    one_winner(answers, 200)
    assert c.status(case_id) == "applied"
    assert c.audit("case.supply_materials", case_id) == 1
    c.goes_forward(case_id, 2)


@races("assignment_api.withdraw.post", kind="transition")
def race_withdrawals(c: Centre):
    case_id = c.case_in("accepted")
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/withdraw", json={"reason": f"r{i}"}),
    )
    one_winner(answers, 200)
    assert c.status(case_id) == "withdrawn"
    assert c.audit("case.withdraw", case_id) == 1


@races("assignment_api.withdraw.post", "assignment_api.decide.post", kind="mixed")
def race_withdraw_against_decision(c: Centre):
    case_id = c.case_in("applied")

    def send(cl, i):
        if i % 2:
            return cl.post(f"/api/v1/cases/{case_id}/withdraw", json={"reason": "changed mind"})
        return cl.post(f"/api/v1/cases/{case_id}/decision", json={"approved": True, "means_test": "checked"})

    answers = race(c.many("h_coord"), send)
    got = only(answers, {200, 409})
    decided, withdrawn = c.audit("case.decide", case_id), c.audit("case.withdraw", case_id)
    # Approved then withdrawn is a legal story too (an accepted case may still be withdrawn).
    assert decided <= 1 and withdrawn <= 1 and got[200] == decided + withdrawn >= 1
    assert c.status(case_id) == ("withdrawn" if withdrawn else "accepted")
    c.goes_forward(case_id)


# --- assignment ----------------------------------------------------------------------------------


@races("assignment_api.assign.post", kind="transition")
def race_assignments(c: Centre):
    from assignment.models import Assignment

    case_id = c.case_in("accepted")
    turns = c.turns()
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/assignments", json={"mode": "rotation"}),
    )
    one_winner(answers, 201)
    assert c.count(Assignment, Assignment.case_id == case_id) == 1
    assert c.turns() == turns + 1
    assert c.audit("case.assign", case_id) == 1
    c.goes_forward(case_id, 2)  # accepted, closed


@races("assignment_api.accept.post", kind="transition")
def race_accepts(c: Centre):
    case_id = c.case_in("assigned")
    assignment = c.live_assignment(case_id)
    lawyers = c.many(c.lawyer(assignment.provider_id))
    one_winner(race(lawyers, lambda cl, i: cl.post(f"/api/v1/assignments/{assignment.id}/accept")), 200)
    assert c.audit("assignment.accept", assignment.id) == 1
    assert c.subsidy_of(case_id).status == "pending"
    c.goes_forward(case_id)


@races("assignment_api.decline.post", kind="transition")
def race_declines(c: Centre):
    from assignment.models import Assignment

    case_id = c.case_in("assigned")
    assignment = c.live_assignment(case_id)
    turns = c.turns()
    answers = race(
        c.many(c.lawyer(assignment.provider_id)),
        lambda cl, i: cl.post(
            f"/api/v1/assignments/{assignment.id}/decline", json={"reason_code": "unavailable"}
        ),
    )
    one_winner(answers, 200)
    assert c.audit("assignment.decline", assignment.id) == 1
    assert c.count(Assignment, Assignment.case_id == case_id) == 1
    assert c.turns() == turns  # the decline is the turn already counted, not one more per request
    assert c.status(case_id) == "accepted" and c.subsidy_of(case_id) is None
    c.goes_forward(case_id, 2)


@races("assignment_api.accept.post", "assignment_api.decline.post", kind="mixed")
def race_accept_against_decline(c: Centre):
    case_id = c.case_in("assigned")
    assignment = c.live_assignment(case_id)

    def send(cl, i):
        url = f"/api/v1/assignments/{assignment.id}"
        return (
            cl.post(f"{url}/decline", json={"reason_code": "unavailable"})
            if i % 2
            else cl.post(f"{url}/accept")
        )

    one_winner(race(c.many(c.lawyer(assignment.provider_id)), send), 200)
    accepted = c.audit("assignment.accept", assignment.id)
    assert accepted + c.audit("assignment.decline", assignment.id) == 1
    subsidy = c.subsidy_of(case_id)
    assert (subsidy.status if subsidy else None) == ("pending" if accepted else None)
    c.goes_forward(case_id, 1 if accepted else 2)
    assert c.status(case_id) in ("in_progress", "closed")


@races("assignment_api.reassign.post", kind="transition")
def race_reassignments(c: Centre):
    from assignment.models import Assignment

    case_id = c.case_in("in_progress")
    turns = c.turns()
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/reassign", json={"reason": f"complaint {i}"}),
    )
    one_winner(answers, 201)
    assert c.count(Assignment, Assignment.case_id == case_id) == 2
    assert c.turns() == turns + 1
    assert c.audit("case.reassign", case_id) == 1
    c.goes_forward(case_id, 2)  # the new provider accepts, then closes
