"""What archiving and the subsidy amount need from closing, scoring and scheduling: read-only questions.

Each question is one small function reading the tables of the capability that owns the answer
(``supervision.scoring``, ``supervision.scheduling``), or calling its service where it publishes one
(``after_closing_call_settled``, ``red_flags``). Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from legalaid import clock


@dataclass
class ClosingFacts:
    ended_on: dt.date | None
    terminated: bool = False
    materials_missing: list[str] = field(default_factory=list)


@dataclass
class ScoreFacts:
    """The file's score: ``final`` and ``settled`` (no longer appealable), with the grade and veto."""

    final: bool
    settled: bool
    grade: str | None = None  # excellent | good | pass | fail
    took_money_confirmed: bool = False
    appeal_until: dt.date | None = None


def closing_facts(session: Session, case_id: int) -> ClosingFacts | None:
    """The closing report of the case and the required closing materials still missing."""
    from assignment.models import Case
    from supervision.scoring.closing import required_documents
    from supervision.scoring.models import CaseClosing, ClosingDocument

    closing = session.get(CaseClosing, case_id)
    if closing is None:
        return None
    case_type = session.scalar(sa.select(Case.case_type).where(Case.id == case_id))
    held = set(session.scalars(sa.select(ClosingDocument.code).where(ClosingDocument.case_id == case_id)))
    missing = [code for code in required_documents(case_type) if code not in held]
    return ClosingFacts(
        ended_on=closing.ended_on, terminated=bool(closing.terminated), materials_missing=missing
    )


def score_facts(session: Session, case_id: int, today: dt.date | None = None) -> ScoreFacts | None:
    """The file's score: final, and settled once accepted, the appeal decided, or the window passed."""
    from supervision.scoring.models import ScoreFile

    file = session.get(ScoreFile, case_id)
    if file is None:
        return None
    final = file.status == "final"
    today = today or clock.today()
    from supervision.scoring.scoring import score_settled  # scoring imports this module: read at call

    settled = bool(score_settled(file, today))
    return ScoreFacts(
        final=final,
        settled=settled,
        grade=file.grade,
        took_money_confirmed=_took_money_confirmed(session, case_id),
        appeal_until=file.appeal_by,
    )


def _took_money_confirmed(session: Session, case_id: int) -> bool:
    from supervision.scheduling.models import RedFlag

    return bool(
        session.scalar(
            sa.select(RedFlag.id)
            .where(RedFlag.case_id == case_id, RedFlag.kind == "took_money", RedFlag.status == "confirmed")
            .limit(1)
        )
    )


def after_closing_call_settled(session: Session, case_id: int) -> bool:
    """The post-closing follow-up call is done, or closed as unreachable."""
    from supervision.scheduling.services import after_closing_call_settled as settled

    return bool(settled(session, case_id))


def open_red_flags(session: Session, case_id: int) -> list:
    from supervision.scheduling.services import red_flags

    return [flag for flag in red_flags(session, case_id) if flag.status == "open"]
