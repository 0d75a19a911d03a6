"""A closed case's score file and its sheets as each reader may see them, the checklist pinned to the
file, and when a score is settled (DESIGN.md §4 "Scoring", §5 who sees what)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment import intake, labels
from legalaid import clock
from legalaid.db import lock_for_update
from legalaid.errors import NotAllowed, NotFound, say
from supervision.scoring.checklists import checklist_in_force
from supervision.scoring.models import Checklist, ScoreFile, ScoreSheet


def get_file(session: Session, case_id: int, *, lock: bool = False) -> ScoreFile:
    stmt = sa.select(ScoreFile).where(ScoreFile.case_id == case_id)
    file = session.scalars(lock_for_update(stmt) if lock else stmt).one_or_none()
    if file is None:
        case = intake.get_case(session, case_id)  # 404 for an unknown case
        raise NotAllowed(
            say(
                "The case is %(status)s; only a closed case's file is scored.",
                status=labels.case_status(case.status),
            )
        )
    return file


def get_sheet(session: Session, sheet_id: int) -> ScoreSheet:
    sheet = session.get(ScoreSheet, sheet_id)
    if sheet is None:
        raise NotFound(say("There is no such score sheet."))
    return sheet


def readable_sheet(session: Session, sheet_id: int, actor) -> tuple[ScoreSheet, bool]:
    """A score sheet as ``actor`` may read it, and whether they read it as the provider: their own sheet,
    any submitted sheet for supervisors and admins, the provider's submitted sheets once the score is
    theirs to see. Anything else is 'not found' (DESIGN.md §5)."""
    sheet = get_sheet(session, sheet_id)
    if sheet.scorer_id == actor.id or (actor.has_role("supervisor", "admin") and sheet.status == "submitted"):
        return sheet, False
    file = sheet.file
    if (
        actor.provider_id is not None
        and actor.provider_id == file.provider_id
        and visible_to_provider(file)
        and sheet.status == "submitted"
    ):
        return sheet, True
    raise NotFound(say("There is no such score sheet."))


def own_file(session: Session, case_id: int, actor, *, lock: bool = False) -> ScoreFile:
    """A provider's own file; another provider's is 'not found' (DESIGN.md §5)."""
    stmt = sa.select(ScoreFile).where(ScoreFile.case_id == case_id)
    file = session.scalars(lock_for_update(stmt) if lock else stmt).one_or_none()
    if file is None or actor is None or actor.provider_id != file.provider_id:
        raise NotFound(say("There is no such case."))
    return file


def visible_to_provider(file: ScoreFile) -> bool:
    """The provider reads the score once it is final (and through and after an appeal)."""
    return file.status in ("final", "appealed")


def pinned_checklist(session: Session, file: ScoreFile) -> Checklist:
    """The version pinned when the case closed; if none was in force then, the one in force now."""
    if file.checklist is not None:
        return file.checklist
    checklist = checklist_in_force(session, file.case_type, file.ended_on)
    if checklist is None:
        raise NotAllowed(
            say(
                "No %(case_type)s checklist was in force on %(day)s; publish one first.",
                case_type=file.case_type,
                day=file.ended_on,
            )
        )
    file.checklist_id = checklist.id
    file.checklist = checklist
    return checklist


def score_settled(file: ScoreFile | None, today: dt.date | None = None) -> bool:
    """Final and no longer appealable: accepted, appeal decided, or the 10-day window passed
    (DESIGN.md §4 "What archiving needs")."""
    if file is None or file.status != "final":
        return False
    today = today or clock.today()
    return file.accepted_at is not None or file.appeal_decided_at is not None or today > file.appeal_by
