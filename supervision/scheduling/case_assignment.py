"""The few columns of a case's current assignment that scheduling reads (who handles it, who assigned
it), without loading the assignment entity."""

from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.models import Assignment, Case


class AssignmentRef(NamedTuple):
    """The few columns of a case's current assignment that scheduling needs."""

    id: int
    provider_id: int
    assigned_by: int | None


def current_assignment(session: Session, case: Case | int) -> AssignmentRef | None:
    """The case's live assignment: taken from ``case.current_assignment`` when that is already loaded,
    else read as three columns (not the entity, which joins its case, provider and organisation)."""
    if isinstance(case, Case):
        if "current_assignment" in case.__dict__:
            loaded = case.__dict__["current_assignment"]
            if loaded is None:
                return None
            return AssignmentRef(loaded.id, loaded.provider_id, loaded.assigned_by)
        case_id = case.id
    else:
        case_id = case
    row = session.execute(
        sa.select(Assignment.id, Assignment.provider_id, Assignment.assigned_by).where(
            Assignment.case_id == case_id, Assignment.live.is_(True)
        )
    ).first()
    return None if row is None else AssignmentRef(*row)
