"""The centre's figures for a period, computed from the data (DESIGN.md §1.5), never hand-counted.

Each figure states what it counts, so a monthly report can be explained line by line:

* cases: applications received in the period (``received_on``), by type and by current status;
* growth: received in the period against the period of the same length just before it;
* closure rate: of the cases received in the period that were approved, the share closed or archived;
* green-channel share: of the cases received in the period;
* observation coverage: hearings held in the period (not cancelled) whose observation was reported;
* satisfaction: reached follow-up calls in the period that recorded a satisfaction answer;
* scores: files whose score became final in the period (average total, grade distribution);
* subsidies: paid in the period (by ``paid_on``), and payable or held now.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.models import CASE_TYPES, Case
from legalaid import clock
from legalaid.errors import Invalid, say
from supervision.scheduling.models import CallAttempt, FollowUpCall, Hearing, Observation
from supervision.scoring.models import CaseClosing, ScoreFile
from supervision.subsidies.models import Subsidy

APPROVED = ("accepted", "assigned", "in_progress", "closed", "archived")
GRADES = ("excellent", "good", "pass", "fail")
SATISFACTION = ("satisfied", "basically_satisfied", "unsatisfied")


def _ratio(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def _month(session: Session, column):
    """'YYYY-MM' of a date column, in the database (so a year of cases is not read into Python)."""
    if session.get_bind().dialect.name == "sqlite":
        return sa.func.strftime("%Y-%m", column)
    return sa.func.to_char(column, "YYYY-MM")


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise Invalid(
            say("The period ends before it starts."), fields={"to": [say("Must not be before 'from'.")]}
        )
    if (end - start).days > 3660:
        raise Invalid(
            say("A period of at most ten years."), fields={"from": [say("At most ten years before 'to'.")]}
        )


def case_figures(session: Session, start: dt.date, end: dt.date) -> dict:
    in_period = Case.received_on.between(start, end)
    by_type = dict.fromkeys(CASE_TYPES, 0)
    by_type.update(
        session.execute(
            sa.select(Case.case_type, sa.func.count()).where(in_period).group_by(Case.case_type)
        ).all()
    )
    by_status = dict(
        session.execute(sa.select(Case.status, sa.func.count()).where(in_period).group_by(Case.status)).all()
    )
    received = sum(by_type.values())
    previous_start = start - (end - start) - dt.timedelta(days=1)
    previous = session.scalar(
        sa.select(sa.func.count()).where(
            Case.received_on.between(previous_start, start - dt.timedelta(days=1))
        )
    )
    green = session.scalar(sa.select(sa.func.count()).where(in_period, Case.green_channel.is_(True)))
    approved = sum(n for s, n in by_status.items() if s in APPROVED)
    closed = by_status.get("closed", 0) + by_status.get("archived", 0)
    return {
        "received": received,
        "by_type": by_type,
        "by_status": by_status,
        "growth": {
            "previous": previous,
            "previous_from": previous_start.isoformat(),
            "change": received - previous,
            "rate": _ratio(received - previous, previous),
        },
        "closure_rate": {"closed": closed, "approved": approved, "rate": _ratio(closed, approved)},
        "green_channel": {"count": green, "share": _ratio(green, received)},
    }


def observation_figures(session: Session, lower: dt.datetime, upper: dt.datetime) -> dict:
    held = sa.and_(Hearing.starts_at >= lower, Hearing.starts_at < upper, Hearing.status != "cancelled")
    hearings = session.scalar(sa.select(sa.func.count()).select_from(Hearing).where(held))
    observed = session.scalar(
        sa.select(sa.func.count(sa.distinct(Hearing.id)))
        .select_from(Hearing)
        .join(Observation, Observation.hearing_id == Hearing.id)
        .where(held, Observation.status == "reported")
    )
    planned = session.scalar(
        sa.select(sa.func.count(sa.distinct(Hearing.id)))
        .select_from(Hearing)
        .join(Observation, Observation.hearing_id == Hearing.id)
        .where(held, Observation.status != "cancelled")
    )
    return {
        "hearings": hearings,
        "planned": planned,
        "observed": observed,
        "coverage": _ratio(observed, hearings),
    }


def satisfaction_figures(session: Session, lower: dt.datetime, upper: dt.datetime) -> dict:
    counts = dict.fromkeys(SATISFACTION, 0)
    counts.update(
        session.execute(
            sa.select(CallAttempt.satisfaction, sa.func.count())
            .where(
                CallAttempt.at >= lower,
                CallAttempt.at < upper,
                CallAttempt.reached.is_(True),
                CallAttempt.satisfaction.is_not(None),
            )
            .group_by(CallAttempt.satisfaction)
        ).all()
    )
    answered = sum(counts.values())
    calls_done = session.scalar(
        sa.select(sa.func.count())
        .select_from(FollowUpCall)
        .where(FollowUpCall.done_at >= lower, FollowUpCall.done_at < upper)
    )
    return {
        "answers": counts,
        "answered": answered,
        "calls_done": calls_done,
        "satisfied_share": _ratio(counts["satisfied"] + counts["basically_satisfied"], answered),
    }


def score_figures(session: Session, start: dt.date, end: dt.date) -> dict:
    final = sa.and_(ScoreFile.status == "final", ScoreFile.finalised_on.between(start, end))
    grades = dict.fromkeys(GRADES, 0)
    grades.update(
        session.execute(
            sa.select(ScoreFile.grade, sa.func.count()).where(final).group_by(ScoreFile.grade)
        ).all()
    )
    average = session.scalar(sa.select(sa.func.avg(ScoreFile.total)).where(final))
    files = sum(grades.values())
    return {
        "files": files,
        "grades": grades,
        "average": float(Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
        if average is not None
        else None,
    }


def subsidy_figures(session: Session, start: dt.date, end: dt.date) -> dict:
    def total(*where):
        count, fen = session.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Subsidy.amount_fen), 0)).where(*where)
        ).one()
        return {"count": count, "amount_fen": int(fen)}

    return {
        "paid": total(Subsidy.status.in_(("paid", "reversed")), Subsidy.paid_on.between(start, end)),
        "payable": total(Subsidy.status == "payable"),
        "held": total(Subsidy.status == "held"),
    }


def monthly_series(session: Session, start: dt.date, end: dt.date) -> list[dict]:
    """Per month of the period: cases received, cases closed (ended), subsidies paid (fen)."""
    months: dict[str, dict] = {}
    day = start.replace(day=1)
    while day <= end:
        months[day.strftime("%Y-%m")] = {
            "month": day.strftime("%Y-%m"),
            "received": 0,
            "closed": 0,
            "paid_fen": 0,
        }
        day = (day + dt.timedelta(days=32)).replace(day=1)
    month = _month(session, Case.received_on)
    for key, n in session.execute(
        sa.select(month, sa.func.count()).where(Case.received_on.between(start, end)).group_by(month)
    ):
        months[key]["received"] = n
    month = _month(session, CaseClosing.ended_on)
    for key, n in session.execute(
        sa.select(month, sa.func.count()).where(CaseClosing.ended_on.between(start, end)).group_by(month)
    ):
        months[key]["closed"] = n
    month = _month(session, Subsidy.paid_on)
    for key, fen in session.execute(
        sa.select(month, sa.func.sum(Subsidy.amount_fen))
        .where(Subsidy.status.in_(("paid", "reversed")), Subsidy.paid_on.between(start, end))
        .group_by(month)
    ):
        months[key]["paid_fen"] = int(fen or 0)
    return list(months.values())


def summary(session: Session, start: dt.date, end: dt.date, *, subsidies_only: bool = False) -> dict:
    """The figures of DESIGN.md §1.5 for ``start``..``end`` (both included)."""
    check_period(start, end)
    lower, upper = clock.day_bounds(start)[0], clock.day_bounds(end)[1]
    figures = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "subsidies": subsidy_figures(session, start, end),
    }
    if subsidies_only:  # finance reads subsidy statistics only (DESIGN.md §5)
        return figures
    figures.update(
        cases=case_figures(session, start, end),
        observations=observation_figures(session, lower, upper),
        satisfaction=satisfaction_figures(session, lower, upper),
        scores=score_figures(session, start, end),
        monthly=monthly_series(session, start, end),
    )
    return figures
