"""Fixtures of the duty rota: stations, duty pools with members, a published rota, people."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from legalaid import clock

_seq = itertools.count(1)


@pytest.fixture
def coordinator(session, make_user):
    from legalaid.models import User

    return session.get(User, make_user(roles=("coordinator",)))


@pytest.fixture
def provider_user(session, make_user):
    """provider_user(provider_id) -> a User with the provider role linked to that provider."""
    from legalaid.models import User

    return lambda provider_id: session.get(User, make_user(roles=("provider",), provider_id=provider_id))


@pytest.fixture
def make_station(session):
    from assignment.stations import create_station

    def make(kind="court", area=None, **extra):
        data = {"name": f"Station {next(_seq)}", "kind": kind, "area": area, "address": None, "hours": None}
        station = create_station(session, {**data, **extra}, None)
        session.commit()
        return station

    return make


@pytest.fixture
def make_providers(session):
    """make_providers(n, kind="lawyer") -> n provider ids, in id order."""
    from assignment.panel import create_organization, create_provider

    def make(n, kind="lawyer", **fields):
        org_kind = "law_firm" if kind == "lawyer" else "legal_service_office"
        org = create_organization(session, f"Duty org {next(_seq)}", org_kind, None)
        ids = []
        for _ in range(n):
            data = {
                "name": f"Duty provider {next(_seq)}",
                "kind": kind,
                "organization_id": org.id,
                "practice_since": clock.today() - dt.timedelta(days=3000),
                **fields,
            }
            ids.append(create_provider(session, data, None).id)
        session.commit()
        return ids

    return make


@pytest.fixture
def make_duty_pool(session):
    """make_duty_pool(station, members=[id or (id, weight)], kinds=("lawyer",)) -> RotationPool."""
    from assignment.duty.pools import create_duty_pool
    from assignment.models import Provider
    from assignment.pools import set_pool_member

    def make(station, members=(), kinds=("lawyer",), station_bound=True):
        pool = create_duty_pool(
            session, None, f"Duty pool {next(_seq)}", kinds, station_id=station.id if station_bound else None
        )
        for member in members:
            pid, weight = member if isinstance(member, tuple) else (member, None)
            set_pool_member(session, pool, session.get(Provider, pid), None, weight=weight)
        session.commit()
        return pool

    return make


@pytest.fixture
def next_month() -> str:
    """The month after the centre's today, "YYYY-MM"."""
    today = clock.today()
    return (today.replace(day=28) + dt.timedelta(days=4)).strftime("%Y-%m")


@pytest.fixture
def weekdays():
    """weekdays(month, parts=("am", "pm")) -> [(date, part)] for every Monday..Friday of the month."""

    def make(month: str, parts=("am", "pm")) -> list[tuple[dt.date, str]]:
        first = dt.date.fromisoformat(f"{month}-01")
        out, day = [], first
        while day.month == first.month:
            if day.weekday() < 5:
                out.extend((day, p) for p in parts)
            day += dt.timedelta(days=1)
        return out

    return make
