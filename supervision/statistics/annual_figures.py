"""The annual report's figures for any period, each counted in the database by a grouped query
(one statement per table, ``FILTER``-ed counts and sums), never by a Python loop over rows.

``period_figures`` answers a flat ``{key: number}``; what each key counts is in ``annual_labels``.
Every count is additive over months (the annual figures equal the sum of the monthly ones), so a
report can be checked line by line; rates and shares are derived from the counts afterwards.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.consultations_models import CHANNELS, Consultation
from assignment.consultations_models import OUTCOMES as CONSULTATION_OUTCOMES
from assignment.models import CASE_TYPES, SOURCES, Case
from legalaid import clock
from supervision.complaints.models import UPHELD, Complaint
from supervision.scheduling.models import FollowUpCall, Hearing, Observation
from supervision.scoring.models import CaseClosing, ScoreFile
from supervision.subsidies.models import Subsidy

# The recipient categories of the bureau's report; women come from the applicant's sex.
CATEGORIES = ("migrant_worker", "minor", "elderly", "disabled", "women", "service_member", "others")
LISTED = ("migrant_worker", "minor", "elderly", "disabled", "service_member")
GRADES = ("excellent", "good", "pass", "fail")
APPROVED = ("accepted", "assigned", "in_progress", "closed", "archived")
SHIFT_STATUSES = ("planned", "checked_in", "done", "missed")


def _count(cond) -> sa.ColumnElement:
    return sa.func.count().filter(cond)


def _sum(column, cond=None) -> sa.ColumnElement:
    total = sa.func.sum(column) if cond is None else sa.func.sum(column).filter(cond)
    return sa.func.coalesce(total, 0)


def has_category(category: str) -> sa.ColumnElement:
    """The case's applicant is in ``category`` (the JSON list read as text: same on both databases)."""
    return sa.cast(Case.applicant_categories, sa.Text).like(f'%"{category}"%')


def category_condition(category: str) -> sa.ColumnElement:
    """Which cases' applicants count as persons of ``category`` (the drill-down uses the same)."""
    if category == "women":
        return Case.applicant_sex == "female"
    if category == "others":
        return sa.and_(
            sa.or_(Case.applicant_sex.is_(None), Case.applicant_sex != "female"),
            *(sa.not_(has_category(c)) for c in LISTED),
        )
    return has_category(category)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return clock.day_bounds(start)[0], clock.day_bounds(end)[1]


Periods = list[tuple[dt.date, dt.date]]


def _counted(session: Session, columns, periods: Periods, day_range, *where, select_from=None) -> list[dict]:
    """One statement for every period: ``columns(inside)`` gives the figures of one period (each an
    aggregate filtered by ``inside``); ``day_range(start, end)`` is a period's condition. The rows read
    are those of the periods together (this year and the year before: one scan, not two)."""
    built = [columns(day_range(a, b)) for a, b in periods]
    exprs = [expr for cols in built for expr in cols.values()]
    stmt = sa.select(*(e.label(f"c{i}") for i, e in enumerate(exprs)))
    if select_from is not None:
        stmt = stmt.select_from(select_from)
    whole = sa.or_(*(day_range(a, b) for a, b in _merged(periods)))
    row = iter(session.execute(stmt.where(whole, *where)).one())
    return [{name: next(row) or 0 for name in cols} for cols in built]


def _merged(periods: Periods) -> Periods:
    """Overlapping or adjacent periods as one (this year and the year before are adjacent)."""
    out: Periods = []
    for a, b in sorted(periods):
        if out and a <= out[-1][1] + dt.timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _days(column):
    return lambda a, b: column.between(a, b)


def _instants(column):
    def inside(a, b):
        lower, upper = _bounds(a, b)
        return sa.and_(column >= lower, column < upper)

    return inside


def case_counts(session: Session, periods: Periods) -> list[dict]:
    """Cases whose application was received in the period (``received_on``)."""
    stations = station_columns_exist(session)

    def columns(inside):
        def count(cond=None):
            return _count(inside if cond is None else sa.and_(inside, cond))

        c = {"cases.received": count()}
        for t in CASE_TYPES:
            c[f"cases.type.{t}"] = count(Case.case_type == t)
        for s in SOURCES:
            c[f"cases.source.{s}"] = count(Case.source == s)
        c["cases.green_channel"] = count(Case.green_channel.is_(True))
        c["persons.total"] = _sum(Case.group_size, inside)
        for cat in CATEGORIES:
            c[f"persons.{cat}"] = _sum(Case.group_size, sa.and_(inside, category_condition(cat)))
        c["civil.migrant_worker"] = count(sa.and_(Case.case_type == "civil", has_category("migrant_worker")))
        c["closure.approved"] = count(Case.status.in_(APPROVED))
        c["closure.closed"] = count(Case.status.in_(("closed", "archived")))
        if stations:
            c["stations.taken"] = count(Case.station_id.is_not(None))
            c["stations.forwarded_late"] = count(late_forwarding(session))
        return c

    return [
        {k: int(v) for k, v in d.items()}
        for d in _counted(session, columns, periods, _days(Case.received_on))
    ]


_SCHEMA_SEEN: dict[tuple[str, str], bool] = {}


def station_columns_exist(session: Session) -> bool:
    """The stations' columns of issue 14 (migration 0014), once they are in the model and the schema."""
    if not all(hasattr(Case, c) for c in ("station_id", "station_received_at", "centre_received_at")):
        return False
    return _has_columns(session, "legal_case", ("station_id", "station_received_at", "centre_received_at"))


def _has_columns(session: Session, table: str, columns: tuple[str, ...]) -> bool:
    """Whether the migrated schema has them (asked once per database: migrations run before start)."""
    key = (str(session.get_bind().url), table)
    if key not in _SCHEMA_SEEN:
        inspector = sa.inspect(session.connection())
        present = {c["name"] for c in inspector.get_columns(table)} if inspector.has_table(table) else set()
        _SCHEMA_SEEN[key] = set(columns) <= present
    return _SCHEMA_SEEN[key]


def late_forwarding(session: Session) -> sa.ColumnElement:
    """Taken at a station and reaching the centre after the forwarding limit, as judged by the one
    rule when the centre received it (``assignment.station_cases.judge_forwarding``)."""
    return Case.forwarded_late.is_(True)


def closing_counts(session: Session, periods: Periods) -> list[dict]:
    """Closing reports whose case ended in the period; the amount recovered is the sum of those given."""

    def columns(inside):
        return {
            "closings.ended": _count(inside),
            "recovered.cases": _count(sa.and_(inside, CaseClosing.recovered_fen.is_not(None))),
            "recovered.fen": _sum(CaseClosing.recovered_fen, inside),
        }

    rows = _counted(session, columns, periods, _days(CaseClosing.ended_on))
    return [{k: int(v) for k, v in d.items()} for d in rows]


def consultation_counts(session: Session, periods: Periods) -> list[dict]:
    def columns(inside):
        c = {"consultations.total": _count(inside)}
        for ch in CHANNELS:
            c[f"consultations.channel.{ch}"] = _count(sa.and_(inside, Consultation.channel == ch))
        for o in CONSULTATION_OUTCOMES:
            c[f"consultations.outcome.{o}"] = _count(sa.and_(inside, Consultation.outcome == o))
        c["consultations.at_stations"] = _count(sa.and_(inside, Consultation.station_id.is_not(None)))
        return c

    return _counted(session, columns, periods, _instants(Consultation.occurred_at))


def complaint_counts(session: Session, periods: Periods) -> list[dict]:
    """Complaints received in the period; upheld (any upheld outcome); answered, and answered by the
    answer-by date."""
    answered = Complaint.answered_on.is_not(None)

    def columns(inside):
        return {
            "complaints.received": _count(inside),
            "complaints.upheld": _count(sa.and_(inside, Complaint.outcome.in_(UPHELD))),
            "complaints.answered": _count(sa.and_(inside, answered)),
            "complaints.answered_in_time": _count(
                sa.and_(inside, answered, Complaint.answered_on <= Complaint.answer_by)
            ),
        }

    return _counted(session, columns, periods, _days(Complaint.received_on))


def score_counts(session: Session, periods: Periods) -> list[dict]:
    """Score files made final in the period: how many, their total points (for the average), by grade."""

    def columns(inside):
        c = {"scores.files": _count(inside), "scores.points": _sum(ScoreFile.total, inside)}
        for g in GRADES:
            c[f"scores.grade.{g}"] = _count(sa.and_(inside, ScoreFile.grade == g))
        return c

    rows = _counted(session, columns, periods, _days(ScoreFile.finalised_on), ScoreFile.status == "final")
    for d in rows:
        d["scores.points"] = float(d["scores.points"])
    return rows


def supervision_counts(session: Session, periods: Periods) -> list[dict]:
    """Observations planned and reported for hearings held in the period; follow-up calls due in the
    period and those of them done."""

    def observations(inside):
        return {
            "observations.planned": _count(sa.and_(inside, Observation.status != "cancelled")),
            "observations.done": _count(sa.and_(inside, Observation.status == "reported")),
        }

    def calls(inside):
        return {
            "calls.planned": _count(sa.and_(inside, FollowUpCall.status != "cancelled")),
            "calls.done": _count(sa.and_(inside, FollowUpCall.done_at.is_not(None))),
        }

    held = _counted(
        session,
        observations,
        periods,
        _instants(Hearing.starts_at),
        Hearing.status != "cancelled",
        select_from=sa.join(Observation, Hearing, Hearing.id == Observation.hearing_id),
    )
    due = _counted(session, calls, periods, _days(FollowUpCall.due_on))
    return [{**h, **d} for h, d in zip(held, due, strict=True)]


def subsidy_counts(session: Session, periods: Periods) -> list[dict]:
    def columns(inside):
        return {"subsidies.paid": _count(inside), "subsidies.paid_fen": _sum(Subsidy.amount_fen, inside)}

    rows = _counted(
        session, columns, periods, _days(Subsidy.paid_on), Subsidy.status.in_(("paid", "reversed"))
    )
    return [{k: int(v) for k, v in d.items()} for d in rows]


def legal_help(shift_model, kind: str) -> sa.ColumnElement:
    """How many times the shift gave legal help of ``kind`` (its check-out's ``{kind: n}``)."""
    return sa.func.coalesce(shift_model.legal_help[kind].as_integer(), 0)


def duty_counts(session: Session, periods: Periods) -> list[dict]:
    """Duty shifts on days of the period, by status (issue 14's rota, once its table exists)."""
    try:
        from assignment.duty.models import LEGAL_HELP_KINDS, DutyShift
    except ImportError:
        return [{} for _ in periods]
    if not _has_columns(session, "duty_shift", ("on_date", "status", "legal_help")):
        return [{} for _ in periods]

    def columns(inside):
        c = {"duty.shifts": _count(inside)}
        for st in SHIFT_STATUSES:
            c[f"duty.{st}"] = _count(sa.and_(inside, DutyShift.status == st))
        for kind in LEGAL_HELP_KINDS:  # legal help given on the shift, counted at check-out
            c[f"duty.help.{kind}"] = _sum(legal_help(DutyShift, kind), inside)
        return c

    return _counted(session, columns, periods, _days(DutyShift.on_date))


def figures_for_periods(session: Session, periods: Periods, *, subsidies_only: bool = False) -> list[dict]:
    """Every count of the annual report for each of ``periods`` (days both included), one statement
    per table for all of them."""
    out = [dict(d) for d in subsidy_counts(session, periods)]
    if subsidies_only:
        return out
    for part in (
        case_counts,
        closing_counts,
        consultation_counts,
        complaint_counts,
        score_counts,
        supervision_counts,
        duty_counts,
    ):
        for figures, more in zip(out, part(session, periods), strict=True):
            figures.update(more)
    return out


def period_figures(session: Session, start: dt.date, end: dt.date, *, subsidies_only: bool = False) -> dict:
    """Every count of the annual report for ``start``..``end`` (both included)."""
    return figures_for_periods(session, [(start, end)], subsidies_only=subsidies_only)[0]
