"""Fixtures of archiving and subsidies: cases ready to archive, with the facts closing, scoring and
scheduling would give, and the staff who act on them.

``facts`` stands in for the answers of supervision.scoring and supervision.scheduling (closing
materials, score, the after-closing call, red flags): a test states only the fact it is about.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from legalaid import clock

PASSWORD = "Test-passw0rd"

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def default_rates(app):
    """The migration seeds the default rate table; on PostgreSQL the tests truncate it, so put it back."""
    import sqlalchemy as sa

    from legalaid.db import db
    from supervision.subsidies.models import SubsidyRate
    from supervision.subsidies.rates import DEFAULT_RATES_FROM, DEFAULT_RATES_YUAN

    with app.app_context():
        if not db.session.scalar(sa.select(sa.func.count()).select_from(SubsidyRate)):
            for (case_type, stage), yuan in DEFAULT_RATES_YUAN.items():
                for kind in ("lawyer", "legal_adviser"):
                    db.session.add(
                        SubsidyRate(
                            case_type=case_type,
                            stage=stage,
                            provider_kind=kind,
                            effective_from=DEFAULT_RATES_FROM,
                            amount_fen=yuan * 100,
                        )
                    )
        db.session.commit()
        db.session.remove()


@pytest.fixture
def facts(monkeypatch):
    """facts.set(case_id, grade="good", terminated=False, materials_missing=(), call_settled=True,
    score_final=True, score_settled=True, red_flags=0, took_money=False)."""
    from supervision.subsidies import prerequisites as pre

    class Facts:
        by_case: dict[int, dict] = {}

        def set(self, case_id, **kw):
            current = self.by_case.setdefault(
                case_id,
                {
                    "closed": True,
                    "grade": "good",
                    "terminated": False,
                    "materials_missing": [],
                    "call_settled": True,
                    "score_final": True,
                    "score_settled": True,
                    "red_flags": 0,
                    "took_money": False,
                },
            )
            current.update(kw)

    f = Facts()
    f.by_case = {}

    def closing_facts(session, case_id):
        c = f.by_case.get(case_id)
        if not c or not c["closed"]:
            return None
        return pre.ClosingFacts(clock.today(), c["terminated"], list(c["materials_missing"]))

    def score_facts(session, case_id, today=None):
        c = f.by_case.get(case_id)
        if not c or not c["score_final"]:
            return None
        return pre.ScoreFacts(
            final=True,
            settled=c["score_settled"],
            grade=c["grade"],
            took_money_confirmed=c["took_money"],
            appeal_until=None if c["score_settled"] else clock.today() + dt.timedelta(days=5),
        )

    monkeypatch.setattr(pre, "closing_facts", closing_facts)
    monkeypatch.setattr(pre, "score_facts", score_facts)
    monkeypatch.setattr(
        pre, "after_closing_call_settled", lambda s, cid: f.by_case.get(cid, {}).get("call_settled", False)
    )
    monkeypatch.setattr(
        pre, "open_red_flags", lambda s, cid: ["flag"] * f.by_case.get(cid, {}).get("red_flags", 0)
    )
    return f


@pytest.fixture
def staff(make_person):
    """staff(*roles, ...) is make_person (tests/conftest.py)."""
    return make_person


@pytest.fixture
def make_provider_here(session):
    """make_provider_here(kind="lawyer", area=None) -> provider id, with a bank account."""
    from assignment.models import Organization, Provider

    def make(kind="lawyer", area=None, name=None):
        n = next(_seq)
        org = Organization(
            name=f"Firm {n}", kind="law_firm" if kind == "lawyer" else "legal_service_office", area=area
        )
        provider = Provider(
            name=name or f"Provider {n}",
            kind=kind,
            organization=org,
            practice_since=dt.date(2010, 1, 1),
            bank_account_stored=f"62220202001122{n:05d}",
            bank_name="ICBC",
        )
        session.add(provider)
        session.commit()
        return provider.id

    return make


@pytest.fixture
def make_case(app, session, make_provider_here, facts):
    """make_case(case_type="civil", status="closed", kind="lawyer", assigned_on=None, **facts) ->
    the case id; the provider accepted the assignment (so the subsidy is pending) and, unless
    ``status`` says otherwise, the case is closed with the given facts."""
    from assignment.models import Assignment, Case
    from supervision.subsidies import _on_assignment_accepted as receive_accepted

    def make(
        case_type="civil",
        status="closed",
        kind="lawyer",
        provider_id=None,
        assigned_on=None,
        stage=None,
        max_sentence=None,
        group_size=1,
        intake_point=None,
        organization_area=None,
        **case_facts,
    ):
        n = next(_seq)
        if provider_id is None:
            provider_id = make_provider_here(kind=kind, area=organization_area)
        today = clock.today()
        case = Case(
            number=f"T-{today.year}-{n:05d}",
            year=today.year,
            seq=n,
            case_type=case_type,
            cause="wage_arrears" if case_type != "criminal" else "theft",
            status="in_progress",
            received_on=today,
            applicant_name=f"Applicant {n}",
            applicant_id_number=f"1101011990030{n:05d}",
            stage=stage if case_type == "criminal" else None,
            max_sentence=max_sentence,
            group_size=group_size,
            intake_point=intake_point,
        )
        session.add(case)
        session.flush()
        at = (
            clock.now()
            if assigned_on is None
            else dt.datetime.combine(assigned_on, dt.time(4), tzinfo=dt.UTC)
        )
        assignment = Assignment(
            case_id=case.id,
            provider_id=provider_id,
            mode="rotation",
            status="accepted",
            live=True,
            assigned_at=at,
            accepted_at=at,
            respond_by=at + dt.timedelta(days=2),
            explanation={},
        )
        session.add(assignment)
        session.flush()
        # What assignment.signals.assignment_accepted does for subsidies (its wiring has its own test;
        # here the other capabilities' receivers stay out of this capability's tests).
        receive_accepted(session, assignment=assignment, actor=None)
        case.status = status
        session.commit()
        if status == "closed":
            facts.set(case.id, **case_facts)
        return case.id

    return make


@pytest.fixture
def subsidy_of(session):
    """subsidy_of(case_id) -> the case's live subsidy, fresh from the database."""
    import sqlalchemy as sa

    from supervision.subsidies.models import Subsidy

    def get(case_id):
        session.expire_all()
        return session.scalars(
            sa.select(Subsidy)
            .where(Subsidy.case_id == case_id, Subsidy.reversal_of_id.is_(None))
            .order_by(Subsidy.id.desc())
        ).first()

    return get


@pytest.fixture
def payable(make_case, staff, session, subsidy_of):
    """payable(n=1, **case) -> ids of n payable subsidies (cases archived by a supervisor)."""
    from supervision.subsidies.archive import archive_case

    def make(n=1, **case):
        supervisor = staff("supervisor")
        ids = []
        for _ in range(n):
            case_id = make_case(**case)
            archive_case(session, supervisor, case_id)
            session.commit()
            ids.append(subsidy_of(case_id).id)
        return ids

    return make
