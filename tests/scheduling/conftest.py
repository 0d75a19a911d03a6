"""Fixtures of supervision scheduling: people, providers, cases with an accepted assignment, hearings.
Everything is made in the test's own session (on SQLite a second connection would wait for the write
lock that session holds)."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from legalaid import clock

_seq = itertools.count(1)
TZ = ZoneInfo("Asia/Shanghai")


def local(y, m, d, hour=9, minute=0) -> dt.datetime:
    """A time in the centre's time zone."""
    return dt.datetime(y, m, d, hour, minute, tzinfo=TZ)


def future(days: int, hour: int = 9) -> dt.datetime:
    day = clock.today() + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@pytest.fixture
def make_lawyer(session):
    """make_lawyer(prior_legal_aid_cases=3) -> Provider. Imported providers are not "first"."""
    from assignment.models import Organization, Provider

    def make(prior_legal_aid_cases=3, active=True):
        org = Organization(name=f"Firm {next(_seq)}", kind="law_firm")
        session.add(org)
        session.flush()
        provider = Provider(
            name=f"Lawyer {next(_seq)}",
            kind="lawyer",
            organization_id=org.id,
            practice_since=dt.date(2010, 1, 1),
            max_open_cases=100,
            prior_legal_aid_cases=prior_legal_aid_cases,
            active=active,
        )
        session.add(provider)
        session.commit()
        return provider

    return make


@pytest.fixture
def coordinator(make_person):
    return make_person("coordinator")


@pytest.fixture
def make_case(session, make_lawyer, coordinator, make_case_at):
    """make_case(provider=None, assigned_by=coordinator, accept=True, **case fields) -> Case in progress
    with an assignment accepted through assignment's own accept_assignment (which sends the signal);
    tests/conftest.py's ``make_case_at``. Received 20 days ago, decided 15 days ago."""

    def make(provider=None, assigned_by=None, accept=True, accepted_at=None, **fields):
        provider = provider or make_lawyer()
        case_type = fields.pop("case_type", "civil")
        intake = {
            "cause": fields.pop("cause", "wage_arrears"),
            "received_on": fields.pop("received_on", clock.today() - dt.timedelta(days=20)),
        }
        case = make_case_at(
            session,
            "in_progress" if accept else "assigned",
            case_type=case_type,
            provider_id=provider.id,
            actor=coordinator,
            intake=intake,
            columns={"applicant_phone": "13800000000", **fields},
            decided_on=clock.today() - dt.timedelta(days=15),
            assigned_by=(assigned_by or coordinator).id,
            accepted_at=accepted_at,
        )
        session.commit()
        return case

    return make


@pytest.fixture
def supervisors(make_person):
    """supervisors(n) -> n supervisor Users."""
    return lambda n=3: [make_person("supervisor") for _ in range(n)]


@pytest.fixture
def hearing_at(session, coordinator):
    """hearing_at(case, starts_at, ends_at=None) -> Hearing recorded by the coordinator, committed."""
    from supervision.scheduling.hearings import record_hearing

    def make(case, starts_at, ends_at=None, court="People's Court", actor=None):
        hearing = record_hearing(
            session, actor or coordinator, case, starts_at=starts_at, ends_at=ends_at, court=court, room="2"
        )
        session.commit()
        return hearing

    return make


@pytest.fixture
def sample_rate(app):
    """sample_rate(r): the share of hearings the random sample observes."""

    def set_rate(rate):
        app.config.setdefault("SCHEDULING", {})["observation_sample_rate"] = rate

    return set_rate
