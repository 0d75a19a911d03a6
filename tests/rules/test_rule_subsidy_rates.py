"""The dated rate table (DESIGN.md §4 "Subsidy amounts", issue 12): which rate is in force on a day, what
a new rate must give, and that a rate some subsidy was computed with stays as it is (corrections and
withdrawals only of rates nobody used). Service level, through ``supervision.subsidies.rates``."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from assignment.models import Organization, Provider
from legalaid import rules as rules_config
from legalaid.errors import Forbidden, Invalid, NotAllowed, NotFound
from supervision.subsidies import rates
from supervision.subsidies.models import Subsidy, SubsidyRate

FROM = dt.date(2031, 3, 1)


@pytest.fixture
def admin(make_person):
    return make_person("admin")


def _add(session, admin, **fields):
    row = {"case_type": "civil", "provider_kind": "lawyer", "effective_from": FROM, "amount_fen": 150000}
    return rates.add_rate(session, admin, **{**row, **fields})


def test_the_rate_in_force_is_the_latest_that_started_on_or_before_the_day(session, admin):
    later = _add(session, admin, effective_from=FROM + dt.timedelta(days=30), amount_fen=170000)
    first = _add(session, admin)
    on = rates.rate_in_force
    assert on(session, "civil", "", "lawyer", FROM - dt.timedelta(days=1)).amount_fen == 120000  # seeded
    assert on(session, "civil", "", "lawyer", FROM).id == first.id
    assert on(session, "civil", "", "lawyer", later.effective_from - dt.timedelta(days=1)).id == first.id
    assert on(session, "civil", "", "lawyer", later.effective_from).id == later.id
    assert on(session, "civil", "", "legal_adviser", later.effective_from).id != later.id
    with pytest.raises(NotAllowed):
        on(session, "civil", "", "lawyer", dt.date(1999, 12, 31))  # before the seeded table


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"case_type": "maritime"}, "case_type"),
        ({"provider_kind": "notary"}, "provider_kind"),
        ({"case_type": "criminal"}, "stage"),  # a criminal rate needs its stage
        ({"stage": "trial"}, "stage"),  # other case types have none
        ({"case_type": "criminal", "stage": "appeal"}, "stage"),
        ({"amount_fen": -1}, "amount_fen"),
        ({"amount_fen": 1.5}, "amount_fen"),
        ({"amount_fen": "100"}, "amount_fen"),
    ],
)
def test_a_new_rate_is_checked_field_by_field(session, admin, fields, field):
    with pytest.raises(Invalid) as refused:
        _add(session, admin, **fields)
    assert set(refused.value.fields) == {field}


def test_a_new_rate_may_be_nothing_and_is_added_from_its_date(session, admin, make_person):
    with pytest.raises(Forbidden):
        _add(session, make_person("finance"))
    rate = _add(session, admin, amount_fen=0, note="pro bono year")
    criminal = _add(session, admin, case_type="criminal", stage="trial", provider_kind="legal_adviser")
    assert (rate.amount_fen, rate.stage, rate.note, rate.effective_from) == (0, "", "pro bono year", FROM)
    assert (criminal.stage, criminal.provider_kind) == ("trial", "legal_adviser")
    assert rate.created_by == admin.id
    with pytest.raises(Invalid) as taken:
        _add(session, admin, amount_fen=1)
    assert set(taken.value.fields) == {"effective_from"}
    # the same day for other cases is free: another kind, case type or stage
    _add(session, admin, provider_kind="legal_adviser")
    _add(session, admin, case_type="administrative")
    _add(session, admin, case_type="criminal", stage="prosecution")


def _use(session, make_case_at, rate):
    """A subsidy computed with ``rate`` (its breakdown names the rate), not yet payable."""
    case = make_case_at(session, "accepted")
    provider = Provider(
        name="Paid",
        kind="lawyer",
        organization=Organization(name="Paid firm", kind="law_firm"),
        practice_since=dt.date(2010, 1, 1),
    )
    session.add(provider)
    session.flush()
    session.add(Subsidy(case_id=case.id, provider_id=provider.id, breakdown={"rate_id": rate.id}))
    session.flush()


def test_a_rate_nobody_used_is_corrected_or_withdrawn(session, admin):
    rate, other = _add(session, admin), _add(session, admin, effective_from=FROM + dt.timedelta(days=9))
    assert (
        rates.rates_in_use(session, [rate.id, other.id]) == set() and rates.rates_in_use(session, []) == set()
    )
    moved = FROM + dt.timedelta(days=1)
    rates.correct_rate(session, admin, rate.id, effective_from=FROM, amount_fen=140000)  # its own date
    rates.correct_rate(session, admin, rate.id, effective_from=moved, amount_fen=0, note="typo")
    assert (rate.effective_from, rate.amount_fen, rate.note) == (moved, 0, "typo")
    with pytest.raises(Invalid) as taken:
        rates.correct_rate(session, admin, rate.id, effective_from=other.effective_from, amount_fen=1)
    assert set(taken.value.fields) == {"effective_from"}
    for bad in (-1, 2.5):
        with pytest.raises(Invalid) as refused:
            rates.correct_rate(session, admin, rate.id, effective_from=moved, amount_fen=bad)
        assert set(refused.value.fields) == {"amount_fen"}
    rates.withdraw_rate(session, admin, rate.id, "entered twice")
    assert session.get(SubsidyRate, rate.id) is None
    with pytest.raises(NotFound):
        rates.withdraw_rate(session, admin, rate.id)
    with pytest.raises(NotFound):
        rates.correct_rate(session, admin, rate.id, effective_from=moved, amount_fen=1)


def test_a_rate_a_subsidy_was_computed_with_stays_as_it_is(session, admin, make_person, make_case_at):
    used, unused = _add(session, admin), _add(session, admin, provider_kind="legal_adviser")
    _use(session, make_case_at, used)
    assert rates.rates_in_use(session, [used.id, unused.id, used.id]) == {used.id}
    for change in (
        lambda: rates.correct_rate(session, admin, used.id, effective_from=FROM, amount_fen=1),
        lambda: rates.withdraw_rate(session, admin, used.id),
    ):
        with pytest.raises(NotAllowed) as kept:
            change()
        assert kept.value.code == "rate_in_use"
    with pytest.raises(Forbidden):
        rates.withdraw_rate(session, make_person("finance"), unused.id)
    assert (used.amount_fen, session.get(SubsidyRate, unused.id)) == (150000, unused)


def test_the_rate_table_is_in_case_type_stage_kind_and_date_order(session, admin):
    _add(session, admin, effective_from=FROM + dt.timedelta(days=1))
    _add(session, admin)
    table = [(r.case_type, r.stage, r.provider_kind, r.effective_from) for r in rates.rate_table(session)]
    assert table == sorted(table) and len(table) == len(set(table))
    assert [d for t, _s, k, d in table if (t, k) == ("civil", "lawyer")][-2:] == [
        FROM,
        FROM + dt.timedelta(days=1),
    ]


@pytest.mark.parametrize("payee, problem", [("organization", None), ("provider", None), ("bank", "bank")])
def test_the_payee_is_the_provider_or_the_organisation(app, payee, problem):
    app.config["SUBSIDY_RULES"] = {"payee": payee}
    found = [p for p in rules_config.problems(app) if "payee" in p]
    assert (found[0] if found else None) == (
        None
        if problem is None
        else f"SUBSIDY_RULES.payee must be provider or organization (given {problem!r})"
    )


def test_each_change_of_the_rate_table_is_audited_with_the_rate_before_and_after(session, admin):
    from legalaid.models import AuditEntry

    rate = _add(session, admin, note="first")
    moved = FROM + dt.timedelta(days=1)
    rates.correct_rate(session, admin, rate.id, effective_from=moved, amount_fen=160000, note="typo")
    rates.withdraw_rate(session, admin, rate.id, "entered twice")
    session.commit()
    entries = session.execute(
        sa.select(
            AuditEntry.action, AuditEntry.actor_id, AuditEntry.object_id, AuditEntry.before, AuditEntry.after
        )
        .where(AuditEntry.action.like("subsidy_rate.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.actor_id, e.object_id) for e in entries] == [
        ("subsidy_rate.add", admin.id, rate.id),
        ("subsidy_rate.correct", admin.id, rate.id),
        ("subsidy_rate.withdraw", admin.id, rate.id),
    ]
    first = {"case_type": "civil", "stage": "", "provider_kind": "lawyer", "amount_fen": 150000}
    corrected = {**first, "effective_from": moved.isoformat(), "amount_fen": 160000, "note": "typo"}
    assert entries[0].before is None
    assert entries[0].after == {**first, "effective_from": FROM.isoformat()}
    assert entries[1].before == {**first, "effective_from": FROM.isoformat(), "note": "first"}
    assert entries[1].after == corrected
    assert (entries[2].before, entries[2].after) == (corrected, {"reason": "entered twice"})


def test_a_correction_may_take_a_date_other_cases_rates_start_on(session, admin, make_person):
    day = FROM + dt.timedelta(days=5)
    civil = _add(session, admin)
    trial = _add(session, admin, case_type="criminal", stage="trial")
    for other in (
        {"case_type": "administrative"},  # another case type
        {"provider_kind": "legal_adviser"},  # another kind of provider
        {"case_type": "criminal", "stage": "prosecution"},  # another stage
    ):
        _add(session, admin, effective_from=day, **other)
    with pytest.raises(Forbidden):
        rates.correct_rate(session, make_person("finance"), civil.id, effective_from=day, amount_fen=1)
    for rate in (civil, trial):
        rates.correct_rate(session, admin, rate.id, effective_from=day, amount_fen=1)
        assert (rate.effective_from, rate.amount_fen) == (day, 1)


def test_a_duty_rate_is_per_half_day_or_whole_day(session, admin):
    """Duty rates (issue 14) have their own stages, not the criminal ones."""
    for stage in rates.DUTY_STAGES:
        assert _add(session, admin, case_type="duty", stage=stage).stage == stage
    for stage in ("", "trial"):
        with pytest.raises(Invalid) as refused:
            _add(session, admin, case_type="duty", stage=stage, effective_from=FROM + dt.timedelta(days=1))
        assert set(refused.value.fields) == {"stage"}
