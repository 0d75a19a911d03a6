"""Every statutory limit of DESIGN.md §4 tracked per case, for the coordinators' "due today and
overdue" page and their morning digest: decision 7 days, assignment 3, acceptance 2, retainer 5,
closing materials 30, file review 30, subsidy 90. A limit counts calendar days unless the
``DEADLINE_UNITS`` setting switches it to working days (the calendar of ``workdays``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from assignment.deadlines import due_date, limits
from assignment.models import Assignment, Case
from assignment.station_cases import awaiting_forwarding, forwarding_deadline
from legalaid import clock

DEADLINES = {
    "forwarding": _l("Station forwards the application to the centre"),  # Law art. 39, local practice
    "decision": _l("Decide on the application"),  # Law art. 43
    "assignment": _l("Assign the case"),  # Law art. 43
    "acceptance": _l("Provider's answer to the assignment"),  # local practice
    "retainer": _l("Retainer and power of attorney signed"),  # procedure rules 2023 art. 27
    "closing_materials": _l("Closing materials handed in"),  # local guides
    "file_review": _l("File reviewed (scored and archived)"),  # local guides
    "subsidy": _l("Subsidy paid"),  # Hunan guide
}


@dataclass
class Deadline:
    case_id: int
    case_number: str
    name: str
    due_on: dt.date
    today: dt.date
    order: tuple = ()  # (kind's rank, its start, case id): the list's order after the due day

    @property
    def label(self) -> str:
        return str(DEADLINES[self.name])

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.due_on).days, 0)

    @property
    def state(self) -> str:
        if self.today > self.due_on:
            return "overdue"
        return "due_today" if self.today == self.due_on else "upcoming"

    @property
    def sort_key(self) -> tuple:
        return (self.due_on, *self.order)


RANK = {name: i for i, name in enumerate(DEADLINES)}
# The list counts this far (past it the total is "more than"), and pages this deep (issue 16): a
# count walks the same indexes as the page, past the files already archived or subsidies paid.
COUNT_CAP = 1_000
DEPTH = 10_000


@dataclass
class DeadlinePage:
    rows: list[Deadline]
    total: int
    capped: bool


class _Due:
    """The one calculator (``assignment.deadlines.due_date``) asked once per limit and day of start:
    each page reads its rows first, then counts their days here."""

    def __init__(self, session: Session):
        self.session, self.table, self.seen = session, limits(), {}

    def __call__(self, name: str, start: dt.date, paused: int = 0) -> dt.date:
        key = (name, start)
        if key not in self.seen:
            self.seen[key] = due_date(self.session, name, start, table=self.table)
        return self.seen[key] + dt.timedelta(days=paused)

    def last_start(self, name: str, last_due: dt.date) -> dt.date:
        """The last day of start whose limit ``name`` falls on ``last_due`` or earlier. A limit of N
        days (calendar or working) ends N calendar days after its start at the soonest, so the search
        starts there and steps back over the holidays the calculator counts."""
        start = last_due - dt.timedelta(days=self.table[f"{name}_days"])
        while self(name, start) > last_due:
            start -= dt.timedelta(days=1)
        return start


@dataclass(frozen=True)
class _Stream:
    """One limit whose last day only moves forward with its start (``key``, indexed): the rows read
    in ``key`` order are in the order of their due days, so a page reads at most as many rows of each
    limit as the page needs, and a due range is an indexed range of ``key``."""

    name: str
    stmt: sa.Select  # (case id, case number, key) of the cases whose limit is open
    key: sa.ColumnElement
    tie: sa.ColumnElement  # key's tie-breaker, the same in the statement's order and the page's
    moment: bool = False  # key is an instant (the offer's answer time), not a day

    def due(self, due: _Due, key) -> dt.date:
        return clock.local_date(key) if self.moment else due(self.name, key)

    def bounds(self, due: _Due, first: dt.date | None, last: dt.date | None) -> list:
        out = []
        if self.moment:
            if first is not None:
                out.append(self.key >= clock.day_bounds(first)[0])
            if last is not None:
                out.append(self.key < clock.day_bounds(last)[1])
            return out
        if first is not None:
            out.append(self.key > due.last_start(self.name, first - dt.timedelta(days=1)))
        if last is not None:
            out.append(self.key <= due.last_start(self.name, last))
        return out


def _streams() -> list[_Stream]:
    streams = [
        _Stream(
            "assignment",
            sa.select(Case.id, Case.number, Case.decided_on).where(
                Case.status == "accepted", Case.decided_on.is_not(None)
            ),
            Case.decided_on,
            Case.id,
        ),
        _Stream(
            "acceptance",
            sa.select(Case.id, Case.number, Assignment.respond_by)
            .join(Assignment, Assignment.case_id == Case.id)
            .where(Assignment.status == "offered", Assignment.live.is_(True)),
            Assignment.respond_by,
            Assignment.id,
            moment=True,
        ),
    ]
    try:
        from supervision.scoring.models import CaseClosing
        from supervision.subsidies.models import ArchiveRecord, Subsidy
    except ImportError:  # pragma: no cover - a build without scoring and subsidies
        return streams
    # The retainer (5 days after assignment) has no date until the closing reports it, so it is
    # judged by scoring's timeliness item, not tracked here.
    streams += [
        _Stream(
            "closing_materials",
            sa.select(Case.id, Case.number, CaseClosing.ended_on)
            .join(CaseClosing, CaseClosing.case_id == Case.id)
            .where(CaseClosing.documents_complete_on.is_(None), Case.status == "closed"),
            CaseClosing.ended_on,
            CaseClosing.case_id,
        ),
        _Stream(
            "file_review",
            sa.select(Case.id, Case.number, CaseClosing.documents_complete_on)
            .join(CaseClosing, CaseClosing.case_id == Case.id)
            .where(
                CaseClosing.documents_complete_on.is_not(None),
                ~sa.exists().where(ArchiveRecord.case_id == CaseClosing.case_id),
            ),
            CaseClosing.documents_complete_on,
            CaseClosing.case_id,
        ),
    ] + [
        # One run per state: each is read off the (status, archived_on) index, in order, without
        # walking past the subsidies already paid.
        _Stream(
            "subsidy",
            sa.select(Case.id, Case.number, Subsidy.archived_on)
            .join(Subsidy, Subsidy.case_id == Case.id)
            .where(
                Subsidy.status == state,
                Subsidy.archived_on.is_not(None),
                Subsidy.reversal_of_id.is_(None),
            ),
            Subsidy.archived_on,
            Subsidy.id,
        )
        for state in ("payable", "batched", "held")
    ]
    return streams


def _intake_deadlines(session: Session, due: _Due, today: dt.date, names) -> list[Deadline]:
    """Decision and forwarding: applications still waiting for the centre, which the 7-day and 3-day
    limits keep few; their last day also depends on the paused days or a detained applicant, so they
    are read whole and counted one by one."""
    found = []
    if "decision" in names:
        # Decision: 7 days from the centre's receipt; the clock stands still while materials are
        # awaited and has not started while a station still holds the application (forwarding).
        for cid, number, received, paused, taken, reached in session.execute(
            sa.select(
                Case.id,
                Case.number,
                Case.received_on,
                Case.paused_days,
                Case.station_received_at,
                Case.centre_received_at,
            ).where(Case.status == "applied", Case.source == "application")
        ):
            if reached is not None:
                received = clock.local_date(reached)
            elif taken is not None:
                continue
            on = due("decision", received, paused or 0)
            found.append(Deadline(cid, number, "decision", on, today, (RANK["decision"], received, cid)))
    if "forwarding" in names:
        # A station's application reaches the centre within 3 working days, 24 hours for a detained
        # applicant (issue 14), the last day of its exact due moment.
        days: dict[dt.date, dt.date] = {}  # an ordinary application's limit depends only on its day
        for case in awaiting_forwarding(session):
            taken = clock.local_date(case.station_received_at)
            if case.detained or taken not in days:
                on = forwarding_deadline(session, case)["due_on"]
                if not case.detained:
                    days[taken] = on
            else:
                on = days[taken]
            order = (RANK["forwarding"], taken, case.id)
            found.append(Deadline(case.id, case.number, "forwarding", on, today, order))
    return found


def deadline_page(
    session: Session,
    *,
    today: dt.date | None = None,
    name: str | None = None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    descending: bool = False,
    offset: int = 0,
    limit: int | None = None,
    count: bool = True,
) -> DeadlinePage:
    """The open deadlines (of limit ``name``, or all) whose last day is within ``due_from`` ..
    ``due_to`` (both included; None: unbounded), in the order of their due days (then the limit, its
    start and the case), one page of them (``offset``, ``limit``; None: all).

    The database chooses and orders the page: each limit's rows are read in the order of its start
    column (an index), at most ``offset + limit`` of them, since a later start never falls due sooner;
    a due range is turned into a range of starts by the same calculator. ``total`` counts up to
    ``COUNT_CAP`` or the end of the page (``capped``: there are more); the statements are the same
    whatever the data size."""
    today = today or clock.today()
    due = _Due(session)
    names = [name] if name else list(DEADLINES)
    need = None if limit is None else offset + limit
    found = [
        d
        for d in _intake_deadlines(session, due, today, names)
        if (due_from is None or d.due_on >= due_from) and (due_to is None or d.due_on <= due_to)
    ]
    total = len(found)
    cap = max(COUNT_CAP, need or 0)
    for stream in _streams():
        if stream.name not in names:
            continue
        stmt = stream.stmt.add_columns(stream.tie).where(*stream.bounds(due, due_from, due_to))
        if count and total <= cap:  # each limit counts only what the cap has left
            bounded = stmt.with_only_columns(stream.tie).limit(cap + 1 - total).subquery()
            total += session.scalar(sa.select(sa.func.count()).select_from(bounded))
        if descending:
            stmt = stmt.order_by(stream.key.desc(), stream.tie.desc())
        else:
            stmt = stmt.order_by(stream.key, stream.tie)
        if need is not None:
            stmt = stmt.limit(need)
        rank = RANK[stream.name]
        for cid, number, key, tie in session.execute(stmt):
            order = (rank, key, tie)
            found.append(Deadline(cid, number, stream.name, stream.due(due, key), today, order))
    found.sort(key=lambda d: d.sort_key, reverse=descending)
    rows = found[offset:need] if need is not None else found[offset:]
    return DeadlinePage(rows, min(total, cap), total > cap)


def open_deadlines(
    session: Session, today: dt.date | None = None, upto: dt.date | None = None
) -> list[Deadline]:
    """Deadlines not yet met whose last day is ``upto`` (default today) or earlier, most overdue first."""
    today = today or clock.today()
    return deadline_page(session, today=today, due_to=upto or today, count=False).rows
