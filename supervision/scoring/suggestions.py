"""The scores the rules can suggest before a supervisor marks a file: the retainer's and the hand-in's
dates, the hearing observations' ratings, and the "took money" red flag's veto (DESIGN.md §4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.deadlines import limits
from assignment.models import Assignment
from legalaid import clock
from supervision.scheduling.services import hearing_ratings, red_flags
from supervision.scoring import rules
from supervision.scoring.closing import get_closing, hand_in_status
from supervision.scoring.defaults import AUTO_HAND_IN, AUTO_HEARING, AUTO_RED_FLAG, AUTO_RETAINER
from supervision.scoring.models import Checklist, ScoreFile


def _reason(key: str, **params) -> dict:
    return {"key": key, "params": rules_jsonable(params)}


def rules_jsonable(params: dict) -> dict:
    return {
        k: (v.isoformat() if isinstance(v, dt.date) else str(v) if isinstance(v, Decimal) else v)
        for k, v in params.items()
    }


def suggest_scores(
    session: Session, file: ScoreFile, checklist: Checklist, today: dt.date | None = None
) -> dict:
    """Scores the rules can judge, each with its reason: ``{"items": {code: {"points", "reason"}},
    "vetoes": {code: reason}}``. The scorer may override any of them with a note."""
    today = today or clock.today()
    closing = get_closing(session, file.case_id)
    items: dict[str, dict] = {}
    for item in checklist.items:
        suggestion = None
        if item.auto == AUTO_RETAINER:
            suggestion = _retainer_suggestion(session, file, closing, item.max_points)
        elif item.auto == AUTO_HAND_IN:
            suggestion = _hand_in_suggestion(closing, file.case_type, item.max_points, today)
        elif item.auto == AUTO_HEARING:
            suggestion = _hearing_suggestion(session, file.case_id, item.max_points)
        if suggestion is not None:
            items[item.code] = {"points": str(suggestion[0]), "reason": suggestion[1]}
    vetoes: dict[str, dict] = {}
    for veto in checklist.veto_items:
        if veto.auto == AUTO_RED_FLAG:
            # DESIGN.md §4: "took money" on a follow-up call sets the veto until resolved.
            flags = [
                f
                for f in red_flags(session, file.case_id)
                if getattr(f, "kind", None) == "took_money"
                and getattr(f, "status", None) in ("open", "confirmed")
            ]
            if flags:
                vetoes[veto.code] = _reason("red_flag", status=flags[0].status)
    return {"items": items, "vetoes": vetoes}


def _retainer_suggestion(session: Session, file: ScoreFile, closing, max_points: Decimal):
    # Procedure rules 2023 art. 27: the retainer is signed within 5 days of assignment.
    if closing.retainer_signed_on is None:
        return None
    assigned_at = session.scalar(
        sa.select(Assignment.assigned_at)
        .where(Assignment.case_id == file.case_id, Assignment.provider_id == file.provider_id)
        .order_by(Assignment.assigned_at.desc())
        .limit(1)
    )
    if assigned_at is None:
        return None
    assigned_on = clock.local_date(assigned_at)
    days = (closing.retainer_signed_on - assigned_on).days
    allowed = limits()["retainer_days"]
    if days <= allowed:
        return max_points, _reason(
            "retainer_on_time", signed_on=closing.retainer_signed_on, assigned_on=assigned_on
        )
    return Decimal(0), _reason(
        "retainer_late",
        signed_on=closing.retainer_signed_on,
        assigned_on=assigned_on,
        days=days - allowed,
    )


def _hand_in_suggestion(closing, case_type: str, max_points: Decimal, today: dt.date):
    # Local guides: closing materials complete within 30 days of the case ending; late costs half.
    status = hand_in_status(closing, case_type, today)
    if status["complete"] and not status["late"]:
        return max_points, _reason(
            "hand_in_on_time", complete_on=status["complete_on"], due_on=status["due_on"]
        )
    if status["complete"]:
        return rules.round_tenth(Decimal(max_points) / 2), _reason(
            "hand_in_late", complete_on=status["complete_on"], days=status["days_late"]
        )
    return Decimal(0), _reason(
        "hand_in_missing", missing=", ".join(status["missing"]), due_on=status["due_on"]
    )


def _hearing_suggestion(session: Session, case_id: int, max_points: Decimal):
    # The four observation ratings (1..5) scale the hearing item: mean / 5 × maximum.
    ratings = [
        Decimal(r[k])
        for r in hearing_ratings(session, case_id)
        for k in ("preparation", "examination", "argument", "effect")
        if r.get(k) is not None
    ]
    if not ratings:
        return None
    mean = sum(ratings) / len(ratings)
    points = rules.round_tenth(Decimal(max_points) * mean / 5)
    return points, _reason(
        "hearing_ratings", observations=len(ratings) // 4 or 1, mean=rules.round_tenth(mean)
    )
