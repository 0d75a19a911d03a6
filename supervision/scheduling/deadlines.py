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

from assignment.deadlines import due_date
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

    @property
    def label(self) -> str:
        return str(DEADLINES[self.name])

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.due_on).days, 0)

    @property
    def state(self) -> str:
        return "overdue" if self.today > self.due_on else "due_today"


def open_deadlines(
    session: Session, today: dt.date | None = None, upto: dt.date | None = None
) -> list[Deadline]:
    """Deadlines not yet met whose last day is ``upto`` (default today) or earlier, most overdue first."""
    today = today or clock.today()
    upto = upto or today
    found: list[Deadline] = []

    def add(case_id: int, number: str, name: str, due: dt.date) -> None:
        if due <= upto:
            found.append(Deadline(case_id, number, name, due, today))

    # Decision: 7 days from the centre's receipt; the clock stands still while materials are awaited
    # and has not started while a station still holds the application (forwarding, below).
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
        add(cid, number, "decision", due_date(session, "decision", received, paused or 0))
    # Forwarding: a station's application reaches the centre within 3 working days, 24 hours for a
    # detained applicant (issue 14), the last day of its exact due moment.
    for case in awaiting_forwarding(session):
        add(case.id, case.number, "forwarding", forwarding_deadline(session, case)["due_on"])
    for cid, number, decided in session.execute(
        sa.select(Case.id, Case.number, Case.decided_on).where(
            Case.status == "accepted", Case.decided_on.is_not(None)
        )
    ):
        add(cid, number, "assignment", due_date(session, "assignment", decided))
    for cid, number, respond_by in session.execute(
        sa.select(Case.id, Case.number, Assignment.respond_by)
        .join(Assignment, Assignment.case_id == Case.id)
        .where(Assignment.status == "offered", Assignment.live.is_(True))
    ):
        add(cid, number, "acceptance", clock.local_date(respond_by))
    _closing_deadlines(session, add)
    found.sort(key=lambda d: (d.due_on, d.case_number, d.name))
    return found


def _closing_deadlines(session: Session, add) -> None:
    """Closing materials, file review and subsidy read the closing, archive and subsidy
    tables of supervision's other capabilities, when they are installed."""
    try:
        from supervision.scoring.models import CaseClosing
        from supervision.subsidies.models import ArchiveRecord, Subsidy
    except ImportError:  # pragma: no cover - a build without scoring and subsidies
        return
    # The retainer (5 days after assignment) has no date until the closing reports it, so it is
    # judged by scoring's timeliness item, not tracked here.
    for cid, number, ended_on in session.execute(
        sa.select(Case.id, Case.number, CaseClosing.ended_on)
        .join(CaseClosing, CaseClosing.case_id == Case.id)
        .where(CaseClosing.documents_complete_on.is_(None), Case.status == "closed")
    ):
        add(cid, number, "closing_materials", due_date(session, "closing_materials", ended_on))
    for cid, number, complete_on in session.execute(
        sa.select(Case.id, Case.number, CaseClosing.documents_complete_on)
        .join(CaseClosing, CaseClosing.case_id == Case.id)
        .outerjoin(ArchiveRecord, ArchiveRecord.case_id == Case.id)
        .where(CaseClosing.documents_complete_on.is_not(None), ArchiveRecord.id.is_(None))
    ):
        add(cid, number, "file_review", due_date(session, "file_review", complete_on))
    for cid, number, archived_on in session.execute(
        sa.select(Case.id, Case.number, Subsidy.archived_on)
        .join(Subsidy, Subsidy.case_id == Case.id)
        .where(
            Subsidy.status.in_(("payable", "batched", "held")),
            Subsidy.archived_on.is_not(None),
            Subsidy.reversal_of_id.is_(None),
        )
    ):
        add(cid, number, "subsidy", due_date(session, "subsidy", archived_on))
