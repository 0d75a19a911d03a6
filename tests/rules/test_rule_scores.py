"""Grade and score rules at their edges (issue 12): a settled score (accepted, appeal decided, or the
window passed, never on its last day), the totals' re-normalisation and rounding, bands a centre sets,
the mean of two markers, the sample draw and the settings in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from supervision.scoring import rules
from supervision.scoring.files import score_settled, visible_to_provider
from supervision.scoring.models import ScoreFile

DAY = dt.date(2026, 10, 20)


def _file(status="final", appeal_by=DAY, accepted=False, decided=False):
    at = dt.datetime(2026, 10, 15, 2, tzinfo=dt.UTC)
    return ScoreFile(
        status=status,
        appeal_by=appeal_by,
        accepted_at=at if accepted else None,
        appeal_decided_at=at if decided else None,
    )


@pytest.mark.parametrize(
    "today, settled",
    [(DAY - dt.timedelta(days=9), False), (DAY, False), (DAY + dt.timedelta(days=1), True)],
)
def test_a_final_score_is_settled_only_after_its_appeal_window(today, settled):
    assert score_settled(_file(), today) is settled


def test_acceptance_or_a_decided_appeal_settles_a_score_inside_the_window():
    inside = DAY - dt.timedelta(days=5)
    assert score_settled(_file(accepted=True), inside) is True
    assert score_settled(_file(decided=True), inside) is True
    assert score_settled(_file(accepted=True, decided=True), inside) is True


@pytest.mark.parametrize("status", ["open", "second_review", "third_review", "appealed"])
def test_only_a_final_score_is_ever_settled(status):
    after = DAY + dt.timedelta(days=30)
    assert score_settled(_file(status=status, accepted=True, decided=True), after) is False
    assert score_settled(None, after) is False


def test_the_provider_reads_a_score_once_final_and_through_an_appeal():
    assert [
        s
        for s in ("open", "second_review", "third_review", "final", "appealed")
        if visible_to_provider(_file(s))
    ] == [
        "final",
        "appealed",
    ]


def test_totals_renormalise_over_the_applicable_items():
    lines = [(D(10), D(10), False), (D(20), D(15), False), (D(70), None, True)]
    assert rules.sheet_total(lines) == D("83.3")  # 25 / 30 × 100 = 83.33…
    assert rules.sheet_total([(D(10), None, False), (D(10), D(10), False)]) == D("50.0")  # unscored: 0
    assert rules.sheet_total([(10, 5, False)]) == D("50.0")  # ints as Decimals
    with pytest.raises(ValueError, match="^every item is N/A$"):
        rules.sheet_total([(D(10), D(10), True)])
    with pytest.raises(ValueError, match="^every item is N/A$"):
        rules.sheet_total([])


def test_rounding_is_half_up_to_a_tenth():
    assert rules.round_tenth(D("59.95")) == D("60.0")
    assert rules.round_tenth(D("59.94")) == D("59.9")
    assert rules.round_tenth(D("0.05")) == D("0.1")
    assert rules.mean_total(D("59.9"), D("60.0")) == D("60.0")  # 59.95 → 60.0, a pass
    assert rules.mean_total(D("80"), D("91")) == D("85.5")
    assert rules.has_one_decimal(D("7.5")) and rules.has_one_decimal(D("7"))
    assert not rules.has_one_decimal(D("7.25"))


def test_a_veto_fails_whatever_the_total_and_bands_a_centre_sets_apply():
    assert rules.grade_for(D("100"), veto=True) == "fail"
    assert rules.grade_for(D("0"), veto=False) == "fail"
    bands = {"excellent": 95, "good": "85", "pass": 70}
    got = [rules.grade_for(D(t), False, bands) for t in ("95", "94.9", "85", "84.9", "70", "69.9")]
    assert got == ["excellent", "good", "good", "pass", "pass", "fail"]


def test_the_settings_in_force_and_the_seeded_draw(app):
    assert (
        rules.setting("appeal_days") == 10 and rules.setting("second_marking_gap") == 10
    )  # outside a request
    with app.app_context():
        assert rules.sample_rate() == 0.1
        draws = [rules.sample_draw(case_id) for case_id in (1, 2, 1)]
        assert draws[0] == draws[2] and draws[0] != draws[1] and all(0 <= d < 1 for d in draws)
        app.config["SCORING"] = {"sample_rate": "0.25", "appeal_days": 15, "sample_seed": "other"}
        assert rules.sample_rate() == 0.25 and rules.setting("appeal_days") == 15
        assert rules.setting("second_marking_gap") == 10
        assert rules.sample_draw(1) != draws[0]
