"""The annual report's figures for any period, each counted in the database by a grouped query
(one statement per table, ``FILTER``-ed counts and sums), never by a Python loop over rows.

``period_figures`` answers a flat ``{key: number}``; what each key counts is in ``annual_labels``.
Every count is additive over months (the annual figures equal the sum of the monthly ones), so a
report can be checked line by line; rates and shares are derived from the counts afterwards.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable

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


def _count(cond=None) -> sa.ColumnElement:
    return sa.func.count() if cond is None else sa.func.count().filter(cond)


def _sum(column, cond=None) -> sa.ColumnElement:
    total = sa.func.sum(column) if cond is None else sa.func.sum(column).filter(cond)
    return sa.func.coalesce(total, 0)


def _and(inside, *conds) -> sa.ColumnElement | None:
    """A period's condition (None: every row read) and a figure's."""
    parts = [c for c in (inside, *conds) if c is not None]
    return sa.and_(*parts) if len(parts) > 1 else (parts[0] if parts else None)


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


Groups = list[tuple[int, tuple, dict]]  # (period's index, the group's keys, its figures)


def _counted(
    session: Session, columns, periods: Periods, days: Days, *where, select_from=None, by=(), groups=None
) -> list[dict]:
    """Every period's figures in one statement: ``columns(None)`` gives the figures (each an aggregate,
    filtered or not); ``days`` reads a period's rows. The rows read are those of the periods together
    (this year and the year before: one scan, not two), grouped by their period (a yes/no, so
    PostgreSQL plans a few groups, not hundreds), so every figure is one aggregate per row, not one per
    row and period. ``by`` groups the rows further: the groups' figures are added up here and, when
    ``groups`` is a list, kept in it. Periods that overlap, or more than two, are one statement each."""
    if len(periods) > 2 or not _apart(periods):
        out = []
        for i, period in enumerate(periods):
            found: Groups = []
            out += _counted(
                session, columns, [period], days, *where, select_from=select_from, by=by, groups=found
            )
            if groups is not None:
                groups += [(i, keys, figures) for _, keys, figures in found]
        return out
    cols = columns(None)
    keys = list(by)
    later = max(range(len(periods)), key=lambda i: periods[i][0])
    if len(periods) == 2:
        keys.insert(0, days.since(periods[later][0]))
    names = [f"counted_key{i}" for i in range(len(keys))]
    stmt = sa.select(
        *(key.label(name) for key, name in zip(keys, names, strict=True)),
        *(e.label(f"c{i}") for i, e in enumerate(cols.values())),
    )
    if select_from is not None:
        stmt = stmt.select_from(select_from)
    whole = sa.or_(*(days.within(a, b) for a, b in _merged(periods)))
    stmt = stmt.where(whole, *where).group_by(*(sa.literal_column(n) for n in names))
    out = [dict.fromkeys(cols, 0) for _ in periods]
    for row in session.execute(stmt):
        found = tuple(row[: len(keys)])
        if len(periods) == 2:
            period, found = (later if found[0] else 1 - later), found[1:]
        else:
            period = 0
        figures = {name: value or 0 for name, value in zip(cols, row[len(keys) :], strict=True)}
        for name, value in figures.items():
            out[period][name] += value
        if groups is not None:
            groups.append((period, found, figures))
    return out


def _apart(periods: Periods) -> bool:
    """No day is in two of the periods."""
    ordered = sorted(periods)
    return all(later[0] > earlier[1] for earlier, later in zip(ordered, ordered[1:], strict=False))


def _merged(periods: Periods) -> Periods:
    """Overlapping or adjacent periods as one (this year and the year before are adjacent)."""
    out: Periods = []
    for a, b in sorted(periods):
        if out and a <= out[-1][1] + dt.timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


@dataclasses.dataclass(frozen=True)
class Days:
    """How a table's rows fall in periods: ``within(start, end)``, ``since(start)``."""

    within: Callable[[dt.date, dt.date], sa.ColumnElement]
    since: Callable[[dt.date], sa.ColumnElement]


def _days(column) -> Days:
    return Days(lambda a, b: column.between(a, b), lambda a: column >= a)


def _instants(column) -> Days:
    def within(a, b):
        lower, upper = _bounds(a, b)
        return sa.and_(column >= lower, column < upper)

    return Days(within, lambda a: column >= clock.day_bounds(a)[0])


def case_counts(session: Session, periods: Periods) -> list[dict]:
    """Cases whose application was received in the period (``received_on``). The recipients by
    category are counted per list of categories (a few distinct lists among a year's cases), each
    list judged once as ``has_category`` judges a case, not once per case and category."""
    stations = station_columns_exist(session)

    def columns(inside):
        def count(*conds):
            return _count(_and(inside, *conds))

        c = {"cases.received": count()}
        for t in CASE_TYPES:
            c[f"cases.type.{t}"] = count(Case.case_type == t)
        for s in SOURCES:
            c[f"cases.source.{s}"] = count(Case.source == s)
        c["cases.green_channel"] = count(Case.green_channel.is_(True))
        c["persons.total"] = _sum(Case.group_size, inside)
        c["persons.women"] = _sum(Case.group_size, _and(inside, category_condition("women")))
        c["closure.approved"] = count(Case.status.in_(APPROVED))
        c["closure.closed"] = count(Case.status.in_(("closed", "archived")))
        if stations:
            c["stations.taken"] = count(Case.station_id.is_not(None))
            c["stations.forwarded_late"] = count(late_forwarding(session))
        return c

    groups: Groups = []
    by = (sa.cast(Case.applicant_categories, sa.Text),)
    counted = _counted(session, columns, periods, _days(Case.received_on), by=by, groups=groups)
    out = [{k: int(v) for k, v in d.items()} for d in counted]
    for figures in out:
        figures.update({f"persons.{c}": 0 for c in (*LISTED, "others")}, **{"civil.migrant_worker": 0})
    for period, (listed,), group in groups:
        if listed is None:  # as in SQL: no list, in no category (nor in "others")
            continue
        figures, persons = out[period], int(group["persons.total"])
        found = [c for c in LISTED if listed_has(listed, c)]
        for c in found:
            figures[f"persons.{c}"] += persons
        if not found:  # in no listed category and not a woman (the applicant's sex empty or male)
            figures["persons.others"] += persons - int(group["persons.women"])
        if "migrant_worker" in found:
            figures["civil.migrant_worker"] += int(group["cases.type.civil"])
    return out


def listed_has(listed: str, category: str) -> bool:
    """``has_category`` on the JSON list's text: ``LIKE '%"category"%'`` (``_`` any one character)."""
    return re.search(re.escape(f'"{category}"').replace("_", "."), listed) is not None


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


def closing_counts(session: Session, periods: Periods, months: Groups | None = None) -> list[dict]:
    """Closing reports whose case ended in the period; the amount recovered is the sum of those given.
    With ``months`` (a list), also per month of the end, kept in it (the monthly trend)."""

    def columns(inside):
        return {
            "closings.ended": _count(inside),
            "recovered.cases": _count(_and(inside, CaseClosing.recovered_fen.is_not(None))),
            "recovered.fen": _sum(CaseClosing.recovered_fen, inside),
        }

    by = () if months is None else (month_of(session, CaseClosing.ended_on),)
    rows = _counted(session, columns, periods, _days(CaseClosing.ended_on), by=by, groups=months)
    return [{k: int(v) for k, v in d.items()} for d in rows]


def consultation_counts(session: Session, periods: Periods, months: Groups | None = None) -> list[dict]:
    """Consultations held in the period; with ``months`` (a list), also per month of the centre's
    calendar, kept in it (the monthly trend)."""

    def columns(inside):
        c = {"consultations.total": _count(inside)}
        for ch in CHANNELS:
            c[f"consultations.channel.{ch}"] = _count(_and(inside, Consultation.channel == ch))
        for o in CONSULTATION_OUTCOMES:
            c[f"consultations.outcome.{o}"] = _count(_and(inside, Consultation.outcome == o))
        c["consultations.at_stations"] = _count(_and(inside, Consultation.station_id.is_not(None)))
        return c

    by = (
        ()
        if months is None
        else (month_of(session, local_time(session, Consultation.occurred_at, periods[0][0])),)
    )
    return _counted(session, columns, periods, _instants(Consultation.occurred_at), by=by, groups=months)


def complaint_counts(session: Session, periods: Periods) -> list[dict]:
    """Complaints received in the period; upheld (any upheld outcome); answered, and answered by the
    answer-by date."""
    answered = Complaint.answered_on.is_not(None)

    def columns(inside):
        return {
            "complaints.received": _count(inside),
            "complaints.upheld": _count(_and(inside, Complaint.outcome.in_(UPHELD))),
            "complaints.answered": _count(_and(inside, answered)),
            "complaints.answered_in_time": _count(
                _and(inside, answered, Complaint.answered_on <= Complaint.answer_by)
            ),
        }

    return _counted(session, columns, periods, _days(Complaint.received_on))


def score_counts(session: Session, periods: Periods) -> list[dict]:
    """Score files made final in the period: how many, their total points (for the average), by grade."""

    def columns(inside):
        c = {"scores.files": _count(inside), "scores.points": _sum(ScoreFile.total, inside)}
        for g in GRADES:
            c[f"scores.grade.{g}"] = _count(_and(inside, ScoreFile.grade == g))
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
            "observations.planned": _count(_and(inside, Observation.status != "cancelled")),
            "observations.done": _count(_and(inside, Observation.status == "reported")),
        }

    def calls(inside):
        return {
            "calls.planned": _count(_and(inside, FollowUpCall.status != "cancelled")),
            "calls.done": _count(_and(inside, FollowUpCall.done_at.is_not(None))),
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
            c[f"duty.{st}"] = _count(_and(inside, DutyShift.status == st))
        for kind in LEGAL_HELP_KINDS:  # legal help given on the shift, counted at check-out
            c[f"duty.help.{kind}"] = _sum(legal_help(DutyShift, kind), inside)
        return c

    return _counted(session, columns, periods, _days(DutyShift.on_date))


def figures_for_periods(
    session: Session, periods: Periods, *, subsidies_only: bool = False, months: dict | None = None
) -> list[dict]:
    """Every count of the annual report for each of ``periods`` (days both included), one statement
    per table for all of them. With ``months`` (a dict), the closings' and consultations' figures per
    month are kept in it too (``months["closings"]``, ``months["consultations"]``): the monthly trend
    reads them instead of reading the tables again."""
    out = [dict(d) for d in subsidy_counts(session, periods)]
    if subsidies_only:
        return out
    closings = None if months is None else months.setdefault("closings", [])
    consultations = None if months is None else months.setdefault("consultations", [])
    parts = [
        case_counts(session, periods),
        closing_counts(session, periods, closings),
        consultation_counts(session, periods, consultations),
        *(
            part(session, periods)
            for part in (complaint_counts, score_counts, supervision_counts, duty_counts)
        ),
    ]
    for counted in parts:
        for figures, more in zip(out, counted, strict=True):
            figures.update(more)
    return out


def month_of(session: Session, column):
    """'YYYY-MM' of a date (or a local time), in the database."""
    if session.get_bind().dialect.name == "sqlite":
        return sa.func.strftime("%Y-%m", column)
    return sa.func.to_char(column, "YYYY-MM")


def local_time(session: Session, column, day: dt.date):
    """A UTC timestamp column as the centre's local time (SQLite keeps naive UTC text)."""
    tz = clock.centre_tz()
    if session.get_bind().dialect.name != "sqlite":
        return sa.func.timezone(str(tz.key), column)
    return sa.func.datetime(column, f"{_utc_offset_hours(tz, day):+d} hours")


def _utc_offset_hours(tz, day: dt.date) -> int:
    offset = dt.datetime.combine(day, dt.time(12), tzinfo=tz).utcoffset() or dt.timedelta()
    return int(offset.total_seconds() // 3600)


def period_figures(session: Session, start: dt.date, end: dt.date, *, subsidies_only: bool = False) -> dict:
    """Every count of the annual report for ``start``..``end`` (both included)."""
    return figures_for_periods(session, [(start, end)], subsidies_only=subsidies_only)[0]
