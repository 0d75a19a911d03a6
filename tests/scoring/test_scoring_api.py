"""The JSON API of closing and scoring as API.md writes it, with the error contract."""

from __future__ import annotations

import datetime as dt

import pytest

from legalaid import clock
from supervision import signals
from tests.conftest import PASSWORD


def client_for(app, user):
    c = app.test_client()
    r = c.post("/api/v1/session", json={"username": user.username, "password": PASSWORD})
    assert r.status_code == 200
    return c


def assert_error(response, status):
    assert response.status_code == status, response.get_json()
    body = response.get_json()["error"]
    assert body["code"] and body["message"]
    return body


@pytest.fixture
def in_progress(app, session, make_case_in_progress, make_org_provider, provider_user):
    provider = make_org_provider()
    case = make_case_in_progress(provider=provider)
    login = provider_user(provider)
    return case, client_for(app, login)


def test_closing_documents_lists_codes_with_required_flags(app, make_person):
    c = client_for(app, make_person("provider"))
    body = c.get("/api/v1/closing-documents?case_type=criminal").get_json()
    codes = {d["code"]: d["required"] for d in body["items"]}
    assert body["total"] == len(body["items"])
    assert (
        codes["defence_statement"] and codes["file_reading_notes"] and "representation_statement" not in codes
    )
    assert_error(c.get("/api/v1/closing-documents?case_type=maritime"), 422)


def test_provider_closes_the_case(app, session, in_progress):
    case, c = in_progress
    closed = []
    signals.case_closed.connect(lambda sender, **kw: closed.append(kw["case"].id), weak=False)
    docs = [
        d["code"]
        for d in c.get("/api/v1/closing-documents?case_type=civil").get_json()["items"]
        if d["required"]
    ]
    r = c.post(
        f"/api/v1/cases/{case.id}/closing",
        json={"ended_on": clock.today().isoformat(), "outcome": "mediation", "documents": docs[:-1]},
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "closed" and body["hand_in"]["missing"] == docs[-1:]
    assert closed[-1] == case.id
    r = c.post(f"/api/v1/cases/{case.id}/documents", json={"documents": docs[-1:]})
    assert r.status_code == 200 and r.get_json()["hand_in"]["complete"]
    # closing twice is not allowed in the current state
    assert_error(
        c.post(
            f"/api/v1/cases/{case.id}/closing", json={"ended_on": clock.today().isoformat(), "outcome": "x"}
        ),
        409,
    )


def test_closing_validation_errors(app, in_progress):
    case, c = in_progress
    today = clock.today().isoformat()
    body = assert_error(c.post(f"/api/v1/cases/{case.id}/closing", json={"outcome": "x"}), 422)
    assert "ended_on" in body["fields"]
    body = assert_error(
        c.post(
            f"/api/v1/cases/{case.id}/closing", json={"ended_on": today, "outcome": "x", "terminated": True}
        ),
        422,
    )
    assert "termination_ground" in body["fields"]
    body = assert_error(
        c.post(
            f"/api/v1/cases/{case.id}/closing",
            json={"ended_on": today, "outcome": "x", "documents": ["selfie"]},
        ),
        422,
    )
    assert "documents" in body["fields"]
    future = (clock.today() + dt.timedelta(days=3)).isoformat()
    assert_error(c.post(f"/api/v1/cases/{case.id}/closing", json={"ended_on": future, "outcome": "x"}), 422)
    assert_error(
        c.post(f"/api/v1/cases/{case.id}/closing", data="{oops", content_type="application/json"), 400
    )


def test_terminated_case_closes_with_its_ground(app, in_progress):
    case, c = in_progress
    r = c.post(
        f"/api/v1/cases/{case.id}/closing",
        json={
            "ended_on": clock.today().isoformat(),
            "outcome": "other",
            "terminated": True,
            "termination_ground": "own_counsel",
        },
    )
    assert (
        r.status_code == 200
        and r.get_json()["terminated"]
        and r.get_json()["termination_ground"] == "own_counsel"
    )


def test_only_the_cases_provider_may_close_it(app, in_progress, make_person, make_org_provider):
    case, _c = in_progress
    other = client_for(app, make_person("provider", provider_id=make_org_provider().id))
    assert_error(
        other.post(f"/api/v1/cases/{case.id}/closing", json={"ended_on": "2026-01-01", "outcome": "x"}), 404
    )
    coord = client_for(app, make_person("coordinator"))
    assert_error(
        coord.post(f"/api/v1/cases/{case.id}/closing", json={"ended_on": "2026-01-01", "outcome": "x"}), 403
    )
    assert_error(app.test_client().post(f"/api/v1/cases/{case.id}/closing", json={}), 401)
    assert_error(
        other.post("/api/v1/cases/999999/closing", json={"ended_on": "2026-01-01", "outcome": "x"}), 404
    )


def test_current_checklist_shape(app, make_person, checklists_seeded):
    c = client_for(app, make_person("supervisor"))
    body = c.get("/api/v1/checklists/current?case_type=civil").get_json()
    assert {"id", "version", "items", "veto_items"} <= set(body)
    assert all({"code", "label", "max_points"} <= set(i) for i in body["items"])
    assert sum(i["max_points"] for i in body["items"]) == 100
    assert {v["code"] for v in body["veto_items"]} == {"took_money", "stopped_work", "missed_deadline"}


def test_checklist_drafts_must_sum_to_100_and_publish(app, make_person, checklists_seeded):
    admin = client_for(app, make_person("admin"))
    current = admin.get("/api/v1/checklists/current?case_type=non_litigation").get_json()
    body = {
        "case_type": "non_litigation",
        "effective_from": (clock.today() + dt.timedelta(days=30)).isoformat(),
        "items": [
            {k: i[k] for k in ("code", "label_zh", "label_en", "max_points", "auto")}
            for i in current["items"]
        ],
        "veto_items": [
            {k: v[k] for k in ("code", "label_zh", "label_en", "auto")} for v in current["veto_items"]
        ],
    }
    body["items"][0]["max_points"] = 9
    err = assert_error(admin.post("/api/v1/checklists", json=body), 422)
    assert "101" in err["message"] and "items" in err["fields"]
    body["items"][0]["max_points"] = 8
    r = admin.post("/api/v1/checklists", json=body)
    assert r.status_code == 201 and r.get_json()["status"] == "draft" and r.get_json()["version"] == 2
    cid = r.get_json()["id"]
    assert admin.post(f"/api/v1/checklists/{cid}/publish").get_json()["status"] == "published"
    assert_error(admin.post(f"/api/v1/checklists/{cid}/publish"), 409)
    assert_error(admin.put(f"/api/v1/checklists/{cid}", json=body), 409)
    sup = client_for(app, make_person("supervisor"))
    assert_error(sup.post("/api/v1/checklists", json=body), 403)


def test_score_sheet_flow_through_the_api(app, session, make_closed_case, make_person):
    case, login = make_closed_case(in_sample=False)
    sup = client_for(app, make_person("supervisor"))
    items = sup.get("/api/v1/checklists/current?case_type=civil").get_json()["items"]
    full = [{"code": i["code"], "points": i["max_points"]} for i in items]

    too_many = [dict(full[0], points=full[0]["points"] + 0.5)] + full[1:]
    err = assert_error(sup.post(f"/api/v1/cases/{case.id}/score-sheets", json={"items": too_many}), 422)
    assert "items.0.points" in err["fields"]
    assert_error(
        sup.post(f"/api/v1/cases/{case.id}/score-sheets", json={"items": full, "vetoes": ["nope"]}), 422
    )

    full[3] = {
        "code": full[3]["code"],
        "points": full[3]["points"] - 2,
        "note": "two witnesses not interviewed",
    }
    r = sup.post(f"/api/v1/cases/{case.id}/score-sheets", json={"items": full})
    assert r.status_code == 201, r.get_json()
    sheet = r.get_json()
    assert (sheet["status"], sheet["total"], sheet["grade"]) == ("draft", 98.0, "excellent")

    provider = client_for(app, login)
    assert_error(provider.post(f"/api/v1/cases/{case.id}/score-sheets", json={"items": full}), 403)
    assert_error(provider.get(f"/api/v1/cases/{case.id}/score"), 404)  # not final yet

    r = sup.post(f"/api/v1/score-sheets/{sheet['id']}/submit")
    assert r.status_code == 200 and r.get_json()["status"] == "final" and r.get_json()["total"] == 98.0
    assert_error(sup.post(f"/api/v1/score-sheets/{sheet['id']}/submit"), 409)

    score = provider.get(f"/api/v1/cases/{case.id}/score").get_json()
    assert score["grade"] == "excellent"
    notes = [i["note"] for s in score["sheets"] for i in s["items"] if i["note"]]
    assert notes == ["two witnesses not interviewed"]
    assert "scorer_id" not in score["sheets"][0]
    assert provider.get("/api/v1/me/scores").get_json()["total"] == 1

    r = provider.post(f"/api/v1/cases/{case.id}/score/appeal", json={"reason": "the witnesses refused"})
    assert r.status_code == 201 and r.get_json()["status"] == "appealed"
    assert_error(provider.post(f"/api/v1/cases/{case.id}/score/accept"), 409)

    reviewer = client_for(app, make_person("supervisor"))
    assert_error(
        sup.post(f"/api/v1/cases/{case.id}/score/appeal-decision", json={"outcome": "upheld", "reason": "x"}),
        409,
    )
    r = reviewer.post(
        f"/api/v1/cases/{case.id}/score/appeal-decision", json={"outcome": "upheld", "reason": "supported"}
    )
    assert r.status_code == 200 and r.get_json()["status"] == "final"


def test_appeal_after_the_window_is_409(app, session, make_closed_case, supervisor):
    from supervision.scoring import files, sheets
    from supervision.scoring.models import ScoreFile

    case, login = make_closed_case(in_sample=False)
    checklist = files.pinned_checklist(session, session.get(ScoreFile, case.id))
    sheet = sheets.create_score_sheet(
        session,
        case.id,
        supervisor,
        items=[{"code": i.code, "points": i.max_points} for i in checklist.items],
    )
    sheets.submit_score_sheet(session, sheet, supervisor, today=clock.today() - dt.timedelta(days=11))
    session.commit()
    c = client_for(app, login)
    body = assert_error(c.post(f"/api/v1/cases/{case.id}/score/appeal", json={"reason": "late"}), 409)
    assert "window" in body["message"]
    assert_error(c.post(f"/api/v1/cases/{case.id}/score/appeal", json={}), 422)
    assert c.post(f"/api/v1/cases/{case.id}/score/accept").status_code == 200


def test_second_marking_through_the_api(app, make_closed_case, make_person):
    case, _ = make_closed_case(in_sample=True)
    first, second = client_for(app, make_person("supervisor")), client_for(app, make_person("supervisor"))
    items = first.get("/api/v1/checklists/current?case_type=civil").get_json()["items"]
    full = {"items": [{"code": i["code"], "points": i["max_points"]} for i in items]}
    s1 = first.post(f"/api/v1/cases/{case.id}/score-sheets", json=full).get_json()
    assert first.post(f"/api/v1/score-sheets/{s1['id']}/submit").get_json()["status"] == "second_review"
    assert_error(first.post(f"/api/v1/cases/{case.id}/score-sheets", json=full), 409)
    s2 = second.post(f"/api/v1/cases/{case.id}/score-sheets", json=full).get_json()
    assert second.post(f"/api/v1/score-sheets/{s2['id']}/submit").get_json()["status"] == "final"
    files = first.get("/api/v1/score-files?status=final").get_json()
    assert files["total"] == 1 and files["items"][0]["in_sample"] is True


def test_scoring_an_unclosed_case_is_409(app, make_case_in_progress, make_person):
    case = make_case_in_progress()
    sup = client_for(app, make_person("supervisor"))
    assert_error(sup.post(f"/api/v1/cases/{case.id}/score-sheets", json={}), 409)
    assert_error(sup.post("/api/v1/cases/987654/score-sheets", json={}), 404)


def test_quality_report_json_and_csv(app, session, make_closed_case, supervisor, make_person):
    from supervision.scoring import files, sheets
    from supervision.scoring.models import ScoreFile

    for _ in range(2):
        case, _login = make_closed_case(in_sample=False)
        checklist = files.pinned_checklist(session, session.get(ScoreFile, case.id))
        sheet = sheets.create_score_sheet(
            session,
            case.id,
            supervisor,
            items=[{"code": i.code, "points": i.max_points} for i in checklist.items],
        )
        sheets.submit_score_sheet(session, sheet, supervisor)
        session.commit()
    c = client_for(app, make_person("supervisor"))
    body = c.get("/api/v1/reports/quality").get_json()
    assert body["overall"]["count"] == 2 and body["overall"]["average"] == 100.0
    assert body["overall"]["grades"]["excellent"] == 2 and len(body["providers"]) == 2
    assert body["months"][0]["count"] == 2
    r = c.get("/api/v1/reports/quality?format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv" and r.data.decode().startswith("level,id,name")
    assert_error(c.get("/api/v1/reports/quality?from=yesterday"), 422)
    provider = client_for(app, make_person("provider"))
    assert_error(provider.get("/api/v1/reports/quality"), 403)
