"""A subsidy's hold and release are audited with the reason as stored: a code with its facts when the
service writes it (a red flag raised, then resolved), the person's own words when typed; never a fixed
English sentence."""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa

from legalaid.models import AuditEntry


def _audited(session, action, subsidy_id):
    return session.scalars(
        sa.select(AuditEntry.after).where(
            AuditEntry.action == action,
            AuditEntry.object_type == "subsidy",
            AuditEntry.object_id == subsidy_id,
        )
    ).all()


def test_a_red_flag_resolved_releases_with_a_code(make_case, session, subsidy_of):
    from supervision.subsidies import _on_red_flag_raised, _on_red_flag_resolved
    from supervision.subsidies.reasons import RED_FLAG_RESOLVED, RED_FLAG_TOOK_MONEY, code_of, words

    case_id = make_case(status="in_progress")
    _on_red_flag_raised(session, SimpleNamespace(id=41, case_id=case_id))
    session.commit()
    subsidy = subsidy_of(case_id)
    assert subsidy.status == "held"
    _on_red_flag_resolved(session, SimpleNamespace(id=41, case_id=case_id, status="dismissed"))
    session.commit()
    assert subsidy_of(case_id).status == "pending"
    (held,) = _audited(session, "subsidy.hold", subsidy.id)
    assert code_of(held["reason"]) == (RED_FLAG_TOOK_MONEY, {"flag_id": 41})
    (released,) = _audited(session, "subsidy.release", subsidy.id)
    assert code_of(released["reason"]) == (RED_FLAG_RESOLVED, {"flag_id": 41, "outcome": "dismissed"})
    assert "red flag dismissed" not in released["reason"]
    assert str(words(released["reason"])) == "the red flag was resolved"


def test_a_typed_release_reason_is_kept_as_the_persons_words(make_case, session, staff, subsidy_of):
    from supervision.subsidies.reasons import code_of
    from supervision.subsidies.subsidies import hold_subsidy, release_subsidy

    case_id = make_case(status="in_progress")
    supervisor = staff("supervisor")
    subsidy_id = subsidy_of(case_id).id
    hold_subsidy(session, supervisor, subsidy_id, "客户投诉待核实")
    release_subsidy(session, supervisor, subsidy_id, "  核实无误，恢复支付  ")
    session.commit()
    (released,) = _audited(session, "subsidy.release", subsidy_id)
    assert released["reason"] == "核实无误，恢复支付"
    (held,) = _audited(session, "subsidy.hold", subsidy_id)
    assert held["reason"] == "客户投诉待核实" and code_of(held["reason"]) is None
