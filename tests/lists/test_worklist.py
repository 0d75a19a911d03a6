"""The marking worklist: paged, sorted and filtered on the page and in ``GET /api/v1/score-files``; the
page lists exactly the files ``who_may_mark`` lets the reader mark (or that they have a draft on), now
asked in one statement instead of file by file."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from legalaid import clock
from supervision.scoring import files, sheets, who_may_mark
from supervision.scoring.lists import SORTS, worklist_statement
from supervision.scoring.models import ScoreFile
from tests.conftest import AuthActions
from tests.lists.helpers import (
    api,
    check_api_paging,
    check_api_refuses,
    check_api_sorts,
    check_page,
    check_page_refuses,
    check_page_sorts,
    ids,
    page_html,
)
from tests.scoring.conftest import (  # noqa: F401
    checklists_seeded,
    coordinator,
    full_marks,
    make_case_in_progress,
    make_closed_case,
    make_org_provider,
    provider_user,
)


def _client(app, user):
    client = app.test_client()
    AuthActions(client).login(user.username)
    return client


@pytest.fixture
def desk(app, session, make_closed_case, make_person):  # noqa: F811
    """Five closed files: one the first supervisor assigned (not theirs to mark), one in the sample
    they marked first (now awaiting a second marker, not them), one criminal; pages of two rows."""
    app.config["LIST_PAGE_SIZE"] = 2
    first, second = make_person("supervisor"), make_person("supervisor")
    today = clock.today()
    cases = [make_closed_case(ended_on=today - dt.timedelta(days=d))[0] for d in (9, 4, 7)]
    cases.append(make_closed_case(case_type="criminal", ended_on=today - dt.timedelta(days=6))[0])
    cases.append(make_closed_case(ended_on=today - dt.timedelta(days=5), assigned_by=first)[0])
    sampled = make_closed_case(ended_on=today - dt.timedelta(days=8), in_sample=True)[0]
    file = session.get(ScoreFile, sampled.id)
    sheet = sheets.create_score_sheet(
        session, sampled.id, first, items=full_marks(files.pinned_checklist(session, file))
    )
    sheets.submit_score_sheet(session, sheet, first)
    session.commit()
    assert session.get(ScoreFile, sampled.id).status == "second_review"
    return {"first": first, "second": second, "cases": cases, "sampled": sampled}


def _by_python(session, actor) -> set[int]:
    """The worklist as it was decided file by file before (views_marking, who_may_mark)."""
    rows = session.scalars(sa.select(ScoreFile).where(ScoreFile.status != "final")).all()
    excluded = who_may_mark.scorer_exclusions(session, rows, actor)
    kept = set()
    for f in rows:
        if f.case_id in excluded:
            continue
        drafts = [s for s in f.sheets if s.scorer_id == actor.id and s.status == "draft"]
        if who_may_mark.marking_refusal(session, f, actor) and not drafts:
            continue
        kept.add(f.case_id)
    return kept


def test_the_statement_keeps_who_may_mark(session, desk):
    for actor in (desk["first"], desk["second"]):
        assert set(
            session.scalars(sa.select(ScoreFile.case_id).from_statement(worklist_statement(actor)))
        ) == (_by_python(session, actor))
    assert desk["cases"][4].id not in set(
        session.scalars(sa.select(ScoreFile.case_id).from_statement(worklist_statement(desk["first"])))
    )


def test_score_files_api(app, desk, session):
    c = _client(app, desk["first"])
    url = "/api/v1/score-files?per_page=500"
    check_api_paging(c, "/api/v1/score-files", 6, key="case_id")
    check_api_sorts(c, url, SORTS.columns, key="case_id", sorted_by={"ended_on": "ended_on"})
    assert ids(c, url + "&case_type=criminal", key="case_id") == [desk["cases"][3].id]
    assert ids(c, url + "&status=second_review", key="case_id") == [desk["sampled"].id]
    number = api(c, url)["items"][0]["case_id"]
    from assignment.models import Case

    case_number = session.get(Case, number).number
    assert ids(c, url + f"&q={case_number}", key="case_id") == [number]
    provider_id = session.get(ScoreFile, desk["cases"][3].id).provider_id
    assert ids(c, url + f"&provider_id={provider_id}", key="case_id") == [desk["cases"][3].id]
    check_api_refuses(
        c, "/api/v1/score-files", sort="grade", status="closed", case_type="tax", provider_id="x"
    )


def test_worklist_page(app, desk, count_queries):
    first = _client(app, desk["first"])
    html = check_page(first, "/scoring/?case_type=civil&sort=-ended_on", table="worklist", key="worklist")
    assert "Files awaiting marking" in html
    check_page_sorts(first, "/scoring/", SORTS.columns)
    # Neither the file they assigned nor the one they marked first is offered to the first supervisor.
    html = page_html(first, "/scoring/?status=second_review")
    assert "0 files match." in html
    html = page_html(_client(app, desk["second"]), "/scoring/?status=second_review")
    assert "1 file matches." in html
    html = page_html(first, "/scoring/?case_type=criminal")
    assert "1 file matches." in html
    check_page_refuses(first, "/scoring/", sort="grade", status="closed", case_type="tax")
    with count_queries() as one:
        page_html(first, "/scoring/?case_type=criminal")
    with count_queries() as two:
        page_html(first, "/scoring/")
    assert one.count == two.count
