"""Who may mark a file, and which sheet the file needs next (DESIGN.md §4 "Review flow": no one scores
a file they assigned, their own, or one from their own organisation; a second, third or appeal marker
has not marked it)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.models import Assignment, Provider
from legalaid.errors import say
from supervision.scoring.models import ScoreFile

# Which sheet a file's status calls for next.
ROLE_FOR_STATUS = {"open": "first", "second_review": "second", "third_review": "third", "appealed": "appeal"}


def scorer_exclusions(session: Session, files: list[ScoreFile], actor) -> dict[int, str]:
    """For each of ``files`` the actor may not mark, why (by case id). DESIGN.md §4: no one scores a
    file they assigned, their own, or one from their own organisation. Three queries for any number
    of files (the marking worklist reads a page of them at once)."""
    case_ids = [f.case_id for f in files]
    if not case_ids:
        return {}
    assigned = set(
        session.scalars(
            sa.select(Assignment.case_id).where(
                Assignment.case_id.in_(case_ids), Assignment.assigned_by == actor.id
            )
        )
    )
    organization_id = (
        session.scalar(sa.select(Provider.organization_id).where(Provider.id == actor.provider_id))
        if actor.provider_id is not None
        else None
    )
    why: dict[int, str] = {}
    for file in files:
        if file.case_id in assigned:
            why[file.case_id] = say("You assigned this case, so you may not score it.")
        elif actor.provider_id is not None and actor.provider_id == file.provider_id:
            why[file.case_id] = say("This is your own case, so you may not score it.")
        elif organization_id is not None and organization_id == file.organization_id:
            why[file.case_id] = say("The case was handled by your own organisation, so you may not score it.")
    return why


def scorer_exclusion(session: Session, file: ScoreFile, actor) -> str | None:
    """Why ``actor`` may not mark this file, or None (``scorer_exclusions`` for one file)."""
    return scorer_exclusions(session, [file], actor).get(file.case_id)


def markers(file: ScoreFile) -> set[int]:
    """Supervisors who have a sheet on the file other than an appeal sheet."""
    return {s.scorer_id for s in file.sheets if s.role != "appeal"}


def marking_refusal(session: Session, file: ScoreFile, actor) -> str | None:
    """Why the actor cannot start the sheet the file needs now, or None."""
    role = ROLE_FOR_STATUS.get(file.status)
    if role is None:
        return say("The file's score is final; there is nothing left to mark.")
    excluded = scorer_exclusion(session, file, actor)
    if excluded:
        return excluded
    mine = [s for s in file.sheets if s.scorer_id == actor.id]
    if any(s.role == role for s in mine):
        return say("You already have a sheet for this stage of the file.")
    if role in ("second", "third") and any(s.status == "submitted" for s in mine):
        return say("A second or third marker must be someone who has not marked this file.")
    if role == "appeal" and actor.id in markers(file):
        return say("An appeal goes to a supervisor who has not marked this file.")
    return None
