"""The subsidy lifecycle and the central invariant: no payment before the file is archived."""

from __future__ import annotations

import pytest

from legalaid.errors import NotAllowed


def test_subsidy_pending_when_provider_accepts(make_case, subsidy_of):
    case_id = make_case(status="in_progress")
    assert subsidy_of(case_id).status == "pending"


def test_subsidy_payable_after_archive(make_case, staff, session, subsidy_of):
    from supervision.subsidies.archive import archive_case

    case_id = make_case(grade="good")
    record = archive_case(session, staff("supervisor"), case_id)
    session.commit()
    subsidy = subsidy_of(case_id)
    assert subsidy.status == "payable"
    assert subsidy.archive_id == record.id
    assert subsidy.amount_fen == 132000  # civil 1,200 yuan × 1.1 (良好)
    assert subsidy.breakdown["grade_multiplier"] == "1.1"


def test_subsidy_receivers_are_connected(app):
    from assignment import signals
    from supervision import subsidies

    assert id(subsidies._on_assignment_accepted) in signals.assignment_accepted.receivers
    assert id(subsidies._on_assignment_ended) in signals.assignment_ended.receivers


def test_reassignment_cancels_the_pending_subsidy(make_case, session, subsidy_of):
    from assignment.models import Assignment
    from supervision.subsidies import _on_assignment_ended

    case_id = make_case(status="in_progress")
    assignment = session.query(Assignment).filter_by(case_id=case_id).one()
    _on_assignment_ended(session, assignment=assignment, reason="declined", actor=None)
    assert subsidy_of(case_id).status == "pending"
    _on_assignment_ended(session, assignment=assignment, reason="reassigned", actor=None)
    session.commit()
    cancelled = subsidy_of(case_id)
    assert cancelled.status == "cancelled"
    assert "reassigned" in cancelled.reason


def test_held_subsidy_remembers_its_state(make_case, payable, session, staff, subsidy_of):
    from supervision.subsidies.subsidies import hold_subsidy, release_subsidy

    supervisor = staff("supervisor")
    pending_case = make_case(status="in_progress")
    pending = subsidy_of(pending_case)
    [payable_id] = payable()
    for subsidy_id, state in ((pending.id, "pending"), (payable_id, "payable")):
        held = hold_subsidy(session, supervisor, subsidy_id, "complaint from the client")
        assert (held.status, held.held_from) == ("held", state)
        with pytest.raises(NotAllowed):
            hold_subsidy(session, supervisor, subsidy_id, "again")
        assert release_subsidy(session, supervisor, subsidy_id, "complaint dismissed").status == state
    session.commit()


def test_subsidy_held_before_archiving_stays_held_and_becomes_payable_on_release(
    make_case, session, staff, subsidy_of
):
    from supervision.subsidies.archive import archive_case
    from supervision.subsidies.subsidies import hold_subsidy, release_subsidy

    supervisor = staff("supervisor")
    case_id = make_case()
    hold_subsidy(session, supervisor, subsidy_of(case_id).id, "complaint")
    archive_case(session, supervisor, case_id)
    session.commit()
    held = subsidy_of(case_id)
    assert (held.status, held.held_from, held.amount_fen) == ("held", "payable", 132000)
    assert release_subsidy(session, supervisor, held.id, "dismissed").status == "payable"


def test_provider_sees_why_not_payable(make_case, session, subsidy_of, staff):
    from supervision.subsidies.subsidies import hold_subsidy, why_not_payable

    cases = {
        "The case is not closed yet": make_case(status="in_progress"),
        # The provider reads what the one archive check (archive.archive_missing) says is missing.
        "Waiting for closing materials: outcome_document": make_case(materials_missing=["outcome_document"]),
        "Waiting for a final score": make_case(score_final=False),
        "Waiting for the score to be no longer appealable": make_case(score_settled=False),
        "Waiting for the after-closing follow-up call": make_case(call_settled=False),
        "Waiting for 1 open red flag(s) resolved": make_case(red_flags=1),
        "Awaiting archiving": make_case(),
    }
    for expected, case_id in cases.items():
        assert why_not_payable(session, subsidy_of(case_id)).startswith(expected)
    both = make_case(score_final=False, call_settled=False)
    assert why_not_payable(session, subsidy_of(both)) == (
        "Waiting for the after-closing follow-up call (done, or closed as unreachable); a final score"
    )
    held = hold_subsidy(session, staff("supervisor"), subsidy_of(make_case()).id, "client complaint")
    assert why_not_payable(session, held) == "Held: client complaint"
