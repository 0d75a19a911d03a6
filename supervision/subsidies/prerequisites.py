"""What archiving and the subsidy amount need from closing, scoring and scheduling: read-only questions.

Each question is asked for many cases at once (one query per question, whatever the number of cases),
reading the tables of the capability that owns the answer (``supervision.scoring``,
``supervision.scheduling``) and applying its rule where it publishes one (``score_settled``). The
single-case forms are the batched ones called with one case, so there is one rule in one place.
Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session, lazyload

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


def _ids(case_ids: Iterable[int]) -> list[int]:
    return sorted(set(case_ids))


def closing_facts_many(session: Session, case_ids: Iterable[int]) -> dict[int, ClosingFacts]:
    """The closing report of each case that has one, with the required closing materials still missing
    (two queries). A case without a closing report has no key."""
    from assignment.models import Case
    from supervision.scoring.closing import required_documents
    from supervision.scoring.models import CaseClosing, ClosingDocument

    ids = _ids(case_ids)
    if not ids:
        return {}
    closings = session.execute(
        sa.select(CaseClosing.case_id, CaseClosing.ended_on, CaseClosing.terminated, Case.case_type)
        .join(Case, Case.id == CaseClosing.case_id)
        .where(CaseClosing.case_id.in_(ids))
    ).all()
    if not closings:
        return {}
    held: dict[int, set[str]] = {}
    for case_id, code in session.execute(
        sa.select(ClosingDocument.case_id, ClosingDocument.code).where(
            ClosingDocument.case_id.in_([c.case_id for c in closings])
        )
    ):
        held.setdefault(case_id, set()).add(code)
    return {
        c.case_id: ClosingFacts(
            ended_on=c.ended_on,
            terminated=bool(c.terminated),
            materials_missing=[
                code for code in required_documents(c.case_type) if code not in held.get(c.case_id, ())
            ],
        )
        for c in closings
    }


def closing_facts(session: Session, case_id: int) -> ClosingFacts | None:
    """The closing report of the case and the required closing materials still missing."""
    return closing_facts_many(session, [case_id]).get(case_id)


def score_facts_many(
    session: Session, case_ids: Iterable[int], today: dt.date | None = None
) -> dict[int, ScoreFacts]:
    """Each file's score (two queries): final, and settled once accepted, the appeal decided, or the
    window passed. A case without a score file has no key."""
    from supervision.scoring.files import score_settled  # scoring imports this module: read at call
    from supervision.scoring.models import ScoreFile

    ids = _ids(case_ids)
    if not ids:
        return {}
    files = list(
        session.scalars(
            sa.select(ScoreFile).where(ScoreFile.case_id.in_(ids)).options(lazyload(ScoreFile.sheets))
        )
    )
    if not files:
        return {}
    today = today or clock.today()
    vetoed = took_money_confirmed_many(session, [f.case_id for f in files])
    return {
        f.case_id: ScoreFacts(
            final=f.status == "final",
            settled=bool(score_settled(f, today)),
            grade=f.grade,
            took_money_confirmed=f.case_id in vetoed,
            appeal_until=f.appeal_by,
        )
        for f in files
    }


def score_facts(session: Session, case_id: int, today: dt.date | None = None) -> ScoreFacts | None:
    """The file's score: final, and settled once accepted, the appeal decided, or the window passed."""
    return score_facts_many(session, [case_id], today).get(case_id)


def took_money_confirmed_many(session: Session, case_ids: Iterable[int]) -> set[int]:
    """The cases with a confirmed took-money red flag (Law art. 20: the subsidy is 0)."""
    from supervision.scheduling.models import RedFlag

    ids = _ids(case_ids)
    if not ids:
        return set()
    return set(
        session.scalars(
            sa.select(RedFlag.case_id)
            .where(RedFlag.case_id.in_(ids), RedFlag.kind == "took_money", RedFlag.status == "confirmed")
            .distinct()
        )
    )


def after_closing_calls_settled(session: Session, case_ids: Iterable[int]) -> set[int]:
    """The cases whose post-closing follow-up call is done, or closed as unreachable (one query):
    scheduling's own batched reader (``supervision.scheduling.calls``), the one place of the rule."""
    from supervision.scheduling.services import after_closing_calls_settled as settled

    return settled(session, case_ids)


def after_closing_call_settled(session: Session, case_id: int) -> bool:
    """The post-closing follow-up call is done, or closed as unreachable."""
    return case_id in after_closing_calls_settled(session, [case_id])


def open_red_flags_many(session: Session, case_ids: Iterable[int]) -> dict[int, list]:
    """The open red flags of each case that has any (one query)."""
    from supervision.scheduling.models import RedFlag

    ids = _ids(case_ids)
    if not ids:
        return {}
    found: dict[int, list] = {}
    for flag in session.scalars(
        sa.select(RedFlag).where(RedFlag.case_id.in_(ids), RedFlag.status == "open").order_by(RedFlag.id)
    ):
        found.setdefault(flag.case_id, []).append(flag)
    return found


def open_red_flags(session: Session, case_id: int) -> list:
    return open_red_flags_many(session, [case_id]).get(case_id, [])
