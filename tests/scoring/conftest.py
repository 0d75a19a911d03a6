"""Fixtures of closing and scoring: users, a case in progress with its accepted assignment, a closed
case, full-mark items. Everything is made in the test's own session (on SQLite a second connection
would wait for the write lock that session holds)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
import sqlalchemy as sa

from legalaid import clock

_seq = itertools.count(1)


@pytest.fixture
def checklists_seeded(session):
    """The first checklist versions: from the migration on SQLite; PostgreSQL tests empty every
    table, so they are seeded again."""
    from supervision.scoring.checklists import seed_default_checklists

    seed_default_checklists(session)
    session.commit()


@pytest.fixture
def make_org_provider(session):
    """make_org_provider(organization_id=None) -> Provider (a lawyer, in a new firm unless given)."""
    from assignment.models import Organization, Provider

    def make(organization_id=None, kind="lawyer"):
        if organization_id is None:
            org = Organization(name=f"Firm {next(_seq)}", kind="law_firm")
            session.add(org)
            session.flush()
            organization_id = org.id
        provider = Provider(
            name=f"Lawyer {next(_seq)}",
            kind=kind,
            organization_id=organization_id,
            practice_since=dt.date(2010, 1, 1),
            max_open_cases=50,
        )
        session.add(provider)
        session.commit()
        return provider

    return make


@pytest.fixture
def coordinator(make_person):
    return make_person("coordinator")


@pytest.fixture
def make_case_in_progress(session, make_org_provider, coordinator, checklists_seeded, make_case_at):
    """make_case_in_progress(case_type="civil", provider=None, assigned_by=coordinator,
    assigned_on=today-60) -> Case with an accepted, live assignment (tests/conftest.py's
    ``make_case_at``, accepted quietly: the other capabilities' receivers stay out of these tests)."""

    def make(case_type="civil", provider=None, assigned_by=None, assigned_on=None, received_on=None):
        provider = provider or make_org_provider()
        assigned_on = assigned_on or clock.today() - dt.timedelta(days=60)
        received_on = received_on or assigned_on - dt.timedelta(days=3)
        at = dt.datetime.combine(assigned_on, dt.time(2, 0), tzinfo=dt.UTC)
        case = make_case_at(
            session,
            "in_progress",
            case_type=case_type,
            provider_id=provider.id,
            actor=coordinator,
            intake={"received_on": received_on},
            decided_on=received_on,
            assigned_by=(assigned_by or coordinator).id,
            assigned_at=at,
            respond_by=at + dt.timedelta(days=2),
            announce=False,
        )
        session.commit()
        return case

    return make


@pytest.fixture
def provider_user(session, make_person):
    """provider_user(provider) -> the provider's login (User)."""

    def make(provider_or_id):
        pid = provider_or_id if isinstance(provider_or_id, int) else provider_or_id.id
        return make_person("provider", provider_id=pid)

    return make


@pytest.fixture
def make_closed_case(session, make_case_in_progress, provider_user):
    """make_closed_case(case_type="civil", in_sample=False, ended_on=today-5, documents="required",
    retainer_signed_on=None, **case_fields) -> (case, provider login). ``in_sample`` overrides the
    seeded draw so a test states whether the file is double-marked."""
    from assignment.models import Assignment
    from supervision.scoring.closing import close_case, required_documents
    from supervision.scoring.models import ScoreFile

    def make(
        case_type="civil",
        in_sample=False,
        ended_on=None,
        documents="required",
        retainer_signed_on=None,
        today=None,
        **case_fields,
    ):
        case = make_case_in_progress(case_type=case_type, **case_fields)
        provider_id = session.scalar(sa.select(Assignment.provider_id).where(Assignment.case_id == case.id))
        login = provider_user(provider_id)
        docs = required_documents(case_type) if documents == "required" else list(documents)
        close_case(
            session,
            case,
            login,
            ended_on=ended_on or clock.today() - dt.timedelta(days=5),
            outcome="judgment",
            documents=docs,
            retainer_signed_on=retainer_signed_on,
            today=today,
        )
        if in_sample is not None:
            session.get(ScoreFile, case.id).in_sample = in_sample
        session.commit()
        return case, login

    return make


@pytest.fixture
def supervisor(make_person):
    return make_person("supervisor")


def full_marks(checklist, **overrides) -> list[dict]:
    """Every item at its maximum; ``overrides`` give {code: points or "na"} (a note is added)."""
    items = []
    for item in checklist.items:
        value = overrides.get(item.code, item.max_points)
        if value == "na":
            items.append({"code": item.code, "na": True})
        elif Decimal(str(value)) != item.max_points:
            items.append(
                {"code": item.code, "points": Decimal(str(value)), "note": f"deduction on {item.code}"}
            )
        else:
            items.append({"code": item.code, "points": item.max_points})
    return items


def points_for_total(checklist, total) -> list[dict]:
    """Items whose points add up to ``total`` (no N/A), deducting from the largest items first."""
    deduct = Decimal(100) - Decimal(str(total))
    overrides = {}
    for item in sorted(checklist.items, key=lambda i: -i.max_points):
        if deduct <= 0:
            break
        take = min(deduct, item.max_points)
        overrides[item.code] = item.max_points - take
        deduct -= take
    return full_marks(checklist, **overrides)
