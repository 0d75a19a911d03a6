"""The closing and scoring pages finished for a real day (issue 11): only what the rules require is
required, destructive steps ask first, a confirmed took-money flag reads as a failed score, and grades
and counts read as words."""

from __future__ import annotations

import re

import sqlalchemy as sa

from legalaid import clock
from supervision.scheduling.calls import resolve_red_flag
from supervision.scheduling.models import RedFlag
from supervision.scoring import files, sheets
from supervision.scoring.closing import close_case
from supervision.scoring.models import ScoreFile
from tests.conftest import PASSWORD
from tests.scoring.conftest import points_for_total


def signed_in(app, user):
    c = app.test_client()
    r = c.post("/login", data={"username": user.username, "password": PASSWORD})
    assert r.status_code in (302, 303)
    return c


def final_score(session, case, scorer, total):
    file = session.get(ScoreFile, case.id)
    items = points_for_total(files.pinned_checklist(session, file), total)
    sheet = sheets.create_score_sheet(session, case.id, scorer, items=items)
    sheets.submit_score_sheet(session, sheet, scorer)
    session.commit()
    return session.get(ScoreFile, case.id)


def test_a_lawyer_hands_in_only_the_missing_material(
    app, session, make_case_in_progress, make_org_provider, provider_user
):
    provider = make_org_provider()
    case = make_case_in_progress(provider=provider)
    login = provider_user(provider)
    close_case(session, case, login, ended_on=clock.today(), outcome="judgment", documents=["closing_report"])
    session.commit()
    c = signed_in(app, login)
    page = c.get(f"/scoring/cases/{case.id}/close").get_data(as_text=True)
    boxes = re.findall(r'<input[^>]*type="checkbox"[^>]*>', page)
    assert boxes and not any("required" in box for box in boxes)  # the browser asks for none of them
    missing = page[page.index('id="still-missing"') :]
    assert "Retainer" in missing[: missing.index("</div>")]
    r = c.post(f"/scoring/cases/{case.id}/materials", data={"documents": ["retainer"]})
    assert r.status_code in (302, 303)
    page = c.get(f"/scoring/cases/{case.id}/close").get_data(as_text=True)
    assert "Retainer" not in page[page.index('id="still-missing"') :].split("</div>")[0]
    refused = c.post(f"/scoring/cases/{case.id}/materials", data={})
    assert refused.status_code == 422 and "Tick the materials you are handing in now" in refused.get_data(
        as_text=True
    )


def test_a_confirmed_took_money_flag_fails_the_final_score(
    app, session, make_closed_case, supervisor, make_person
):
    case, login = make_closed_case(in_sample=False)
    file = final_score(session, case, supervisor, 86)
    assert (str(file.total), file.grade) == ("86.0", "good")
    flag = RedFlag(case_id=case.id, provider_id=file.provider_id, kind="took_money", status="open")
    session.add(flag)
    session.commit()
    resolve_red_flag(session, make_person("supervisor"), flag, "confirmed", "the client showed the receipt")
    session.commit()
    session.expire_all()
    file = session.get(ScoreFile, case.id)
    assert (file.grade, file.veto, str(file.total)) == ("fail", True, "86.0")
    page = signed_in(app, login).get(f"/scoring/my-scores/{case.id}").get_data(as_text=True)
    assert 'id="veto-note"' in page and "took money or gifts was confirmed" in page
    final = page[page.index('id="final-total"') :].split("</dd>")[0]
    assert "86.0" in final and ">Fail<" in final and "Good" not in final
    page = signed_in(app, supervisor).get(f"/scoring/cases/{case.id}").get_data(as_text=True)
    assert 'id="veto-note"' in page and "Fail" in page[page.index('id="file-total"') :][:200]


def test_a_grade_is_one_word_in_each_language(app):
    from flask_babel import force_locale

    from supervision.scoring.labels import grade_label

    with app.test_request_context(), force_locale("zh_Hans"):
        chinese = grade_label("good")
    with app.test_request_context(), force_locale("en"):
        english = grade_label("good")
    assert english == "Good" and "Good" not in chinese and len(chinese.split()) == 1  # not "良好 良好"


def test_one_appeal_is_singular_on_the_supervisors_home(
    app, session, make_closed_case, supervisor, make_person
):
    case, login = make_closed_case(in_sample=False)
    final_score(session, case, supervisor, 86)
    from supervision.scoring.appeals import appeal_score

    appeal_score(session, case.id, login, "the hearing item was marked too low")
    session.commit()
    home = signed_in(app, make_person("supervisor")).get("/").get_data(as_text=True)
    assert "1 appeal to decide" in home and "1 appeals" not in home


def test_upholding_an_appeal_asks_first(app, session, make_closed_case, supervisor, make_person):
    case, login = make_closed_case(in_sample=False)
    final_score(session, case, supervisor, 86)
    from supervision.scoring.appeals import appeal_score

    appeal_score(session, case.id, login, "the hearing item was marked too low")
    session.commit()
    c = signed_in(app, make_person("supervisor"))
    assert f"/scoring/cases/{case.id}/uphold" in c.get(f"/scoring/cases/{case.id}").get_data(as_text=True)
    asked = c.post(f"/scoring/cases/{case.id}/uphold", data={"decide-reason": "marked fairly"})
    assert asked.status_code == 200 and "Reject the appeal" in asked.get_data(as_text=True)
    session.expire_all()
    assert session.get(ScoreFile, case.id).status == "appealed"
    done = c.post(
        f"/scoring/cases/{case.id}/uphold", data={"decide-reason": "marked fairly", "confirmed": "yes"}
    )
    assert done.status_code in (302, 303)
    session.expire_all()
    assert (session.get(ScoreFile, case.id).status, session.get(ScoreFile, case.id).appeal_outcome) == (
        "final",
        "upheld",
    )


def test_a_provider_accepts_only_after_confirming(app, session, make_closed_case, supervisor):
    case, login = make_closed_case(in_sample=False)
    final_score(session, case, supervisor, 86)
    c = signed_in(app, login)
    asked = c.post(f"/scoring/my-scores/{case.id}/accept")
    assert asked.status_code == 200 and 'id="confirm-yes"' in asked.get_data(as_text=True)
    session.expire_all()
    assert session.get(ScoreFile, case.id).accepted_at is None
    assert session.scalar(sa.select(sa.func.count()).select_from(RedFlag)) == 0
