"""Score sheets and the review flow through the service functions (DESIGN.md §4 "Scoring")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.errors import Invalid, NotAllowed, NotFound
from supervision import signals
from supervision.scoring import appeals, files, sheets, suggestions
from supervision.scoring.checklists import draft_checklist, publish_checklist
from supervision.scoring.models import ScoreFile
from tests.scoring.conftest import full_marks, points_for_total


@pytest.fixture
def mark(session):
    """mark(case, scorer, items=None (full marks), vetoes=None, veto_note=None) -> file after submit."""

    def run(case, scorer, items=None, vetoes=None, veto_note=None, overrides=None, today=None):
        file = session.get(ScoreFile, case.id)
        checklist = files.pinned_checklist(session, file)
        if items is None:
            items = full_marks(checklist, **(overrides or {}))
        sheet = sheets.create_score_sheet(
            session, case.id, scorer, items=items, vetoes=vetoes, veto_note=veto_note
        )
        file = sheets.submit_score_sheet(session, sheet, scorer, today=today)
        session.commit()
        return file

    return run


@pytest.fixture
def finalised(session):
    sent = []

    def receiver(sender, **kw):
        sent.append(kw["case"].id)

    signals.score_finalised.connect(receiver)
    yield sent
    signals.score_finalised.disconnect(receiver)


def test_first_sheet_of_an_unsampled_file_is_final(session, make_closed_case, supervisor, mark, finalised):
    case, _login = make_closed_case(in_sample=False)
    file = mark(case, supervisor, overrides={"investigation": 12})
    assert (file.status, file.total, file.grade) == ("final", D("97.0"), "excellent")
    assert file.appeal_by == file.finalised_on + dt.timedelta(days=10)
    assert finalised == [case.id]


def test_points_above_an_item_maximum_are_refused(session, make_closed_case, supervisor):
    case, _ = make_closed_case()
    with pytest.raises(Invalid) as exc:
        sheets.create_score_sheet(
            session, case.id, supervisor, items=[{"code": "retainer", "points": D("8.1")}]
        )
    assert "items.0.points" in exc.value.fields
    for bad in (D("-1"), D("7.25")):
        with pytest.raises(Invalid):
            sheets.create_score_sheet(
                session, case.id, supervisor, items=[{"code": "retainer", "points": bad}]
            )


def test_na_items_renormalise_the_total_to_100(session, make_closed_case, supervisor):
    # Rule: total = points on applicable items × 100 / their maximums, rounded half-up to 0.1 once.
    case, _ = make_closed_case()
    file = session.get(ScoreFile, case.id)
    items = full_marks(files.pinned_checklist(session, file), hearing="na", legal_opinion=15)
    sheet = sheets.create_score_sheet(session, case.id, supervisor, items=items)
    # 80 of the 85 applicable points → 94.117… → 94.1
    assert sheet.total == D("94.1")
    assert sheet.grade == "excellent"


def test_all_items_na_is_refused(session, make_closed_case, supervisor):
    case, _ = make_closed_case()
    checklist = files.pinned_checklist(session, session.get(ScoreFile, case.id))
    with pytest.raises(Invalid):
        sheets.create_score_sheet(
            session, case.id, supervisor, items=[{"code": i.code, "na": True} for i in checklist.items]
        )


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("59.9", "fail"),
        ("60", "pass"),
        ("79.9", "pass"),
        ("80", "good"),
        ("89.9", "good"),
        ("90", "excellent"),
    ],
)
def test_grade_boundaries_on_a_sheet(session, make_closed_case, supervisor, total, grade):
    case, _ = make_closed_case()
    checklist = files.pinned_checklist(session, session.get(ScoreFile, case.id))
    sheet = sheets.create_score_sheet(session, case.id, supervisor, items=points_for_total(checklist, total))
    assert (sheet.total, sheet.grade) == (D(total), grade)


@pytest.mark.parametrize("veto", ["took_money", "stopped_work", "missed_deadline"])
def test_every_veto_forces_fail(session, make_closed_case, supervisor, make_person, mark, veto):
    case, _ = make_closed_case(in_sample=False)
    file = mark(case, supervisor, vetoes=[veto], veto_note="confirmed in the file")
    assert file.status == "second_review"  # 不合格 goes to a second supervisor
    second = make_person("supervisor")
    file = mark(case, second, vetoes=[veto], veto_note="agreed")
    assert (file.status, file.total, file.grade, file.veto) == ("final", D("100.0"), "fail", True)


def test_submit_needs_a_note_for_each_deduction(session, make_closed_case, supervisor):
    case, _ = make_closed_case()
    checklist = files.pinned_checklist(session, session.get(ScoreFile, case.id))
    items = full_marks(checklist)
    items[1] = {"code": items[1]["code"], "points": D(1)}
    sheet = sheets.create_score_sheet(session, case.id, supervisor, items=items)
    with pytest.raises(Invalid) as exc:
        sheets.submit_score_sheet(session, sheet, supervisor)
    assert f"items.{items[1]['code']}" in exc.value.fields


def test_a_fail_goes_to_a_second_marker_and_the_mean_stands_within_10(
    session, make_closed_case, make_person, mark, finalised
):
    case, _ = make_closed_case(in_sample=False)
    first, second = make_person("supervisor"), make_person("supervisor")
    checklist = files.pinned_checklist(session, session.get(ScoreFile, case.id))
    assert mark(case, first, items=points_for_total(checklist, "55")).status == "second_review"
    assert finalised == []
    file = mark(case, second, items=points_for_total(checklist, "64.9"))
    # mean of 55.0 and 64.9 = 59.95 → half-up 60.0 → 合格
    assert (file.status, file.total, file.grade) == ("final", D("60.0"), "pass")
    assert finalised == [case.id]


def test_the_sample_goes_to_a_second_marker(session, make_closed_case, make_person, mark):
    case, _ = make_closed_case(in_sample=True)
    assert mark(case, make_person("supervisor")).status == "second_review"


def test_the_sample_draw_is_stored_with_the_file(session, make_closed_case):
    from supervision.scoring.rules import sample_draw

    case, _ = make_closed_case(in_sample=None)
    file = session.get(ScoreFile, case.id)
    assert file.sample_draw == sample_draw(case.id)
    assert file.in_sample == (file.sample_draw < 0.10)


def test_a_gap_over_10_goes_to_a_third_marker_who_decides(session, make_closed_case, make_person, mark):
    case, _ = make_closed_case(in_sample=True)
    checklist = files.pinned_checklist(session, session.get(ScoreFile, case.id))
    mark(case, make_person("supervisor"), items=points_for_total(checklist, "92"))
    file = mark(case, make_person("supervisor"), items=points_for_total(checklist, "81.9"))
    assert file.status == "third_review"  # 10.1 apart
    file = mark(case, make_person("supervisor"), items=points_for_total(checklist, "85"))
    assert (file.status, file.total, file.grade) == ("final", D("85.0"), "good")


def test_a_gap_of_exactly_10_keeps_the_mean(session, make_closed_case, make_person, mark):
    case, _ = make_closed_case(in_sample=True)
    checklist = files.pinned_checklist(session, session.get(ScoreFile, case.id))
    mark(case, make_person("supervisor"), items=points_for_total(checklist, "92"))
    file = mark(case, make_person("supervisor"), items=points_for_total(checklist, "82"))
    assert (file.status, file.total) == ("final", D("87.0"))


def test_the_first_marker_cannot_be_the_second(session, make_closed_case, supervisor, mark):
    case, _ = make_closed_case(in_sample=True)
    mark(case, supervisor)
    with pytest.raises(NotAllowed):
        sheets.create_score_sheet(session, case.id, supervisor)


def test_scorer_who_assigned_the_case_is_excluded(session, make_closed_case, make_person):
    assigner = make_person("supervisor", "coordinator")
    case, _ = make_closed_case(assigned_by=assigner)
    with pytest.raises(NotAllowed, match="assigned"):
        sheets.create_score_sheet(session, case.id, assigner)


def test_scorer_cannot_score_their_own_file(session, make_closed_case):
    from legalaid.models import UserRole

    case, login = make_closed_case()
    login.role_rows.append(UserRole(role="supervisor"))  # a provider who also supervises
    session.commit()
    with pytest.raises(NotAllowed, match="own case"):
        sheets.create_score_sheet(session, case.id, login)


def test_scorer_from_the_same_organisation_is_excluded(
    session, make_closed_case, make_org_provider, make_person
):
    handler = make_org_provider()
    colleague = make_org_provider(organization_id=handler.organization_id)
    case, _ = make_closed_case(provider=handler)
    me = make_person("supervisor", provider_id=colleague.id)
    with pytest.raises(NotAllowed, match="organisation"):
        sheets.create_score_sheet(session, case.id, me)
    other_firm = make_person("supervisor", provider_id=make_org_provider().id)
    assert sheets.create_score_sheet(session, case.id, other_firm).role == "first"


def test_an_open_file_is_not_the_providers_to_see(session, make_closed_case):
    case, login = make_closed_case()
    assert not files.visible_to_provider(session.get(ScoreFile, case.id))
    with pytest.raises(NotAllowed):
        appeals.accept_score(session, case.id, login)


def test_another_provider_gets_not_found(session, make_closed_case, supervisor, mark):
    case, _ = make_closed_case()
    mark(case, supervisor)
    _other_case, other_login = make_closed_case()
    with pytest.raises(NotFound):
        appeals.appeal_score(session, case.id, other_login, "not mine")


def test_appeal_within_10_days_and_refused_after(session, make_closed_case, supervisor, mark):
    case, login = make_closed_case()
    day0 = dt.date(2026, 3, 2)
    mark(case, supervisor, today=day0)
    with pytest.raises(NotAllowed, match="window closed"):
        appeals.appeal_score(session, case.id, login, "too late", today=day0 + dt.timedelta(days=11))
    file = appeals.appeal_score(
        session, case.id, login, "the hearing item ignores my statement", today=day0 + dt.timedelta(days=10)
    )
    assert file.status == "appealed"
    with pytest.raises(NotAllowed):
        appeals.appeal_score(session, case.id, login, "again", today=day0 + dt.timedelta(days=10))


def test_accepting_waives_the_appeal(session, make_closed_case, supervisor, mark):
    case, login = make_closed_case()
    mark(case, supervisor)
    file = appeals.accept_score(session, case.id, login)
    assert files.score_settled(file)
    with pytest.raises(NotAllowed, match="waived"):
        appeals.appeal_score(session, case.id, login, "changed my mind")


def test_the_window_passing_settles_the_score(session, make_closed_case, supervisor, mark):
    case, _ = make_closed_case()
    day0 = dt.date(2026, 3, 2)
    file = mark(case, supervisor, today=day0)
    assert not files.score_settled(file, day0 + dt.timedelta(days=10))
    assert files.score_settled(file, day0 + dt.timedelta(days=11))


def test_appeal_goes_to_a_supervisor_who_has_not_marked_and_is_final(
    session, make_closed_case, supervisor, make_person, mark, finalised
):
    case, login = make_closed_case()
    mark(case, supervisor)
    appeals.appeal_score(session, case.id, login, "please look again")
    session.commit()
    with pytest.raises(NotAllowed, match="not marked"):
        appeals.decide_appeal(session, case.id, supervisor, outcome="upheld", reason="it stands")
    reviewer = make_person("supervisor")
    file = appeals.decide_appeal(
        session, case.id, reviewer, outcome="upheld", reason="the deduction is supported"
    )
    session.commit()
    assert (file.status, file.appeal_outcome, file.appeal_decided_by) == ("final", "upheld", reviewer.id)
    assert files.score_settled(file)
    with pytest.raises(NotAllowed):
        appeals.appeal_score(session, case.id, login, "second appeal")
    from legalaid.models import AuditEntry

    actions = session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.object_type == "score_file")
    ).all()
    assert "score.appeal_decided" in actions and "score.appealed" in actions
    assert finalised == [case.id, case.id]


def test_appeal_revised_with_the_reviewers_sheet(session, make_closed_case, supervisor, make_person, mark):
    case, login = make_closed_case()
    checklist = files.pinned_checklist(session, session.get(ScoreFile, case.id))
    mark(case, supervisor, items=points_for_total(checklist, "78"))
    appeals.appeal_score(session, case.id, login, "hearing item")
    reviewer = make_person("supervisor")
    sheet = sheets.create_score_sheet(session, case.id, reviewer, items=points_for_total(checklist, "83.5"))
    assert sheet.role == "appeal"
    with pytest.raises(NotAllowed):
        sheets.submit_score_sheet(session, sheet, reviewer)
    file = appeals.decide_appeal(
        session, case.id, reviewer, outcome="revised", reason="hearing well done", sheet=sheet
    )
    assert (file.status, file.total, file.grade, file.appeal_outcome) == (
        "final",
        D("83.5"),
        "good",
        "revised",
    )


def test_version_in_force_on_ended_on_is_kept_after_a_new_version(
    session, make_closed_case, supervisor, make_person
):
    from supervision.scoring.checklists import checklist_as_draft_input, checklist_in_force

    admin = make_person("admin")
    case, _ = make_closed_case(ended_on=clock.today() - dt.timedelta(days=20))
    v1 = checklist_in_force(session, "civil", clock.today())
    spec = checklist_as_draft_input(v1)
    spec["items"][0]["max_points"] = D(10)  # retainer 8 → 10, hearing 15 → 13
    hearing = next(i for i in spec["items"] if i["code"] == "hearing")
    hearing["max_points"] = D(13)
    # A new version effective before the case ended, published after it closed.
    v2 = draft_checklist(session, admin, effective_from=clock.today() - dt.timedelta(days=30), **spec)
    publish_checklist(session, v2, admin)
    session.commit()
    sheet = sheets.create_score_sheet(session, case.id, supervisor)
    assert sheet.checklist_id == v1.id
    later, _ = make_closed_case(ended_on=clock.today() - dt.timedelta(days=1))
    assert sheets.create_score_sheet(session, later.id, supervisor).checklist_id == v2.id


def test_checklist_maximums_must_sum_to_100(session, make_person, checklists_seeded):
    from supervision.scoring.checklists import checklist_as_draft_input, checklist_in_force

    admin = make_person("admin")
    spec = checklist_as_draft_input(checklist_in_force(session, "criminal", clock.today()))
    spec["items"][0]["max_points"] = D("8.5")
    with pytest.raises(Invalid, match="100.5"):
        draft_checklist(session, admin, effective_from=clock.today(), **spec)


def test_suggestions_from_dates_ratings_and_red_flags(session, make_closed_case, supervisor, monkeypatch):
    class Flag:
        kind, status = "took_money", "open"

    monkeypatch.setattr(
        suggestions,
        "hearing_ratings",
        lambda s, cid: [dict(preparation=4, examination=4, argument=5, effect=3)],
    )
    monkeypatch.setattr(suggestions, "red_flags", lambda s, cid: [Flag()])
    today = clock.today()
    # assigned 60 days ago; retainer signed 7 days after → late;
    # materials complete 40 days after the case ended → late
    case, login = make_closed_case(
        retainer_signed_on=today - dt.timedelta(days=53),
        ended_on=today - dt.timedelta(days=45),
        documents=["closing_report"],
    )
    from supervision.scoring.closing import hand_in_documents, required_documents

    hand_in_documents(session, case, login, required_documents("civil"), today=today - dt.timedelta(days=5))
    session.commit()
    sheet = sheets.create_score_sheet(session, case.id, supervisor)
    lines = {ln.code: ln.points for ln in sheet.lines}
    assert lines["retainer"] == 0
    assert lines["closing_materials"] == D("5.0")  # complete but 10 days late: half
    assert lines["hearing"] == D("12.0")  # mean 4 of 5 × 15
    assert sheet.vetoes == ["took_money"] and sheet.grade == "fail"
    reasons = sheet.suggestions["items"]
    assert reasons["retainer"]["reason"]["key"] == "retainer_late"
    assert reasons["closing_materials"]["reason"]["params"]["days"] == 10
    # Overriding a suggestion needs a note
    sheets.update_score_sheet(
        session, sheet, supervisor, items=[{"code": "retainer", "points": D(8)}], vetoes=[]
    )
    with pytest.raises(Invalid) as exc:
        sheets.submit_score_sheet(session, sheet, supervisor)
    assert "items.retainer" in exc.value.fields and "veto_note" in exc.value.fields


@pytest.mark.parametrize(("status", "vetoed"), [("open", True), ("confirmed", True), ("dismissed", False)])
def test_a_took_money_red_flag_suggests_the_veto(session, make_closed_case, supervisor, status, vetoed):
    from supervision.scheduling.models import RedFlag

    case, _ = make_closed_case()
    session.add(RedFlag(case_id=case.id, kind="took_money", status=status))
    session.commit()
    checklist = files.pinned_checklist(session, session.get(ScoreFile, case.id))
    sheet = sheets.create_score_sheet(session, case.id, supervisor, items=full_marks(checklist))
    assert (sheet.vetoes == ["took_money"]) is vetoed
    assert (sheet.grade == "fail") is vetoed


def test_a_draft_version_keeps_its_case_type(session, make_person, checklists_seeded):
    from legalaid.errors import NotAllowed
    from supervision.scoring.checklists import (
        checklist_as_draft_input,
        checklist_in_force,
        revise_checklist_draft,
    )

    admin = make_person("admin")
    spec = checklist_as_draft_input(checklist_in_force(session, "criminal", clock.today()))
    draft = draft_checklist(session, admin, effective_from=clock.today(), **spec)
    spec.pop("case_type", None)
    with pytest.raises(NotAllowed, match="keeps its case type"):
        revise_checklist_draft(
            session,
            draft,
            admin,
            case_type="civil",
            effective_from=clock.today(),
            **{k: v for k, v in spec.items() if k != "effective_from"},
        )
