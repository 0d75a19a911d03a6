"""Races for closing, scoring and checklists (the table and its rules: tests/races/harness.py)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from legalaid import clock
from tests.races.centre import Centre
from tests.races.harness import created_ids, one_winner, only, race, races, seq

# --- closing and scoring -------------------------------------------------------------------------


@races("scoring_api.close_case.post", kind="transition")
def race_closings(c: Centre):
    case_id = c.case_in("in_progress")
    body = {"ended_on": clock.today().isoformat(), "outcome": "mediation", "documents": c.required_documents}
    lawyers = c.many(c.lawyer(c.live_assignment(case_id).provider_id))
    one_winner(race(lawyers, lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/closing", json=body)), 200)
    assert c.audit("case.closed", case_id) == 1
    c.out_of_sample(case_id)
    c.goes_forward(case_id)


@races("scoring_api.hand_in_documents.post", kind="idempotent")
def race_documents_handed_in(c: Centre):
    from supervision.scoring.models import ClosingDocument

    case_id = c.case_in("in_progress")
    body = {
        "ended_on": clock.today().isoformat(),
        "outcome": "mediation",
        "documents": c.required_documents[:-1],
    }
    assert c.provider_client(case_id).post(f"/api/v1/cases/{case_id}/closing", json=body).status_code == 200
    c.out_of_sample(case_id)
    last = c.required_documents[-1]
    lawyers = c.many(c.lawyer(c.live_assignment(case_id).provider_id))
    answers = race(
        lawyers, lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/documents", json={"documents": [last]})
    )
    got = only(answers, {200, 409})
    assert got[200] >= 1
    assert c.count(ClosingDocument, ClosingDocument.case_id == case_id, ClosingDocument.code == last) == 1
    assert c.audit("case.documents_handed_in", case_id) == 1
    c.goes_forward(case_id)


def _closed(c: Centre) -> int:
    case_id = c.case_in("closed")
    c.hand_in_missing(case_id)
    c.make_after_closing_call(case_id)
    return case_id


@races("scoring_api.create_score_sheet.post", kind="unique")
def race_score_sheets(c: Centre):
    from supervision.scoring.models import ScoreSheet

    case_id = _closed(c)
    answers = race(
        c.many("h_sup2"), lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/score-sheets", json=c.sheet_body())
    )
    one_winner(answers, 201, (409, 422))
    assert c.count(ScoreSheet, ScoreSheet.case_id == case_id) == 1
    assert c.audit("score_sheet.created", created_ids(answers)[0]) == 1
    c.goes_forward(case_id)


def _draft(c: Centre, case_id: int) -> int:
    r = c.one("h_sup2").post(f"/api/v1/cases/{case_id}/score-sheets", json=c.sheet_body())
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


@races("scoring_api.update_score_sheet.put", kind="idempotent")
def race_score_sheet_updates(c: Centre):
    from supervision.scoring.models import ScoreLine

    case_id = _closed(c)
    sheet_id = _draft(c, case_id)
    items = [{**item, "note": "second look"} for item in c.civil_items]
    answers = race(
        c.many("h_sup2"), lambda cl, i: cl.put(f"/api/v1/score-sheets/{sheet_id}", json={"items": items})
    )
    got = only(answers, {200, 409})
    assert got[200] >= 1
    codes = c.scalars(sa.select(ScoreLine.code).where(ScoreLine.sheet_id == sheet_id))
    assert sorted(codes) == sorted(i["code"] for i in c.civil_items)  # one line per item, no duplicate
    assert c.audit("score_sheet.updated", sheet_id) == got[200]
    c.goes_forward(case_id)


@races("scoring_api.submit_score_sheet.post", kind="transition")
def race_score_sheet_submissions(c: Centre):
    case_id = _closed(c)
    sheet_id = _draft(c, case_id)
    one_winner(race(c.many("h_sup2"), lambda cl, i: cl.post(f"/api/v1/score-sheets/{sheet_id}/submit")), 200)
    assert c.audit("score_sheet.submitted", sheet_id) == 1
    assert c.audit("score.status_changed", case_id) == 1
    assert c.score_file(case_id).status == "final"
    c.goes_forward(case_id)


def _final(c: Centre) -> int:
    case_id = _closed(c)
    c.final_score(case_id)
    return case_id


@races("scoring_api.accept_score.post", kind="transition")
def race_score_acceptances(c: Centre):
    case_id = _final(c)
    lawyers = c.many(c.lawyer(c.live_assignment(case_id).provider_id))
    one_winner(race(lawyers, lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/score/accept")), 200)
    assert c.audit("score.accepted", case_id) == 1
    c.goes_forward(case_id)


@races("scoring_api.appeal_score.post", kind="transition")
def race_score_appeals(c: Centre):
    case_id = _final(c)
    lawyers = c.many(c.lawyer(c.live_assignment(case_id).provider_id))
    answers = race(
        lawyers,
        lambda cl, i: cl.post(f"/api/v1/cases/{case_id}/score/appeal", json={"reason": f"unfair {i}"}),
    )
    one_winner(answers, 201)
    assert c.audit("score.appealed", case_id) == 1
    c.goes_forward(case_id)  # the appeal is decided, then the case archived


@races("scoring_api.accept_score.post", "scoring_api.appeal_score.post", kind="mixed")
def race_score_accept_against_appeal(c: Centre):
    case_id = _final(c)
    lawyers = c.many(c.lawyer(c.live_assignment(case_id).provider_id))

    def send(cl, i):
        if i % 2:
            return cl.post(f"/api/v1/cases/{case_id}/score/appeal", json={"reason": "unfair"})
        return cl.post(f"/api/v1/cases/{case_id}/score/accept")

    answers = race(lawyers, send)
    got = only(answers, {200, 201, 409})
    assert got[200] + got[201] == 1, got
    assert c.audit("score.accepted", case_id) + c.audit("score.appealed", case_id) == 1
    c.goes_forward(case_id)


@races("scoring_api.decide_appeal.post", kind="transition")
def race_appeal_decisions(c: Centre):
    case_id = _final(c)
    r = c.provider_client(case_id).post(f"/api/v1/cases/{case_id}/score/appeal", json={"reason": "unfair"})
    assert r.status_code == 201, r.get_json()
    answers = race(
        c.many("h_sup3"),
        lambda cl, i: cl.post(
            f"/api/v1/cases/{case_id}/score/appeal-decision", json={"outcome": "upheld", "reason": f"r{i}"}
        ),
    )
    one_winner(answers, 200)
    assert c.audit("score.appeal_decided", case_id) == 1
    c.goes_forward(case_id)


# --- checklists ----------------------------------------------------------------------------------


def _checklist_body(c: Centre, **extra) -> dict:
    items = [
        {"code": f"item{n}", "label_zh": f"项目{n}", "label_en": f"Item {n}", "max_points": 25}
        for n in range(4)
    ]
    # non_litigation: no race scores such a case, and a date far ahead keeps today's version in force.
    effective = clock.today() + dt.timedelta(days=300 + next(seq))
    return {"case_type": "non_litigation", "effective_from": effective.isoformat(), "items": items, **extra}


@races("scoring_api.draft_checklist.post", kind="create")
def race_checklist_drafts(c: Centre):
    from supervision.scoring.models import Checklist

    before = c.count(Checklist, Checklist.case_type == "non_litigation")
    body = _checklist_body(c)
    answers = race(
        c.many("h_admin"), lambda cl, i: cl.post("/api/v1/checklists", json={**body, "name": f"v{i}"})
    )
    got = only(answers, {201, 409})
    assert got[201] >= 1
    assert c.count(Checklist, Checklist.case_type == "non_litigation") == before + got[201]
    versions = c.scalars(sa.select(Checklist.version).where(Checklist.case_type == "non_litigation"))
    assert len(versions) == len(set(versions))


def _checklist_draft(c: Centre) -> int:
    r = c.admin.post("/api/v1/checklists", json=_checklist_body(c))
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


@races("scoring_api.revise_checklist.put", kind="idempotent")
def race_checklist_revisions(c: Centre):
    from supervision.scoring.models import ChecklistItem

    checklist_id = _checklist_draft(c)
    body = _checklist_body(c)
    answers = race(c.many("h_admin"), lambda cl, i: cl.put(f"/api/v1/checklists/{checklist_id}", json=body))
    got = only(answers, {200, 409})
    assert got[200] >= 1
    codes = c.scalars(sa.select(ChecklistItem.code).where(ChecklistItem.checklist_id == checklist_id))
    assert sorted(codes) == [f"item{n}" for n in range(4)]  # the items once, not once per request
    assert c.audit("checklist.revised", checklist_id) == got[200]


@races("scoring_api.publish_checklist.post", kind="transition")
def race_checklist_publications(c: Centre):
    checklist_id = _checklist_draft(c)
    one_winner(
        race(c.many("h_admin"), lambda cl, i: cl.post(f"/api/v1/checklists/{checklist_id}/publish")), 200
    )
    assert c.audit("checklist.published", checklist_id) == 1
