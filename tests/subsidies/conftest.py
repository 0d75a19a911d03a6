"""Fixtures of archiving and subsidies: cases ready to archive, with the facts closing, scoring and
scheduling would give, and the staff who act on them.

``write_facts`` records what supervision.scoring and supervision.scheduling would (closing materials,
score, the after-closing call, red flags) as real rows, read by the real prerequisite readers: a test
states only the fact it is about, and a broken reader fails it.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import sqlalchemy as sa

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


FACT_DEFAULTS = {
    "closed": True,
    "grade": "good",
    "terminated": False,
    "materials_missing": [],
    "call_settled": True,
    "score_final": True,
    "score_settled": True,
    "red_flags": 0,
    "took_money": False,
}


def write_facts(session, case_id: int, **given) -> None:
    """Write what closing, scoring and scheduling would record for a closed case, as real rows that the
    real prerequisite readers (supervision.subsidies.prerequisites) read: the closing report and the
    materials handed in (all required ones but ``materials_missing``), the score file (final or open;
    settled by the provider's acceptance, or inside its appeal window), the after-closing call (done or
    planned), ``red_flags`` open took-money flags, and a confirmed one when ``took_money``."""
    from decimal import Decimal

    from assignment.models import Case, Provider
    from supervision.scheduling.models import FollowUpCall, RedFlag
    from supervision.scoring.closing import required_documents
    from supervision.scoring.models import CaseClosing, ClosingDocument, ScoreFile
    from supervision.subsidies.models import Subsidy

    f = {**FACT_DEFAULTS, **given}
    case = session.get(Case, case_id)
    provider_id = session.scalar(sa.select(Subsidy.provider_id).where(Subsidy.case_id == case_id).limit(1))
    provider = session.get(Provider, provider_id)
    today, now = clock.today(), clock.now()
    if f["closed"]:
        session.add(
            CaseClosing(
                case_id=case_id,
                provider_id=provider_id,
                ended_on=today,
                outcome="judgment",
                terminated=f["terminated"],
                documents_due_on=today + dt.timedelta(days=30),
                documents_complete_on=None if f["materials_missing"] else today,
            )
        )
        session.flush()
        for code in required_documents(case.case_type):
            if code not in f["materials_missing"]:
                session.add(ClosingDocument(case_id=case_id, code=code, handed_in_on=today))
        final = f["score_final"]
        session.add(
            ScoreFile(
                case_id=case_id,
                case_type=case.case_type,
                provider_id=provider_id,
                organization_id=provider.organization_id,
                ended_on=today,
                sample_draw=0.5,
                status="final" if final else "open",
                total=Decimal("86.0") if final else None,
                grade=f["grade"] if final else None,
                finalised_at=now if final else None,
                finalised_on=today if final else None,
                appeal_by=today + dt.timedelta(days=5) if final else None,
                accepted_at=now if final and f["score_settled"] else None,
            )
        )
    session.add(
        FollowUpCall(
            key=f"test-after-closing-{case_id}",
            case_id=case_id,
            provider_id=provider_id,
            purpose="after_closing",
            due_on=today,
            status="done" if f["call_settled"] else "planned",
            done_at=now if f["call_settled"] else None,
        )
    )
    flags = [("open", None)] * f["red_flags"] + ([("confirmed", now)] if f["took_money"] else [])
    for status, resolved_at in flags:
        session.add(RedFlag(case_id=case_id, provider_id=provider_id, status=status, resolved_at=resolved_at))
    session.commit()


@pytest.fixture
def facts(session):
    """Kept for the test modules that import it by name: no fake any more. ``facts.set(case_id, **kw)``
    writes the facts (``write_facts``) of a closed case made without them."""

    class Facts:
        def set(self, case_id, **given):
            write_facts(session, case_id, **given)

    return Facts()


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
def make_case(app, session, make_provider_here, make_case_at):
    """make_case(case_type="civil", status="closed", kind="lawyer", assigned_on=None, **facts) ->
    the case id; the provider accepted the assignment (so the subsidy is pending) and, unless
    ``status`` says otherwise, the case is closed with the given facts (``write_facts``: real rows of
    closing, scoring and scheduling, read by the real prerequisite readers; no fake). Built by
    tests/conftest.py's ``make_case_at``."""
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
        if provider_id is None:
            provider_id = make_provider_here(kind=kind, area=organization_area)
        at = (
            clock.now()
            if assigned_on is None
            else dt.datetime.combine(assigned_on, dt.time(4), tzinfo=dt.UTC)
        )
        intake = {
            "cause": "wage_arrears" if case_type != "criminal" else "theft",
            "stage": stage,
            "max_sentence": max_sentence,
            "group_size": group_size,
            "intake_point": intake_point,
        }
        # Accepted quietly with only the subsidies' receiver of assignment_accepted (its wiring has its
        # own test; here the other capabilities' receivers stay out of this capability's tests).
        case = make_case_at(
            session,
            "in_progress",
            case_type=case_type,
            provider_id=provider_id,
            intake=intake,
            assigned_at=at,
            respond_by=at + dt.timedelta(days=2),
            announce=False,
            receivers=(receive_accepted,),
        )
        case.status = status
        session.commit()
        if status == "closed":
            write_facts(session, case.id, **case_facts)
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
