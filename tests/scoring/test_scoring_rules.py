"""The arithmetic of the 100-point checklist: totals, N/A re-normalisation, grade bands, vetoes."""

from decimal import Decimal as D

import pytest

from supervision.scoring import rules
from supervision.scoring.defaults import default_checklists


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", "excellent"),
        ("90", "excellent"),
        ("89.9", "good"),
        ("80", "good"),
        ("79.9", "pass"),
        ("60", "pass"),
        ("59.9", "fail"),
        ("0", "fail"),
    ],
)
def test_grade_bands_are_half_open(total, grade):
    assert rules.grade_for(D(total)) == grade


def test_no_veto_at_100_is_excellent():
    assert rules.grade_for(D("100"), veto=False) == "excellent"


@pytest.mark.parametrize("veto", ["took_money", "stopped_work", "missed_deadline"])
def test_every_veto_forces_fail_even_at_100(session, make_closed_case, supervisor, veto):
    # Through the service, each veto item of the checklist in force, on a sheet with full marks.
    from supervision.scoring import files, sheets
    from supervision.scoring.models import ScoreFile

    case, _login = make_closed_case(in_sample=False)
    checklist = files.pinned_checklist(session, session.get(ScoreFile, case.id))
    assert veto in {v.code for v in checklist.veto_items}
    items = [{"code": i.code, "points": i.max_points} for i in checklist.items]
    sheet = sheets.create_score_sheet(session, case.id, supervisor, items=items, vetoes=[veto])
    assert sheet.total == D("100") and sheet.grade == "fail"
    clean = sheets.update_score_sheet(session, sheet, supervisor, items=items, vetoes=[])
    assert clean.grade == "excellent"


def test_total_without_na_is_the_sum_of_points():
    assert rules.sheet_total([(D(8), D(8), False), (D(92), D("81.5"), False)]) == D("89.5")


def test_na_renormalises_to_100_and_rounds_half_up_to_a_tenth():
    # 15-point hearing item N/A: 80 of the remaining 85 points → 94.117… → 94.1
    assert rules.sheet_total([(D(15), None, True), (D(85), D(80), False)]) == D("94.1")
    # 57.5 of 85 → 67.647… → 67.6
    assert rules.sheet_total([(D(15), None, True), (D(85), D("57.5"), False)]) == D("67.6")


def test_half_up_not_bankers_rounding():
    # 0.5 of 8 applicable points → 6.25 → half-up 6.3 (banker's rounding would give 6.2)
    assert rules.sheet_total([(D(92), None, True), (D(8), D("0.5"), False)]) == D("6.3")
    assert rules.round_tenth(D("59.95")) == D("60.0")
    assert rules.round_tenth(D("0.05")) == D("0.1")


def test_all_items_na_is_refused():
    with pytest.raises(ValueError):
        rules.sheet_total([(D(100), None, True)])


def test_mean_of_two_markers_rounds_half_up():
    assert rules.mean_total(D("80.0"), D("79.9")) == D("80.0")  # 79.95 → 80.0
    assert rules.mean_total(D("70"), D("75")) == D("72.5")


def test_sample_draw_is_seeded_per_case():
    assert rules.sample_draw(41) == rules.sample_draw(41)
    assert rules.sample_draw(41) != rules.sample_draw(42)
    share = sum(rules.sample_draw(i) < 0.10 for i in range(1, 5001)) / 5000
    assert 0.08 < share < 0.12


@pytest.mark.parametrize("spec", default_checklists(), ids=lambda s: s["case_type"])
def test_default_checklists_sum_to_100(spec):
    assert sum(D(i["max_points"]) for i in spec["items"]) == 100
    assert {v["code"] for v in spec["vetoes"]} == {"took_money", "stopped_work", "missed_deadline"}
