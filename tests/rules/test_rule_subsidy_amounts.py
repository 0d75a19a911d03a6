"""The subsidy amount at its edges (issue 12), straight from ``rates.compute_subsidy`` with the seeded
rate table: every factor alone and together, the extras' limits, the rate in force on the centre's
date of the assignment, rounding half-up to the fen once, and the breakdown a provider reads."""

from __future__ import annotations

import datetime as dt

import pytest

from assignment.models import Assignment, Case, Organization, Provider
from supervision.subsidies.prerequisites import ClosingFacts, ScoreFacts
from supervision.subsidies.rates import compute_subsidy, rate_stage

ASSIGNED_AT = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 on 2 March at the centre


def _amount(
    session,
    *,
    case_type="civil",
    stage=None,
    max_sentence=None,
    group_size=1,
    intake_point=None,
    home=None,
    kind="lawyer",
    grade="good",
    terminated=False,
    took_money=False,
    assigned_at=ASSIGNED_AT,
):
    provider = Provider(name="P", kind=kind, organization=Organization(name="O", kind="law_firm", area=home))
    case = Case(
        case_type=case_type,
        stage=stage,
        max_sentence=max_sentence,
        group_size=group_size,
        intake_point=intake_point,
    )
    assignment = Assignment(provider=provider, assigned_at=assigned_at)
    closing = ClosingFacts(ended_on=None, terminated=terminated)
    score = ScoreFacts(final=True, settled=True, grade=grade, took_money_confirmed=took_money)
    return compute_subsidy(session, case, assignment, closing, score)


@pytest.mark.parametrize(
    "grade, fen", [("excellent", 144000), ("good", 132000), ("pass", 120000), ("fail", 60000)]
)
def test_each_grade_multiplies_the_rate(session, grade, fen):
    amount, breakdown = _amount(session, grade=grade)
    assert amount == fen and breakdown["amount_fen"] == fen and breakdown["grade"] == grade


def test_the_breakdown_names_every_factor(session):
    amount, breakdown = _amount(session)
    assert amount == 132000
    rate_id = breakdown.pop("rate_id")
    assert isinstance(rate_id, int)
    assert breakdown == {
        "rate_effective_from": "2000-01-01",
        "case_type": "civil",
        "stage": "",
        "provider_kind": "lawyer",
        "assigned_on": "2026-03-02",
        "base_fen": 120000,
        "serious_sentence_factor": "1",
        "grade": "good",
        "grade_multiplier": "1.1",
        "terminated": False,
        "terminated_ratio": "1",
        "extras": [],
        "took_money_veto": False,
        "exact_fen": "132000.0",
        "amount_fen": 132000,
    }


@pytest.mark.parametrize(
    "stage, max_sentence, fen",
    [
        ("investigation", None, 88000),  # 800 × 1.1
        ("prosecution", None, 110000),
        ("trial", None, 132000),
        (None, None, 132000),  # a criminal case without a stage is paid as a trial
        ("trial", "life", 198000),  # × 1.5
        ("investigation", "death", 132000),  # 800 × 1.5 × 1.1
    ],
)
def test_criminal_rates_by_stage_and_sentence(session, stage, max_sentence, fen):
    amount, breakdown = _amount(session, case_type="criminal", stage=stage, max_sentence=max_sentence)
    assert amount == fen
    assert breakdown["serious_sentence_factor"] == ("1.5" if max_sentence else "1")


def test_only_a_criminal_case_has_a_stage_or_a_serious_sentence(session):
    assert rate_stage(Case(case_type="civil", stage="trial")) == ""
    assert rate_stage(Case(case_type="criminal", stage="prosecution")) == "prosecution"
    amount, breakdown = _amount(session, case_type="civil", max_sentence="life")
    assert amount == 132000 and breakdown["serious_sentence_factor"] == "1"


def test_termination_halves_before_the_extras(session):
    amount, breakdown = _amount(session, terminated=True, group_size=2)
    assert amount == 66000 + 20000  # 1,200 × 1.1 × 0.5, plus one related case
    assert breakdown["terminated"] is True and breakdown["terminated_ratio"] == "0.5"


@pytest.mark.parametrize("group_size, related", [(1, 0), (2, 1), (11, 10), (12, 10), (0, 0), (None, 0)])
def test_related_cases_of_a_group_matter_up_to_ten(session, group_size, related):
    amount, breakdown = _amount(session, group_size=group_size)
    assert amount == 132000 + related * 20000
    if related:
        assert breakdown["extras"] == [{"code": "related_cases", "count": related, "fen": related * 20000}]
    else:
        assert breakdown["extras"] == []


@pytest.mark.parametrize(
    "home, intake_point, extra",
    [("Licheng", "Hanjiang", True), ("Hanjiang", "Hanjiang", False), (None, "Hanjiang", False)],
)
def test_a_case_outside_the_providers_area_pays_travel(session, home, intake_point, extra):
    amount, breakdown = _amount(session, home=home, intake_point=intake_point)
    assert amount == 132000 + (20000 if extra else 0)
    assert breakdown["extras"] == ([{"code": "cross_region", "fen": 20000}] if extra else [])
    assert _amount(session, home=home, intake_point=None)[0] == 132000


def test_extras_are_off_when_the_centre_sets_them_to_zero(app, session):
    app.config["SUBSIDY_RULES"] = {"related_case_fen": 0, "cross_region_fen": 0, "related_cases_max": 3}
    amount, breakdown = _amount(session, group_size=5, home="Licheng", intake_point="Hanjiang")
    assert amount == 132000 and breakdown["extras"] == []
    app.config["SUBSIDY_RULES"] = {"related_cases_max": 3}
    assert _amount(session, group_size=9)[0] == 132000 + 3 * 20000


def test_a_confirmed_took_money_veto_pays_nothing_at_all(session):
    amount, breakdown = _amount(
        session, grade="excellent", took_money=True, group_size=3, home="A", intake_point="B"
    )
    assert amount == 0 and breakdown["took_money_veto"] is True and breakdown["exact_fen"] == "0"


def test_rounded_half_up_to_the_fen_once(app, session):
    # 1,200 yuan × 1.0005 = 120,060 fen exactly; × 1.00005 = 120,006 fen; 120,000.5 rounds up.
    app.config["SUBSIDY_RULES"] = {"grade_multipliers": {"good": "1.00000416666"}}
    amount, breakdown = _amount(session)
    assert breakdown["exact_fen"].startswith("120000.499")
    assert amount == 120000
    app.config["SUBSIDY_RULES"] = {"grade_multipliers": {"good": "1.0000041666667"}}
    assert _amount(session)[0] == 120001  # 120,000.500004 → up


def test_the_rate_in_force_on_the_centres_day_of_the_assignment(session, make_person):
    from supervision.subsidies.rates import add_rate

    admin = make_person("admin")
    add_rate(
        session,
        admin,
        case_type="civil",
        provider_kind="lawyer",
        effective_from=dt.date(2026, 3, 2),
        amount_fen=150000,
    )
    session.flush()
    # 23:30 on 1 March in UTC is 07:30 on 2 March at the centre: the new rate.
    late = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    amount, breakdown = _amount(session, assigned_at=late)
    assert breakdown["assigned_on"] == "2026-03-02" and breakdown["base_fen"] == 150000
    assert amount == 165000
    early = dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC)  # 23:30 on 1 March at the centre
    assert _amount(session, assigned_at=early)[1]["base_fen"] == 120000
    adviser = _amount(session, kind="legal_adviser", assigned_at=late)[1]
    assert adviser["base_fen"] == 120000 and adviser["provider_kind"] == "legal_adviser"
