"""An upheld took-money complaint on a case already archived, its subsidy payable: the subsidy ends
exactly where a confirmed took-money red flag puts it (held for the supervisors, out of every payment
batch, its archived amount kept for them to reverse), and the case reads as vetoed like a flagged one.
Through the real services: closing, the after-closing call, the score, archiving, the complaint."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.errors import DomainError


@pytest.fixture
def archived_case(session, make_case_at, make_provider, make_person):
    """archived_case() -> (case, subsidy): a case closed by its provider, called after closing, scored
    (full marks, the appeal window passed) and archived, its subsidy payable."""
    from supervision.scheduling import calls
    from supervision.scheduling.models import FollowUpCall
    from supervision.scoring import files, sheets
    from supervision.scoring.checklists import seed_default_checklists
    from supervision.scoring.models import ScoreFile
    from supervision.subsidies.archive import archive_case
    from supervision.subsidies.models import Subsidy

    seed_default_checklists(session)
    session.commit()
    coordinator = make_person("coordinator")
    supervisor = make_person("supervisor")
    start = clock.today()

    def make():
        clock.travel_to(start)
        session.commit()  # SQLite: the provider is made on another connection
        provider_id = make_provider(bank_account_stored="6222020200112233445", bank_name="ICBC")
        case = make_case_at(
            session,
            "closed",
            provider_id=provider_id,
            actor=coordinator,
            intake={"received_on": start - dt.timedelta(days=30)},
            decided_on=start - dt.timedelta(days=29),
            assigned_by=coordinator.id,
            ended_on=start - dt.timedelta(days=2),
        )
        session.get(ScoreFile, case.id).in_sample = False
        session.commit()
        call = session.scalars(
            sa.select(FollowUpCall).where(
                FollowUpCall.case_id == case.id, FollowUpCall.purpose == "after_closing"
            )
        ).one()
        calls.record_call_attempt(session, supervisor, call, reached=True, satisfaction="satisfied")
        file = session.get(ScoreFile, case.id)
        items = [
            {"code": i.code, "points": i.max_points} for i in files.pinned_checklist(session, file).items
        ]
        sheet = sheets.create_score_sheet(session, case.id, supervisor, items=items, vetoes=[])
        assert sheets.submit_score_sheet(session, sheet, supervisor).status == "final"
        session.commit()
        clock.travel_to(start + dt.timedelta(days=11))  # the appeal window has passed
        archive_case(session, supervisor, case.id)
        session.commit()
        subsidy = session.scalars(sa.select(Subsidy).where(Subsidy.case_id == case.id)).one()
        assert subsidy.status == "payable" and subsidy.amount_fen > 0
        return case, subsidy

    return make


def _state(session, subsidy) -> dict:
    from supervision.subsidies.subsidies import why_not_payable

    session.expire_all()
    return {
        "status": subsidy.status,
        "held_from": subsidy.held_from,
        "hold_reason": json.loads(subsidy.hold_reason) if subsidy.hold_reason else None,
        "amount": subsidy.amount_fen,
        "why_not_payable": str(why_not_payable(session, subsidy)),
    }


def test_upheld_took_money_on_an_archived_subsidy_holds_it_as_a_confirmed_flag(
    session, archived_case, make_person
):
    from supervision.complaints import services as complaints
    from supervision.scheduling import calls
    from supervision.scheduling.models import FollowUpCall
    from supervision.subsidies.batches import create_payment_batch
    from supervision.subsidies.prerequisites import took_money_confirmed_many

    handler, other = make_person("supervisor"), make_person("supervisor")
    flagged, flagged_subsidy = archived_case()
    complained, complained_subsidy = archived_case()

    # The yardstick: after archiving, the client tells a caller money was taken; a supervisor confirms.
    call = session.scalars(
        sa.select(FollowUpCall).where(
            FollowUpCall.case_id == flagged.id, FollowUpCall.purpose == "after_closing"
        )
    ).one()
    flag = calls.raise_red_flag(session, handler, call, call.attempts[-1])
    calls.resolve_red_flag(session, other, flag, "confirmed", "the client showed the transfer")
    session.commit()

    # The same fact, told as a complaint and upheld.
    complaint = complaints.register_complaint(
        session,
        {
            "received_on": clock.today(),
            "complainant": {"name": "赵磊", "relation": "client", "phone": "13900001111"},
            "respondent": {"kind": "provider", "id": complained_subsidy.provider_id},
            "case_id": complained.id,
            "matter": "took_money",
            "request": "退还收取的费用",
            "facts": "律师收了2000元。",
        },
        handler,
    )
    session.commit()
    complaints.decide_acceptance(session, complaint.id, handler, accepted=True)
    session.commit()
    complaints.decide_complaint(
        session, complaint.id, handler, outcome="referred_for_discipline", findings="Took 2,000 yuan"
    )
    session.commit()

    expected = _state(session, flagged_subsidy)
    assert expected["status"] == "held" and expected["held_from"] == "payable"
    got = _state(session, complained_subsidy)
    # The hold names the flag it waits on: the call's flag there, the complaint's flag here.
    assert expected["hold_reason"].pop("flag_id") == flag.id
    assert got["hold_reason"].pop("flag_id") == complaint.red_flag_id is not None
    assert {**got, "amount": None} == {**expected, "amount": None}
    assert got["amount"] == complained_subsidy.amount_fen > 0  # kept for the supervisors to reverse
    assert took_money_confirmed_many(session, [flagged.id, complained.id]) == {flagged.id, complained.id}

    # Neither is paid: a batch of either is refused, and a batch of "all payable" leaves both out.
    for subsidy in (flagged_subsidy, complained_subsidy):
        with pytest.raises(DomainError):
            create_payment_batch(session, make_person("finance"), [subsidy.id])
        session.rollback()
