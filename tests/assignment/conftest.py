"""Fixtures of the assignment area: pools with members, cases in any state, a coordinator."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from legalaid import clock

_seq = itertools.count(1)


@pytest.fixture
def coordinator(session, make_user):
    """A coordinator (a User in the test's session), the actor of intake and assignment."""
    from legalaid.models import User

    return session.get(User, make_user(roles=("coordinator",)))


@pytest.fixture
def make_pool(session):
    """make_pool(members=[provider_id, (provider_id, weight), ...], case_types=("civil",),
    provider_kinds=("lawyer", "legal_adviser"), area=None) -> RotationPool."""
    from assignment.panel import get_provider
    from assignment.pools import create_pool, set_pool_member

    def make(
        members=(), case_types=("civil",), provider_kinds=("lawyer", "legal_adviser"), area=None, name=None
    ):
        pool = create_pool(session, name or f"Pool {next(_seq)}", case_types, provider_kinds, None, area=area)
        for member in members:
            pid, weight = member if isinstance(member, tuple) else (member, None)
            set_pool_member(session, pool, get_provider(session, pid), None, weight=weight)
        session.commit()
        return pool

    return make


@pytest.fixture
def make_case(session, coordinator, make_case_at):
    """make_case(status="accepted", case_type="civil", **fields) -> Case, through the intake
    service functions (``applied`` or ``accepted``): tests/conftest.py's ``make_case_at``."""

    def make(status="accepted", case_type="civil", applicant=None, **fields):
        intake = {**fields, **({"applicant": applicant} if applicant else {})}
        stage = "accepted" if status == "accepted" else "applied"
        case = make_case_at(session, stage, case_type=case_type, actor=coordinator, intake=intake)
        session.commit()
        return case

    return make


@pytest.fixture
def provider_in(session):
    """provider_in(kind="lawyer", years=5, organization_id=None, **fields) -> provider id (cap 100), made in
    the test's own session (on SQLite a second connection would wait for its write lock)."""
    from assignment.panel import create_organization, create_provider

    def make(kind="lawyer", years=5, organization_id=None, **fields):
        if organization_id is None:
            org_kind = "law_firm" if kind == "lawyer" else "legal_service_office"
            organization_id = create_organization(session, f"Org {next(_seq)}", org_kind, None).id
        data = {
            "name": f"Provider {next(_seq)}",
            "kind": kind,
            "organization_id": organization_id,
            "practice_since": clock.today() - dt.timedelta(days=int(365.25 * years) + 1),
            "max_open_cases": 100,  # long test histories must not hit the cap unless they mean to
            **fields,
        }
        provider = create_provider(session, data, None)
        session.commit()
        return provider.id

    return make


@pytest.fixture
def lawyers(provider_in):
    """lawyers(n, **fields) -> n new lawyer ids in creation (= id) order."""

    def make(n, **fields):
        return [provider_in("lawyer", **fields) for _ in range(n)]

    return make
