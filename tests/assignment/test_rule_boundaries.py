"""Rules at their edges (issue 12): each experience limit on the day of the anniversary and the day
before, and ties in the rotation going to the lowest provider id. A rule moved by one (2 → 3 years,
``<`` → ``<=``, ties to the highest id) fails here."""

from __future__ import annotations

import datetime as dt

import pytest

from assignment.models import Provider
from assignment.rotation import assign_by_rotation, provider_ineligibility
from legalaid import clock


def _years_ago(years: int, days_later: int = 0) -> dt.date:
    today = clock.today()
    try:
        anniversary = today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year without one: the anniversary falls on 1 March
        anniversary = today.replace(year=today.year - years, month=3, day=1)
    return anniversary + dt.timedelta(days=days_later)


@pytest.mark.parametrize(
    "case_fields, years, eligible_on_the_day",
    [
        ({"case_type": "criminal", "max_sentence": "life"}, 3, True),
        ({"case_type": "criminal", "max_sentence": "death"}, 3, True),
        ({"case_type": "criminal", "juvenile": True}, 2, True),
    ],
)
def test_experience_counts_from_the_anniversary(
    session, make_case, provider_in, case_fields, years, eligible_on_the_day
):
    case = make_case(**case_fields)
    on_the_day = session.get(Provider, provider_in("lawyer", practice_since=_years_ago(years)))
    a_day_short = session.get(Provider, provider_in("lawyer", practice_since=_years_ago(years, 1)))
    a_year_short = session.get(Provider, provider_in("lawyer", practice_since=_years_ago(years - 1)))
    today = clock.today()
    assert provider_ineligibility(session, on_the_day, case, today) is None
    assert provider_ineligibility(session, a_day_short, case, today) is not None
    assert provider_ineligibility(session, a_year_short, case, today) is not None


def test_juvenile_cases_do_not_need_the_life_or_death_experience(session, make_case, provider_in):
    case = make_case(case_type="criminal", juvenile=True)
    two_years = session.get(Provider, provider_in("lawyer", practice_since=_years_ago(2)))
    assert provider_ineligibility(session, two_years, case, clock.today()) is None


def test_ties_go_to_the_lowest_provider_id(session, make_pool, make_case, lawyers, coordinator):
    # Four members equally owed (the same offset: a tie on the ordering key, whatever their joining
    # order): the lowest id goes first, then the next, in id order.
    import sqlalchemy as sa

    from assignment.models import PoolMember

    ids = lawyers(4)
    pool = make_pool(list(reversed(ids)))
    session.execute(sa.update(PoolMember).where(PoolMember.pool_id == pool.id).values(offset=0.0))
    session.commit()
    first = assign_by_rotation(session, make_case(), coordinator).provider_id
    session.commit()
    assert first == min(ids)


def test_joining_order_is_the_rotation_order(session, make_pool, make_case, lawyers, coordinator):
    ids = lawyers(4)
    make_pool(list(reversed(ids)))
    picked = [assign_by_rotation(session, make_case(), coordinator).provider_id for _ in range(4)]
    session.commit()
    assert picked == list(reversed(ids))
