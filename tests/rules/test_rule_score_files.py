"""Who reads a score file and its sheets (DESIGN.md §5), and the checklist a file is marked on (§4): each
reader at the edge of what they may see (issue 12). Anything not theirs is 'not found'."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.errors import NotAllowed, NotFound
from supervision.scoring import files, sheets
from supervision.scoring.models import ScoreFile


@pytest.fixture
def world(session, make_case_at, make_provider, make_person):
    """A closed case (its file out of the sample), its provider's login, two supervisors, an admin, and
    another provider's login."""
    from legalaid.models import User
    from supervision.scoring.checklists import seed_default_checklists

    provider_id, other_id, spare_id = make_provider(), make_provider(), make_provider()  # before any write
    seed_default_checklists(session)
    case = make_case_at(
        session,
        "closed",
        provider_id=provider_id,
        intake={"received_on": clock.today() - dt.timedelta(days=30)},
        decided_on=clock.today() - dt.timedelta(days=29),
        ended_on=clock.today() - dt.timedelta(days=2),
    )
    session.get(ScoreFile, case.id).in_sample = False
    session.commit()
    login = session.scalars(sa.select(User).where(User.provider_id == provider_id)).one()
    return {
        "case": case,
        "login": login,
        "sup": make_person("supervisor"),
        "other_sup": make_person("supervisor"),
        "admin": make_person("admin"),
        "stranger": make_person("provider", provider_id=other_id),
        "spare_provider_id": spare_id,
    }


def _sheet(session, case, scorer):
    file = session.get(ScoreFile, case.id)
    items = [{"code": i.code, "points": i.max_points} for i in files.pinned_checklist(session, file).items]
    return sheets.create_score_sheet(session, case.id, scorer, items=items)


def test_a_file_is_found_only_for_a_closed_case(session, world, make_case_at):
    case = world["case"]
    assert files.get_file(session, case.id).case_id == case.id
    assert files.get_file(session, case.id, lock=True).case_id == case.id
    open_case = make_case_at(session, "in_progress", provider_id=world["spare_provider_id"])
    with pytest.raises(NotAllowed) as refused:
        files.get_file(session, open_case.id)
    assert "only a closed case's file is scored" in str(refused.value)
    with pytest.raises(NotFound):
        files.get_file(session, open_case.id + 1000)


def test_a_provider_finds_only_their_own_file(session, world):
    case = world["case"]
    assert files.own_file(session, case.id, world["login"]).case_id == case.id
    assert files.own_file(session, case.id, world["login"], lock=True).case_id == case.id
    for actor in (world["stranger"], world["sup"], None):
        with pytest.raises(NotFound):
            files.own_file(session, case.id, actor)
    with pytest.raises(NotFound):
        files.own_file(session, case.id + 1000, world["login"])


def test_a_draft_is_read_by_its_scorer_only_and_a_submitted_sheet_by_every_supervisor(session, world):
    case, sup, other = world["case"], world["sup"], world["other_sup"]
    sheet = _sheet(session, case, sup)
    assert files.readable_sheet(session, sheet.id, sup) == (sheet, False)
    for actor in (other, world["admin"], world["login"], world["stranger"]):
        with pytest.raises(NotFound):
            files.readable_sheet(session, sheet.id, actor)
    sheets.submit_score_sheet(session, sheet, sup)  # final: the file was not sampled
    assert files.readable_sheet(session, sheet.id, other) == (sheet, False)
    assert files.readable_sheet(session, sheet.id, world["admin"]) == (sheet, False)
    assert files.readable_sheet(session, sheet.id, world["login"]) == (sheet, True)
    with pytest.raises(NotFound):
        files.readable_sheet(session, sheet.id, world["stranger"])
    with pytest.raises(NotFound):
        files.get_sheet(session, sheet.id + 1000)


def test_the_provider_reads_no_sheet_before_the_score_is_final(session, world):
    case, sup = world["case"], world["sup"]
    session.get(ScoreFile, case.id).in_sample = True  # the first sheet goes on to a second marker
    sheet = _sheet(session, case, sup)
    sheets.submit_score_sheet(session, sheet, sup)
    assert session.get(ScoreFile, case.id).status == "second_review"
    assert files.readable_sheet(session, sheet.id, world["other_sup"]) == (sheet, False)
    with pytest.raises(NotFound):
        files.readable_sheet(session, sheet.id, world["login"])


def test_a_file_is_marked_on_the_checklist_pinned_when_it_closed(session, world):
    from supervision.scoring.checklists import checklist_in_force

    file = session.get(ScoreFile, world["case"].id)
    pinned = file.checklist
    assert pinned is not None and files.pinned_checklist(session, file) is pinned
    # A file without one gets the version in force on the day the case ended, and keeps it.
    file.checklist_id, file.checklist = None, None
    session.flush()
    expected = checklist_in_force(session, file.case_type, file.ended_on)
    got = files.pinned_checklist(session, file)
    assert got is expected and file.checklist_id == expected.id and file.checklist is expected
    # None in force that day (before the first version): marking waits for one to be published.
    file.checklist_id, file.checklist = None, None
    file.ended_on = dt.date(1990, 1, 1)
    with pytest.raises(NotAllowed) as refused:
        files.pinned_checklist(session, file)
    assert "publish one first" in str(refused.value) and file.checklist_id is None
