"""Closing a case (结案): the provider's report, the closing materials and the 30-day hand-in limit."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import get_locale
from sqlalchemy.orm import Session

from assignment import labels
from assignment.deadlines import due_date
from assignment.models import Assignment, Case, Provider
from assignment.rotation import release_open_case
from legalaid import audit, clock
from legalaid.db import lock_for_update, lock_row
from legalaid.errors import Invalid, NotAllowed, NotFound, say
from supervision import signals
from supervision.scoring import rules
from supervision.scoring.defaults import CLOSING_DOCUMENTS, TERMINATION_GROUNDS
from supervision.scoring.models import CASE_TYPES, CaseClosing, ClosingDocument, ScoreFile


def closing_documents(case_type: str) -> list[dict]:
    """The published list of closing materials (承办材料) for a case type, required ones first."""
    if case_type not in CASE_TYPES:
        raise Invalid(
            say("Unknown case type."),
            fields={"case_type": [say("One of: %(values)s.", values=", ".join(CASE_TYPES))]},
        )
    english = _english()
    rows = [
        {
            "code": code,
            "label": en if english else zh,
            "label_zh": zh,
            "label_en": en,
            "required": needs[case_type],
        }
        for code, zh, en, needs in CLOSING_DOCUMENTS
        if case_type in needs
    ]
    return sorted(rows, key=lambda r: not r["required"])


def _english() -> bool:
    try:
        return str(get_locale() or "zh_Hans").startswith("en")
    except RuntimeError:  # outside a request
        return False


def required_documents(case_type: str) -> list[str]:
    return [code for code, _zh, _en, needs in CLOSING_DOCUMENTS if needs.get(case_type)]


def missing_documents(closing: CaseClosing, case_type: str) -> list[str]:
    """Required closing materials not yet handed in (codes, in list order)."""
    held = {d.code for d in closing.documents}
    return [code for code in required_documents(case_type) if code not in held]


def get_closing(session: Session, case_id: int) -> CaseClosing:
    closing = session.get(CaseClosing, case_id)
    if closing is None:
        raise NotFound(say("This case has not been closed."))
    return closing


def _handling_assignment(session: Session, case: Case) -> Assignment | None:
    return session.scalars(
        sa.select(Assignment).where(
            Assignment.case_id == case.id, Assignment.live.is_(True), Assignment.status == "accepted"
        )
    ).one_or_none()


def _check_own_case(session: Session, case: Case, actor) -> Assignment:
    """The actor must be the case's current provider; anyone else is told the case does not exist."""
    assignment = _handling_assignment(session, case)
    if assignment is None and actor is None:
        raise NotAllowed(say("The case has no accepted assignment."))
    if actor is not None and (assignment is None or actor.provider_id != assignment.provider_id):
        raise NotFound(say("There is no such case."))
    return assignment


def _check_codes(case_type: str, codes: list[str]) -> list[str]:
    known = {d["code"] for d in closing_documents(case_type)}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise Invalid(
            say("Some closing materials are not on the list for this case type."),
            fields={
                "documents": [
                    say(
                        "Not on the list for %(case_type)s: %(codes)s.",
                        case_type=case_type,
                        codes=", ".join(unknown),
                    )
                ]
            },
        )
    return list(dict.fromkeys(codes))


def close_case(
    session: Session,
    case: Case,
    actor,
    *,
    ended_on: dt.date,
    outcome: str,
    documents: list[str],
    terminated: bool = False,
    termination_ground: str | None = None,
    termination_note: str | None = None,
    retainer_signed_on: dt.date | None = None,
    recovered_fen: int | None = None,
    today: dt.date | None = None,
) -> CaseClosing:
    """The provider reports the case ended and hands in closing materials: in_progress → closed."""
    today = today or clock.today()
    lock_row(session, Case, case.id)  # two closings at once: the second sees the case closed (409)
    assignment = _check_own_case(session, case, actor)
    if case.status != "in_progress":
        raise NotAllowed(
            say(
                "Only a case in progress can be closed; this one is %(status)s.",
                status=labels.case_status(case.status),
            )
        )
    problems: dict[str, list[str]] = {}
    if ended_on > today:
        problems["ended_on"] = [say("The case cannot end in the future.")]
    elif ended_on < case.received_on:
        problems["ended_on"] = [say("The case cannot end before it was received.")]
    if retainer_signed_on and retainer_signed_on > today:
        problems["retainer_signed_on"] = [say("Cannot be in the future.")]
    if recovered_fen is not None and recovered_fen < 0:
        problems["recovered_fen"] = [say("The amount cannot be negative.")]
    if not (outcome or "").strip():
        problems["outcome"] = [say("Say how the case ended.")]
    if terminated and termination_ground not in TERMINATION_GROUNDS:
        # Law art. 48: a terminated case names its ground.
        problems["termination_ground"] = [
            say("A terminated case needs a ground: %(grounds)s.", grounds=", ".join(TERMINATION_GROUNDS))
        ]
    if not terminated and termination_ground:
        problems["termination_ground"] = [say("Only a terminated case has a termination ground.")]
    if problems:
        raise Invalid(say("The closing report is not valid."), fields=problems)
    codes = _check_codes(case.case_type, documents)

    provider = session.get(Provider, assignment.provider_id)
    closing = CaseClosing(
        case_id=case.id,
        provider_id=provider.id,
        ended_on=ended_on,
        outcome=outcome.strip(),
        terminated=terminated,
        termination_ground=termination_ground if terminated else None,
        termination_note=termination_note if terminated else None,
        retainer_signed_on=retainer_signed_on,
        recovered_fen=recovered_fen,
        documents_due_on=due_date(session, "closing_materials", ended_on),
        reported_by=getattr(actor, "id", None),
    )
    session.add(closing)
    session.flush()
    _add_documents(session, closing, case.case_type, codes, today, actor)

    from supervision.scoring.checklists import checklist_in_force

    checklist = checklist_in_force(session, case.case_type, ended_on)
    draw = rules.sample_draw(case.id)
    session.add(
        ScoreFile(
            case_id=case.id,
            case_type=labels.case_type(case.case_type),
            provider_id=provider.id,
            organization_id=provider.organization_id,
            ended_on=ended_on,
            checklist_id=checklist.id if checklist else None,
            sample_draw=draw,
            in_sample=draw < rules.sample_rate(),
            status="open",
        )
    )
    before = {"status": case.status}
    case.status = "closed"
    session.flush()
    # The provider's open-case counter counts live cases not yet closed (assignment/models.py).
    release_open_case(session, provider.id)
    audit.record(
        session,
        actor,
        "case.closed",
        "case",
        case.id,
        before=before,
        after={
            "status": "closed",
            "ended_on": ended_on,
            "outcome": closing.outcome,
            "terminated": terminated,
            "termination_ground": closing.termination_ground,
            "recovered_fen": recovered_fen,
            "documents": codes,
            "checklist_id": checklist.id if checklist else None,
            "in_sample": draw < rules.sample_rate(),
        },
    )
    signals.case_closed.send(session, case=case, actor=actor)
    return closing


def _add_documents(
    session: Session, closing: CaseClosing, case_type: str, codes: list[str], today: dt.date, actor
) -> list[str]:
    held = {d.code for d in closing.documents}
    added = [c for c in codes if c not in held]
    for code in added:
        doc = ClosingDocument(
            case_id=closing.case_id,
            code=code,
            handed_in_on=today,
            late=today > closing.documents_due_on,
            recorded_by=getattr(actor, "id", None),
        )
        session.add(doc)
        closing.documents.append(doc)
    if closing.documents_complete_on is None and not missing_documents(closing, case_type):
        closing.documents_complete_on = today
    session.flush()
    return added


def hand_in_documents(
    session: Session, case: Case, actor, documents: list[str], today: dt.date | None = None
) -> CaseClosing:
    """Closing materials handed in after the closing report; after the 30-day limit they are late."""
    today = today or clock.today()
    closing = session.scalars(
        lock_for_update(sa.select(CaseClosing).where(CaseClosing.case_id == case.id))
    ).one_or_none()
    if closing is None:
        _check_own_case(session, case, actor)
        raise NotAllowed(say("Close the case before handing in more materials."))
    if actor is not None and actor.provider_id != closing.provider_id:
        raise NotFound(say("There is no such case."))
    if case.status != "closed":
        raise NotAllowed(
            say(
                "Materials can only be handed in while the case is closed; it is %(status)s.",
                status=labels.case_status(case.status),
            )
        )
    if not documents:
        raise Invalid(say("Name the materials handed in."), fields={"documents": [say("At least one.")]})
    codes = _check_codes(case.case_type, documents)
    added = _add_documents(session, closing, case.case_type, codes, today, actor)
    if added:
        audit.record(
            session,
            actor,
            "case.documents_handed_in",
            "case",
            case.id,
            after={
                "documents": added,
                "late": today > closing.documents_due_on,
                "complete": closing.documents_complete_on is not None,
            },
        )
    return closing


def hand_in_status(closing: CaseClosing, case_type: str, today: dt.date | None = None) -> dict:
    """What the supervisor sees about the 30-day limit: missing materials, lateness, days left."""
    today = today or clock.today()
    missing = missing_documents(closing, case_type)
    complete_on = closing.documents_complete_on
    if complete_on is not None:
        days_late = max((complete_on - closing.documents_due_on).days, 0)
    else:
        days_late = max((today - closing.documents_due_on).days, 0)
    return {
        "due_on": closing.documents_due_on,
        "complete": not missing,
        "complete_on": complete_on,
        "missing": missing,
        "late": days_late > 0,
        "days_late": days_late,
        "late_documents": [d.code for d in closing.documents if d.late],
    }
