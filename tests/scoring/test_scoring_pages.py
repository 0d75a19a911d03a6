"""The scoring pages without a browser: forms post to the same service functions, and the sheet
works without script through "Recalculate"."""

from __future__ import annotations

import datetime as dt

from legalaid import clock
from supervision.scoring import files, sheets
from supervision.scoring.models import Checklist, ScoreFile
from tests.conftest import PASSWORD


def signed_in(app, user):
    c = app.test_client()
    r = c.post("/login", data={"username": user.username, "password": PASSWORD})
    assert r.status_code in (302, 303)
    return c


def test_provider_closes_a_case_through_the_form(
    app, session, make_case_in_progress, make_org_provider, provider_user
):
    provider = make_org_provider()
    case = make_case_in_progress(provider=provider)
    c = signed_in(app, provider_user(provider))
    home = c.get("/").get_data(as_text=True)
    assert f"/scoring/cases/{case.id}/close" in home
    assert c.get(f"/scoring/cases/{case.id}/close").status_code == 200
    report = {
        "ended_on": clock.today().isoformat(),
        "outcome": "judgment",
        "documents": ["closing_report", "retainer"],
    }
    asked = c.post(f"/scoring/cases/{case.id}/close", data=report)  # closing asks first
    assert asked.status_code == 200 and "Close this case?" in asked.get_data(as_text=True)
    assert session.get(type(case), case.id).status == "in_progress"
    r = c.post(f"/scoring/cases/{case.id}/close", data={**report, "confirmed": "yes"})
    assert r.status_code in (302, 303)
    page = c.get(f"/scoring/cases/{case.id}/close").get_data(as_text=True)
    assert "Hand in more materials" in page and "incomplete" in page
    r = c.post(f"/scoring/cases/{case.id}/materials", data={"documents": ["evidence", "meeting_records"]})
    assert r.status_code in (302, 303)


def test_closing_form_shows_field_errors(app, make_case_in_progress, make_org_provider, provider_user):
    provider = make_org_provider()
    case = make_case_in_progress(provider=provider)
    c = signed_in(app, provider_user(provider))
    r = c.post(
        f"/scoring/cases/{case.id}/close",
        data={
            "ended_on": clock.today().isoformat(),
            "outcome": "judgment",
            "terminated": "y",
            "confirmed": "yes",
        },
    )
    assert r.status_code == 422 and "ground" in r.get_data(as_text=True)


def test_sheet_recalculates_and_submits_without_script(app, session, make_closed_case, supervisor):
    case, login = make_closed_case(in_sample=False)
    c = signed_in(app, supervisor)
    assert "1 file awaiting a first marker" in c.get("/").get_data(as_text=True)
    assert "Files awaiting marking" in c.get("/scoring/").get_data(as_text=True)
    r = c.post(f"/scoring/cases/{case.id}", data={"action": "start"})
    assert r.status_code in (302, 303)
    sheet_url = r.headers["Location"]
    file = session.get(ScoreFile, case.id)
    checklist = session.get(Checklist, file.checklist_id)
    form = {f"points-{i.code}": str(i.max_points) for i in checklist.items}
    form["points-hearing"] = "12"
    form["action"] = "recalculate"
    page = c.post(sheet_url, data=form).get_data(as_text=True)
    assert 'id="live-total">97.0<' in page
    form["points-retainer"] = "9"  # above the 8-point maximum
    r = c.post(sheet_url, data=form)
    assert r.status_code == 422 and "Between 0 and 8" in r.get_data(as_text=True)
    form["points-retainer"] = "8"
    form["action"] = "submit"
    asked = c.post(sheet_url + "/submit", data=form)  # submitting asks first
    assert asked.status_code == 200 and "Submit this score sheet?" in asked.get_data(as_text=True)
    form["confirmed"] = "yes"
    r = c.post(sheet_url + "/submit", data=form)
    assert r.status_code == 422  # the deduction has no note
    form["note-hearing"] = "closing argument did not address the evidence"
    r = c.post(sheet_url + "/submit", data=form)
    assert r.status_code in (302, 303)
    session.expire_all()
    assert session.get(ScoreFile, case.id).status == "final"

    provider = signed_in(app, login)
    page = provider.get(f"/scoring/my-scores/{case.id}").get_data(as_text=True)
    assert "97.0" in page and "closing argument did not address the evidence" in page
    assert provider.get("/scoring/my-scores").status_code == 200
    asked = provider.post(f"/scoring/my-scores/{case.id}/accept")
    assert asked.status_code == 200 and "give up your right to appeal" in asked.get_data(as_text=True)
    r = provider.post(f"/scoring/my-scores/{case.id}/accept", data={"confirmed": "yes"})
    assert r.status_code in (302, 303)
    session.expire_all()
    assert session.get(ScoreFile, case.id).accepted_at is not None


def test_admin_drafts_edits_and_publishes_a_version(app, session, make_person, checklists_seeded):
    c = signed_in(app, make_person("admin"))
    assert c.get("/scoring/checklists").status_code == 200
    r = c.post("/scoring/checklists/new", data={"case_type": "criminal"})
    assert r.status_code in (302, 303)
    edit_url = r.headers["Location"]
    page = c.get(edit_url)
    assert page.status_code == 200
    draft = session.query(Checklist).filter_by(case_type="criminal", status="draft").one()
    data = {
        "name": draft.name,
        "effective_from": (clock.today() + dt.timedelta(days=7)).isoformat(),
        "rows": str(len(draft.entries)),
    }
    for i, e in enumerate(draft.entries):
        data.update(
            {
                f"kind-{i}": e.kind,
                f"code-{i}": e.code,
                f"label_zh-{i}": e.label_zh,
                f"label_en-{i}": e.label_en,
                f"max_points-{i}": str(e.max_points) if e.kind == "item" else "",
                f"auto-{i}": e.auto or "",
            }
        )
    data["max_points-0"] = "9"
    r = c.post(edit_url, data=data)
    assert r.status_code == 422 and "exactly 100" in r.get_data(as_text=True)
    data["max_points-0"] = "8"
    assert c.post(edit_url, data=data).status_code in (302, 303)
    asked = c.post(f"/scoring/checklists/{draft.id}/publish")
    assert asked.status_code == 200 and "Publish this checklist?" in asked.get_data(as_text=True)
    r = c.post(f"/scoring/checklists/{draft.id}/publish", data={"confirmed": "yes"})
    assert r.status_code in (302, 303)
    session.expire_all()
    assert session.get(Checklist, draft.id).status == "published"


def test_quality_page_draws_an_svg_chart_and_exports_csv(
    app, session, make_closed_case, supervisor, make_person
):
    case, _ = make_closed_case(in_sample=False)
    checklist = files.pinned_checklist(session, session.get(ScoreFile, case.id))
    sheet = sheets.create_score_sheet(
        session,
        case.id,
        supervisor,
        items=[{"code": i.code, "points": i.max_points} for i in checklist.items],
    )
    sheets.submit_score_sheet(session, sheet, supervisor)
    session.commit()
    c = signed_in(app, make_person("supervisor"))
    page = c.get("/scoring/quality").get_data(as_text=True)
    assert "<svg" in page and "<script>" not in page and "100.0" in page
    r = c.get("/scoring/quality.csv")
    assert r.status_code == 200 and "provider" in r.get_data(as_text=True)
    provider_page = c.get(f"/scoring/quality?provider_id={session.get(ScoreFile, case.id).provider_id}")
    assert provider_page.status_code == 200


def test_pages_refuse_the_wrong_roles(app, make_person, make_closed_case):
    case, login = make_closed_case()
    provider = signed_in(app, login)
    assert provider.get("/scoring/").status_code == 403
    assert provider.get(f"/scoring/my-scores/{case.id}").status_code == 404  # not final yet
    coordinator = signed_in(app, make_person("coordinator"))
    assert coordinator.get("/scoring/quality").status_code == 403
