"""Archiving and payment against the real prerequisite readers (issue 12): no fake stands in for
closing, the after-closing call, the score or red flags. A reader that answers "nothing open" (the real
``open_red_flags`` returning ``[]``), or a score counted settled inside its appeal window, lets a case be
archived and its subsidy paid too early; these tests fail then."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.errors import NotAllowed


@pytest.fixture
def closed_case(session, make_case_at, make_provider, make_person):
    """A case closed by its provider through the services, its score file out of the sample, and the
    people who act on it: (case, supervisors (two), the provider's subsidy)."""
    from supervision.scoring.checklists import seed_default_checklists
    from supervision.scoring.models import ScoreFile
    from supervision.subsidies.models import Subsidy

    provider_id = make_provider(bank_account_stored="6222020200112233445", bank_name="ICBC")  # first write
    seed_default_checklists(session)
    coordinator = make_person("coordinator")
    case = make_case_at(
        session,
        "closed",
        provider_id=provider_id,
        actor=coordinator,
        intake={"received_on": clock.today() - dt.timedelta(days=30)},
        decided_on=clock.today() - dt.timedelta(days=29),
        assigned_by=coordinator.id,
        ended_on=clock.today() - dt.timedelta(days=2),
    )
    session.get(ScoreFile, case.id).in_sample = False
    session.commit()
    subsidy = session.scalars(sa.select(Subsidy).where(Subsidy.case_id == case.id)).one()
    return case, (make_person("supervisor"), make_person("supervisor")), subsidy


def _final_score(session, case, scorer):
    """Full marks from one supervisor: the score is final, appealable for the window."""
    from supervision.scoring import files, sheets
    from supervision.scoring.models import ScoreFile

    file = session.get(ScoreFile, case.id)
    checklist = files.pinned_checklist(session, file)
    items = [{"code": item.code, "points": item.max_points} for item in checklist.items]
    note = "the client's word alone; the red flag decides"  # clears a suggested took-money veto
    sheet = sheets.create_score_sheet(session, case.id, scorer, items=items, vetoes=[], veto_note=note)
    file = sheets.submit_score_sheet(session, sheet, scorer)
    session.commit()
    assert file.status == "final"
    return file


def _after_closing_call(session, case):
    from supervision.scheduling.models import FollowUpCall

    return session.scalars(
        sa.select(FollowUpCall).where(
            FollowUpCall.case_id == case.id, FollowUpCall.purpose == "after_closing"
        )
    ).one()


def _missing(session, case):
    from supervision.subsidies.archive import archive_missing

    session.expire_all()
    return " | ".join(str(m) for m in archive_missing(session, case))


def _waiting_for(session, subsidy):
    from supervision.subsidies.subsidies import why_not_payable

    session.expire_all()
    return str(why_not_payable(session, subsidy))


def test_a_score_inside_its_appeal_window_is_not_settled(session, closed_case):
    from supervision.scheduling import calls

    case, (supervisor, _other), subsidy = closed_case
    calls.record_call_attempt(session, supervisor, _after_closing_call(session, case), reached=True)
    file = _final_score(session, case, supervisor)
    appeal_by = file.appeal_by
    assert appeal_by == clock.today() + dt.timedelta(days=10)

    for day in (clock.today(), appeal_by - dt.timedelta(days=1), appeal_by):  # the window's last day too
        clock.travel_to(day)
        assert "no longer appealable" in _missing(session, case), day
        assert "no longer appealable" in _waiting_for(session, subsidy), day
    clock.travel_to(appeal_by + dt.timedelta(days=1))
    assert _missing(session, case) == ""
    assert _waiting_for(session, subsidy) == "Awaiting archiving by the centre"


def test_an_accepted_score_is_settled_inside_the_window(session, closed_case):
    from supervision.scheduling import calls
    from supervision.scoring import appeals
    from supervision.scoring.models import ScoreFile

    case, (supervisor, _other), _subsidy = closed_case
    calls.record_call_attempt(session, supervisor, _after_closing_call(session, case), reached=True)
    _final_score(session, case, supervisor)
    from legalaid.models import User

    login = session.scalars(sa.select(User).where(User.provider_id.is_not(None))).first()
    appeals.accept_score(session, case.id, login)
    session.commit()
    assert session.get(ScoreFile, case.id).accepted_at is not None
    assert _missing(session, case) == ""


def test_an_open_red_flag_holds_archiving_and_payment_until_resolved(session, closed_case):
    from supervision.scheduling import calls
    from supervision.subsidies.archive import archive_case

    case, (supervisor, other), subsidy = closed_case
    call = _after_closing_call(session, case)
    calls.record_call_attempt(
        session, supervisor, call, reached=True, satisfaction="unsatisfied", took_money=True
    )
    session.commit()
    _final_score(session, case, supervisor)
    clock.travel_to(clock.today() + dt.timedelta(days=11))  # the appeal window has passed

    assert "1 open red flag(s) resolved" in _missing(session, case)
    assert "red flag" in _waiting_for(session, subsidy)
    with pytest.raises(NotAllowed) as refused:
        archive_case(session, supervisor, case.id)
    assert "open red flag" in str(refused.value)
    session.rollback()

    (flag,) = calls.red_flags(session, case.id)
    calls.resolve_red_flag(session, other, flag, "dismissed", "a court fee, not the lawyer's")
    session.commit()
    assert _missing(session, case) == ""
    record = archive_case(session, supervisor, case.id)
    session.commit()
    assert record.number
    session.expire_all()
    assert subsidy.status == "payable"
    assert _waiting_for(session, subsidy) == "None"


def test_an_unsettled_after_closing_call_holds_archiving(session, closed_case):
    from supervision.scheduling import calls

    case, (supervisor, _other), _subsidy = closed_case
    _final_score(session, case, supervisor)
    clock.travel_to(clock.today() + dt.timedelta(days=11))
    assert "after-closing follow-up call" in _missing(session, case)
    calls.record_call_attempt(session, supervisor, _after_closing_call(session, case), reached=True)
    session.commit()
    assert _missing(session, case) == ""
