"""The provider's answer to a final score (accept, or appeal within 10 days) and the appeal's
decision by a supervisor who has not marked the file (DESIGN.md §4 "Review flow")."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from assignment import intake
from assignment.roles import require_role
from legalaid import audit, clock
from legalaid.errors import Invalid, NotAllowed, say
from supervision import signals
from supervision.scoring import rules
from supervision.scoring.files import get_file, own_file, pinned_checklist
from supervision.scoring.models import ScoreFile, ScoreSheet
from supervision.scoring.sheets import check_complete, own_draft, recompute
from supervision.scoring.vetoes import confirmed_took_money
from supervision.scoring.who_may_mark import markers, scorer_exclusion


def accept_score(session: Session, case_id: int, actor) -> ScoreFile:
    """The provider accepts the final score, waiving the 10-day appeal window."""
    file = own_file(session, case_id, actor, lock=True)
    if file.status != "final":
        raise NotAllowed(say("Only a final score can be accepted."))
    if file.accepted_at is not None:
        raise NotAllowed(say("You have already accepted this score."))
    if file.appeal_decided_at is not None:
        raise NotAllowed(say("The appeal has been decided; the score is settled."))
    file.accepted_at = clock.now()
    session.flush()
    audit.record(
        session,
        actor,
        "score.accepted",
        "score_file",
        file.case_id,
        after={"total": file.total, "grade": file.grade},
    )
    return file


def appeal_score(
    session: Session, case_id: int, actor, reason: str, today: dt.date | None = None
) -> ScoreFile:
    """The provider appeals a final score within 10 days; it goes to a supervisor who has not marked it."""
    today = today or clock.today()
    file = own_file(session, case_id, actor, lock=True)
    if not (reason or "").strip():
        raise Invalid(say("Give the reason for the appeal."), fields={"reason": [say("Required.")]})
    if file.status == "appealed":
        raise NotAllowed(say("This score is already under appeal."))
    if file.status != "final":
        raise NotAllowed(say("Only a final score can be appealed."))
    if file.accepted_at is not None:
        raise NotAllowed(say("You accepted this score, which waived the appeal."))
    if file.appeal_decided_at is not None:
        raise NotAllowed(say("This score has already been appealed; the decision is final."))
    if today > file.appeal_by:
        raise NotAllowed(
            say(
                "The %(days)s-day appeal window closed on %(day)s.",
                days=rules.setting("appeal_days"),
                day=file.appeal_by.isoformat(),
            )
        )
    file.status = "appealed"
    file.appealed_at = clock.now()
    file.appeal_reason = reason.strip()
    session.flush()
    audit.record(
        session,
        actor,
        "score.appealed",
        "score_file",
        file.case_id,
        before={"status": "final"},
        after={"status": "appealed", "reason": file.appeal_reason},
    )
    return file


def decide_appeal(
    session: Session,
    case_id: int,
    actor,
    *,
    outcome: str,
    reason: str,
    sheet: ScoreSheet | None = None,
    today: dt.date | None = None,
) -> ScoreFile:
    """A supervisor who has not marked the file decides the appeal: the score is upheld, or revised
    by their own appeal sheet. The outcome is final."""
    today = today or clock.today()
    require_role(actor, "supervisor")
    file = get_file(session, case_id, lock=True)
    if file.status != "appealed":
        raise NotAllowed(say("This score is not under appeal."))
    excluded = scorer_exclusion(session, file, actor)
    if excluded:
        raise NotAllowed(excluded)
    if actor.id in markers(file):
        raise NotAllowed(say("An appeal goes to a supervisor who has not marked this file."))
    if not (reason or "").strip():
        raise Invalid(say("Give the reasons for the decision."), fields={"reason": [say("Required.")]})
    before = {"status": file.status, "total": file.total, "grade": file.grade}
    if outcome == "revised":
        if sheet is None or sheet.case_id != file.case_id or sheet.role != "appeal":
            raise Invalid(
                say("A revised score needs your appeal sheet."),
                fields={"sheet_id": [say("Your appeal sheet for this case.")]},
            )
        own_draft(sheet, actor)
        checklist = pinned_checklist(session, file)
        recompute(sheet, checklist)
        check_complete(sheet, checklist)
        sheet.status = "submitted"
        sheet.submitted_at = clock.now()
        file.total, file.grade, file.veto = sheet.total, sheet.grade, bool(sheet.vetoes)
    elif outcome != "upheld":
        raise Invalid(
            say("The outcome is upheld or revised."), fields={"outcome": [say("One of: upheld, revised.")]}
        )
    file.status = "final"
    if confirmed_took_money(session, file.case_id):
        file.veto, file.grade = True, "fail"  # the confirmed took-money veto stands through an appeal
    file.appeal_outcome = outcome
    file.appeal_decision = reason.strip()
    file.appeal_decided_at = clock.now()
    file.appeal_decided_by = actor.id
    session.flush()
    audit.record(
        session,
        actor,
        "score.appeal_decided",
        "score_file",
        file.case_id,
        before=before,
        after={
            "status": "final",
            "outcome": outcome,
            "total": file.total,
            "grade": file.grade,
            "reason": file.appeal_decision,
        },
    )
    signals.score_finalised.send(session, case=intake.get_case(session, file.case_id), actor=actor)
    return file
