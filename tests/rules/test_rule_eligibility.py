"""Who may take a case (DESIGN.md §4), each reason at its edge (issue 12): the open-case cap, the first
and last day of a leave, a declared conflict however the name is spaced or cased, the opposing party's
organisation, a case the provider already had, criminal defence by a lawyer, and years of practice
counted from the anniversary (a 29 February start too). Experience limits either side of 2 and 3 years
are in tests/assignment/test_rule_boundaries.py."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from assignment.models import Assignment, Organization, Provider, ProviderConflict, ProviderLeave
from assignment.rotation import provider_ineligibility
from assignment.rotation.who_may_take import eligibility, years_of_practice
from legalaid import clock

_seq = itertools.count(1)


@pytest.fixture
def provider(session):
    """provider(kind="lawyer", since=10 years ago, **fields) -> Provider, flushed in the test's session."""

    def make(kind="lawyer", since=None, organization=None, **fields):
        provider = Provider(
            name=f"Eligible {next(_seq)}",
            kind=kind,
            organization=organization or Organization(name=f"Org {next(_seq)}", kind="law_firm"),
            practice_since=since or dt.date(2010, 1, 1),
            max_open_cases=fields.pop("max_open_cases", 10),
            **fields,
        )
        session.add(provider)
        session.flush()
        return provider

    return make


@pytest.fixture
def case(session, make_case_at):
    """case(case_type="civil", **intake) -> an approved case, flushed."""

    def make(case_type="civil", **intake):
        return make_case_at(session, "accepted", case_type=case_type, intake=intake)

    return make


def _why(session, provider, case, today=None):
    return provider_ineligibility(session, provider, case, today or clock.today())


def test_an_eligible_provider_has_no_reason(session, provider, case):
    assert _why(session, provider(), case()) is None


def test_the_open_case_cap_is_reached_at_the_cap(session, provider, case):
    c = case()
    assert _why(session, provider(open_cases=9, max_open_cases=10), c) is None
    assert _why(session, provider(open_cases=10, max_open_cases=10), c) == "at_cap"
    assert _why(session, provider(open_cases=11, max_open_cases=10), c) == "at_cap"


def test_inactive_comes_before_everything_else(session, provider, case):
    assert _why(session, provider(active=False, kind="legal_adviser"), case("criminal")) == "inactive"


def test_a_leave_counts_on_its_first_and_last_day(session, provider, case):
    today, c = clock.today(), case()
    day = dt.timedelta(days=1)
    spans = {
        (today, today): "on_leave",
        (today - day, today): "on_leave",
        (today, today + day): "on_leave",
        (today - 2 * day, today - day): None,  # ended yesterday
        (today + day, today + 2 * day): None,  # starts tomorrow
    }
    for (starts, ends), expected in spans.items():
        p = provider()
        session.add(ProviderLeave(provider_id=p.id, starts_on=starts, ends_on=ends))
        session.flush()
        assert _why(session, p, c) == expected, (starts, ends)


def test_a_declared_conflict_matches_the_party_however_it_is_spaced(session, provider, case):
    c = case(
        applicant={"name": "Zhang  San", "id_number": "110101199003077571"},
        opposing_party="Acme Trading Co",
    )
    names = {"  zhang san ": "conflict", "ACME  trading co": "conflict", "Li Si": None, "Zhang": None}
    for name, expected in names.items():
        p = provider()
        session.add(ProviderConflict(provider_id=p.id, party_name=name))
        session.flush()
        assert _why(session, p, c) == expected, name


def test_criminal_defence_needs_a_lawyer(session, provider, case):
    assert _why(session, provider(kind="legal_adviser"), case("criminal")) == "criminal_needs_lawyer"
    assert _why(session, provider(kind="legal_adviser"), case("civil")) is None
    assert _why(session, provider(kind="lawyer"), case("criminal")) is None


def test_a_provider_who_had_the_case_does_not_get_it_again(session, provider, case):
    c, p, other = case(), provider(), provider()
    session.add(
        Assignment(
            case_id=c.id,
            provider_id=p.id,
            mode="rotation",
            status="declined",
            live=False,
            assigned_at=clock.now(),
            respond_by=clock.now(),
            explanation={},
        )
    )
    session.flush()
    assert _why(session, p, c) == "had_this_case"
    assert _why(session, other, c) is None


def test_the_opposing_partys_organisation_is_passed_over(session, provider, case):
    firm = Organization(name="Opposing Firm", kind="law_firm")
    theirs, colleague, stranger = provider(organization=firm), provider(organization=firm), provider()
    opposing = case()
    session.add(
        Assignment(
            case_id=opposing.id,
            provider_id=theirs.id,
            mode="rotation",
            status="accepted",
            live=True,
            assigned_at=clock.now(),
            respond_by=clock.now(),
            explanation={},
        )
    )
    session.flush()
    ours = case(opposing_case_id=opposing.id)
    assert _why(session, colleague, ours) == "opposing_organization"
    assert _why(session, stranger, ours) is None
    # Linked the other way round: the other party's case names ours.
    mine = case()
    opposing.opposing_case_id = mine.id
    session.flush()
    assert _why(session, colleague, mine) == "opposing_organization"


def test_a_conflict_is_judged_after_experience(session, provider, case):
    p = provider(since=clock.today() - dt.timedelta(days=200))
    c = case(
        "criminal", max_sentence="life", applicant={"name": "Wang Wu", "id_number": "110101199003077571"}
    )
    session.add(ProviderConflict(provider_id=p.id, party_name="Wang Wu"))
    session.flush()
    assert _why(session, p, c) == "experience_life_death"


@pytest.mark.parametrize(
    "since, on, years",
    [
        (dt.date(2020, 5, 10), dt.date(2023, 5, 10), 3),
        (dt.date(2020, 5, 10), dt.date(2023, 5, 9), 2),
        (dt.date(2020, 5, 10), dt.date(2023, 4, 30), 2),  # an earlier month, a later day
        (dt.date(2020, 5, 10), dt.date(2023, 6, 1), 3),  # a later month, an earlier day
        (dt.date(2020, 2, 29), dt.date(2023, 2, 28), 2),
        (dt.date(2020, 2, 29), dt.date(2023, 3, 1), 3),
        (dt.date(2020, 5, 10), dt.date(2020, 5, 10), 0),
    ],
)
def test_years_of_practice_count_from_the_anniversary(since, on, years):
    assert years_of_practice(Provider(practice_since=since), on) == years


def test_the_experience_limits_are_the_centres(app, session, provider, case):
    assert (eligibility("life_death_years"), eligibility("juvenile_years"), eligibility("window_size")) == (
        3,
        2,
        5,
    )
    two_and_a_half = provider(since=clock.today() - dt.timedelta(days=int(365.25 * 2.5)))
    juvenile = case("criminal", juvenile=True)
    assert _why(session, two_and_a_half, juvenile) is None
    app.config["ELIGIBILITY"] = {"juvenile_years": 3}
    assert eligibility("juvenile_years") == 3 and eligibility("life_death_years") == 3
    assert _why(session, two_and_a_half, juvenile) == "experience_juvenile"
