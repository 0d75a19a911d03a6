"""The subsidy amount: rate by assignment date × grade × termination + extras, half-up to the fen once."""

from __future__ import annotations

import datetime as dt

import pytest

from legalaid import clock
from legalaid.errors import Forbidden, Invalid


@pytest.fixture
def frozen_amount(session, staff, make_case, subsidy_of):
    """frozen_amount(**case) -> the subsidy of a case archived with those facts."""
    from supervision.subsidies.archive import archive_case

    supervisor = staff("supervisor")

    def run(**case):
        case_id = make_case(**case)
        archive_case(session, supervisor, case_id)
        session.commit()
        return subsidy_of(case_id)

    return run


@pytest.mark.parametrize(
    ("grade", "amount_fen"),
    [("excellent", 144000), ("good", 132000), ("pass", 120000), ("fail", 60000)],
)
def test_amount_for_each_grade(frozen_amount, grade, amount_fen):
    subsidy = frozen_amount(case_type="civil", grade=grade)
    assert subsidy.amount_fen == amount_fen
    assert subsidy.breakdown["base_fen"] == 120000


def test_confirmed_took_money_veto_pays_nothing(frozen_amount, session):
    """A zero subsidy is closed with its reason when the file is archived, never queued at ¥0.00."""
    from supervision.subsidies.subsidies import why_not_payable

    subsidy = frozen_amount(grade="fail", took_money=True, group_size=3)
    assert subsidy.amount_fen == 0
    assert subsidy.status == "cancelled" and subsidy.archive_id is not None
    assert subsidy.breakdown["took_money_veto"] is True
    assert why_not_payable(session, subsidy) == (
        "Nothing to pay: the took-money red flag was confirmed: no subsidy is paid (Law art. 20)"
    )


def test_terminated_case_paid_half(frozen_amount):
    subsidy = frozen_amount(grade="good", terminated=True)
    assert subsidy.amount_fen == 66000  # 1,200 × 1.1 × 0.5
    assert subsidy.breakdown["terminated_ratio"] == "0.5"


@pytest.mark.parametrize(
    ("stage", "max_sentence", "amount_fen"),
    [
        ("investigation", None, 80000),
        ("prosecution", None, 100000),
        ("trial", None, 120000),
        ("trial", "life", 180000),
        ("trial", "death", 180000),
    ],
)
def test_criminal_rates_by_stage_and_sentence(frozen_amount, stage, max_sentence, amount_fen):
    subsidy = frozen_amount(case_type="criminal", stage=stage, max_sentence=max_sentence, grade="pass")
    assert subsidy.amount_fen == amount_fen


def test_non_litigation_and_legal_adviser_rates(frozen_amount):
    assert frozen_amount(case_type="non_litigation", grade="pass").amount_fen == 80000
    assert frozen_amount(case_type="administrative", kind="legal_adviser", grade="pass").amount_fen == 120000


def test_extras_added_after_multipliers(frozen_amount):
    subsidy = frozen_amount(grade="fail", group_size=3, intake_point="西湖镇", organization_area="城关街道")
    # 1,200 × 0.5 + 2 related cases × 200 + cross-region 200
    assert subsidy.amount_fen == 60000 + 40000 + 20000
    assert [e["code"] for e in subsidy.breakdown["extras"]] == ["related_cases", "cross_region"]


def test_rounded_half_up_to_the_fen_once(session, staff, frozen_amount):
    from supervision.subsidies.rates import add_rate

    add_rate(
        session,
        staff("admin"),
        case_type="civil",
        provider_kind="lawyer",
        effective_from=dt.date(2001, 1, 1),
        amount_fen=10001,
    )
    session.commit()
    assert frozen_amount(grade="fail").amount_fen == 5001  # 5000.5 → half up, not to even
    subsidy = frozen_amount(grade="good", terminated=True)  # 10001 × 1.1 × 0.5 = 5500.55
    assert subsidy.amount_fen == 5501
    assert subsidy.breakdown["exact_fen"].startswith("5500.55")


def test_rate_change_between_two_cases(session, staff, frozen_amount):
    """A new rate applies by assignment date; a subsidy frozen before it keeps its amount."""
    from supervision.subsidies.rates import add_rate

    change = clock.today() - dt.timedelta(days=10)
    before = frozen_amount(grade="pass", assigned_on=change - dt.timedelta(days=1))
    add_rate(
        session,
        staff("admin"),
        case_type="civil",
        provider_kind="lawyer",
        effective_from=change,
        amount_fen=150000,
    )
    session.commit()
    old_case_late_archive = frozen_amount(grade="pass", assigned_on=change - dt.timedelta(days=3))
    after = frozen_amount(grade="pass", assigned_on=change)
    assert before.amount_fen == 120000
    assert old_case_late_archive.amount_fen == 120000
    assert after.amount_fen == 150000
    session.refresh(before)
    assert before.amount_fen == 120000


def test_only_admin_adds_rates_and_dates_are_unique(session, staff):
    from supervision.subsidies.rates import add_rate

    row = {
        "case_type": "civil",
        "provider_kind": "lawyer",
        "effective_from": dt.date(2030, 1, 1),
        "amount_fen": 1,
    }
    with pytest.raises(Forbidden):
        add_rate(session, staff("finance"), **row)
    admin = staff("admin")
    add_rate(session, admin, **row)
    with pytest.raises(Invalid):
        add_rate(session, admin, **row)
    with pytest.raises(Invalid):
        add_rate(session, admin, **{**row, "case_type": "criminal", "effective_from": dt.date(2031, 1, 1)})
