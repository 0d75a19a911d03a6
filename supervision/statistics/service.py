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


def _month_of(day) -> str:
    """'YYYY-MM' of a date (SQLite may hand a grouped date back as text)."""
    return day.strftime("%Y-%m") if hasattr(day, "strftime") else str(day)[:7]


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise Invalid(
            say("The period ends before it starts."), fields={"to": [say("Must not be before 'from'.")]}
        )
    if (end - start).days > 3660:
        raise Invalid(
            say("A period of at most ten years."), fields={"from": [say("At most ten years before 'to'.")]}
        )


def _per_month(rows) -> dict[str, int]:
    """(day, n) rows summed per month ('YYYY-MM'); rows without a day left out."""
    months: dict[str, int] = {}
    for day, n in rows:
        if day is not None:
            months[_month_of(day)] = months.get(_month_of(day), 0) + n
    return months


def case_figures(session: Session, start: dt.date, end: dt.date) -> tuple[dict, dict[str, int]]:
    """The cases' figures and the cases received per month, in one statement over the
    ``received_on`` index (index only): the period's cases hashed by month, type, status and green
    channel (a few hundred groups, whatever the number of cases; grouping by day first to use the
    index's order sorted 155,000 rows again: 87 ms against 51), and one row (without a month)
    counting the period just before."""
    previous_start = start - (end - start) - dt.timedelta(days=1)
    keys = (Case.case_type, Case.status, Case.green_channel)
    if session.get_bind().dialect.name == "sqlite":
        month = sa.func.strftime("%Y-%m", Case.received_on)
    else:  # the month's first day (without a time zone), cheaper per row than to_char's text
        month = sa.func.date_trunc("month", sa.cast(Case.received_on, sa.DateTime))
    per_month = (
        sa.select(month, *keys, sa.func.count())
        .where(Case.received_on.between(start, end))
        .group_by(month, *keys)
    )
    before = sa.select(sa.null(), sa.null(), sa.null(), sa.null(), sa.func.count()).where(
        Case.received_on.between(previous_start, start - dt.timedelta(days=1))
    )
    rows = [
        (key if key is None or isinstance(key, str) else key.strftime("%Y-%m"), *rest)
        for key, *rest in session.execute(sa.union_all(per_month, before)).all()
    ]
    current = [row for row in rows if row[0] is not None]
    previous = sum(int(row[4]) for row in rows if row[0] is None)
    by_type = dict.fromkeys(CASE_TYPES, 0)
    by_status: dict[str, int] = {}
    received_per_month: dict[str, int] = {}
    green = 0
    for key, case_type, status, green_channel, n in current:
        n = int(n)
        by_type[case_type] = by_type.get(case_type, 0) + n
        by_status[status] = by_status.get(status, 0) + n
        received_per_month[key] = received_per_month.get(key, 0) + n
        green += n if green_channel else 0
    received = sum(by_type.values())
    approved = sum(n for s, n in by_status.items() if s in APPROVED)
    closed = by_status.get("closed", 0) + by_status.get("archived", 0)
    figures = {
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
    return figures, received_per_month


def observation_figures(session: Session, lower: dt.datetime, upper: dt.datetime) -> dict:
    """Hearings held in the period (not cancelled), with their observation (at most one each)."""
    hearings, planned, observed = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(Observation.status != "cancelled"),
            sa.func.count().filter(Observation.status == "reported"),
        )
        .select_from(Hearing)
        .outerjoin(Observation, Observation.hearing_id == Hearing.id)
        .where(Hearing.starts_at >= lower, Hearing.starts_at < upper, Hearing.status != "cancelled")
    ).one()
    return {
        "hearings": hearings,
        "planned": planned,
        "observed": observed,
        "coverage": _ratio(observed, hearings),
    }


def satisfaction_figures(session: Session, lower: dt.datetime, upper: dt.datetime) -> dict:
    """Answers of the reached calls in the period, and the calls done in it, in one statement."""
    answered_in_period = sa.and_(
        CallAttempt.at >= lower,
        CallAttempt.at < upper,
        CallAttempt.reached.is_(True),
        CallAttempt.satisfaction.is_not(None),
    )
    answers = sa.select(
        *(sa.func.count().filter(CallAttempt.satisfaction == s) for s in SATISFACTION),
        sa.func.count(),
    ).where(answered_in_period)
    calls_done = (
        sa.select(sa.func.count())
        .select_from(FollowUpCall)
        .where(FollowUpCall.done_at >= lower, FollowUpCall.done_at < upper)
        .scalar_subquery()
    )
    *counts, answered, done = session.execute(answers.add_columns(calls_done)).one()
    counts = dict(zip(SATISFACTION, counts, strict=True))
    return {
        "answers": counts,
        "answered": answered,
        "calls_done": done,
        "satisfied_share": _ratio(counts["satisfied"] + counts["basically_satisfied"], answered),
    }


def score_figures(session: Session, start: dt.date, end: dt.date) -> dict:
    *counts, average = session.execute(
        sa.select(
            *(sa.func.count().filter(ScoreFile.grade == g) for g in GRADES),
            sa.func.avg(ScoreFile.total),
        ).where(ScoreFile.status == "final", ScoreFile.finalised_on.between(start, end))
    ).one()
    grades = dict(zip(GRADES, counts, strict=True))
    return {
        "files": sum(grades.values()),
        "grades": grades,
        "average": float(Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
        if average is not None
        else None,
    }


PAID = ("paid", "reversed")


def subsidy_figures(session: Session, start: dt.date, end: dt.date) -> tuple[dict, dict[str, int]]:
    """Paid in the period (by ``paid_on``; reversals count, negative), payable and held now; and the
    amount paid per month: one statement of two grouped ranges of the (status, paid_on) index."""
    money = (sa.func.count(), sa.func.coalesce(sa.func.sum(Subsidy.amount_fen), 0))
    paid = (
        sa.select(Subsidy.status, Subsidy.paid_on, *money)
        .where(Subsidy.status.in_(PAID), Subsidy.paid_on.between(start, end))
        .group_by(Subsidy.status, Subsidy.paid_on)
    )
    waiting = (
        sa.select(Subsidy.status, sa.null(), *money)
        .where(Subsidy.status.in_(("payable", "held")))
        .group_by(Subsidy.status)
    )
    rows = session.execute(sa.union_all(paid, waiting)).all()

    def total(*statuses: str) -> dict:
        of = [row for row in rows if row[0] in statuses]
        return {"count": sum(r[2] for r in of), "amount_fen": sum(int(r[3]) for r in of)}

    figures = {"paid": total(*PAID), "payable": total("payable"), "held": total("held")}
    return figures, _per_month((r[1], int(r[3])) for r in rows if r[0] in PAID)


def closed_per_month(session: Session, start: dt.date, end: dt.date) -> dict[str, int]:
    return _per_month(
        session.execute(
            sa.select(CaseClosing.ended_on, sa.func.count())
            .where(CaseClosing.ended_on.between(start, end))
            .group_by(CaseClosing.ended_on)
        ).all()
    )


def monthly_series(
    start: dt.date, end: dt.date, received: dict[str, int], closed: dict[str, int], paid: dict[str, int]
) -> list[dict]:
    """Per month of the period: cases received, cases closed (ended), subsidies paid (fen)."""
    months = []
    day = start.replace(day=1)
    while day <= end:
        key = day.strftime("%Y-%m")
        months.append(
            {
                "month": key,
                "received": received.get(key, 0),
                "closed": closed.get(key, 0),
                "paid_fen": paid.get(key, 0),
            }
        )
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def summary(session: Session, start: dt.date, end: dt.date, *, subsidies_only: bool = False) -> dict:
    """The figures of DESIGN.md §1.5 for ``start``..``end`` (both included): one statement per table
    read, each over an indexed range (issue 16), so a year of a province's cases costs a few hundred
    grouped rows, not a pass per figure."""
    check_period(start, end)
    lower, upper = clock.day_bounds(start)[0], clock.day_bounds(end)[1]
    subsidies, paid_per_month = subsidy_figures(session, start, end)
    figures = {"from": start.isoformat(), "to": end.isoformat(), "subsidies": subsidies}
    if subsidies_only:  # finance reads subsidy statistics only (DESIGN.md §5)
        return figures
    cases, received_per_month = case_figures(session, start, end)
    figures.update(
        cases=cases,
        observations=observation_figures(session, lower, upper),
        satisfaction=satisfaction_figures(session, lower, upper),
        scores=score_figures(session, start, end),
        monthly=monthly_series(
            start, end, received_per_month, closed_per_month(session, start, end), paid_per_month
        ),
    )
    return figures
