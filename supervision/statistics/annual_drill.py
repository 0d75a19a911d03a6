"""Drill-down: the records behind each count of the annual report, filtered as the count is.

``records(session, key, start, end)`` answers the statement of the rows a figure counts, so the list's
total (or, for persons, the sum of applicants) equals the figure; the drill-down page lists them.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.consultations_models import Consultation
from assignment.models import Case
from supervision.complaints.models import UPHELD, Complaint
from supervision.scheduling.models import FollowUpCall, Hearing, Observation
from supervision.scoring.models import CaseClosing, ScoreFile
from supervision.statistics import annual_figures as af
from supervision.subsidies.models import Subsidy


def _case_condition(session: Session, key: str):
    rest = key.split(".")
    if key in ("cases.received", "persons.total"):
        return sa.true()
    if rest[:2] == ["cases", "type"]:
        return Case.case_type == rest[2]
    if rest[:2] == ["cases", "source"]:
        return Case.source == rest[2]
    if key == "cases.green_channel":
        return Case.green_channel.is_(True)
    if rest[0] == "persons" and rest[1] in af.CATEGORIES:
        return af.category_condition(rest[1])
    if key == "civil.migrant_worker":
        return sa.and_(Case.case_type == "civil", af.has_category("migrant_worker"))
    if key == "closure.approved":
        return Case.status.in_(af.APPROVED)
    if key == "closure.closed":
        return Case.status.in_(("closed", "archived"))
    if key == "stations.taken":
        return Case.station_id.is_not(None)
    if key == "stations.forwarded_late":
        return af.late_forwarding(session)
    return None


def _consultation_condition(key: str):
    rest = key.split(".")
    if key == "consultations.total":
        return sa.true()
    if rest[:2] == ["consultations", "channel"]:
        return Consultation.channel == rest[2]
    if rest[:2] == ["consultations", "outcome"]:
        return Consultation.outcome == rest[2]
    if key == "consultations.at_stations":
        return Consultation.station_id.is_not(None)
    return None


COMPLAINTS = {
    "complaints.received": sa.true(),
    "complaints.upheld": Complaint.outcome.in_(UPHELD),
    "complaints.answered": Complaint.answered_on.is_not(None),
    "complaints.answered_in_time": sa.and_(
        Complaint.answered_on.is_not(None), Complaint.answered_on <= Complaint.answer_by
    ),
}


def records(session: Session, key: str, start: dt.date, end: dt.date) -> tuple[str, sa.Select] | None:
    """(kind of record, statement of the records ``key`` counts in ``start``..``end``); None for a
    figure that is not a count (a rate, an average)."""
    lower, upper = af._bounds(start, end)
    if (cond := _case_condition(session, key)) is not None:
        return "case", sa.select(Case).where(Case.received_on.between(start, end), cond).order_by(
            Case.received_on, Case.id
        )
    if (cond := _consultation_condition(key)) is not None:
        return "consultation", sa.select(Consultation).where(
            Consultation.occurred_at >= lower, Consultation.occurred_at < upper, cond
        ).order_by(Consultation.occurred_at, Consultation.id)
    if key in COMPLAINTS:
        return "complaint", sa.select(Complaint).where(
            Complaint.received_on.between(start, end), COMPLAINTS[key]
        ).order_by(Complaint.received_on, Complaint.id)
    if key in ("closings.ended", "recovered.cases"):
        cond = sa.true() if key == "closings.ended" else CaseClosing.recovered_fen.is_not(None)
        return "closing", sa.select(CaseClosing).where(
            CaseClosing.ended_on.between(start, end), cond
        ).order_by(CaseClosing.ended_on, CaseClosing.case_id)
    if key == "scores.files" or key.startswith("scores.grade."):
        cond = sa.true() if key == "scores.files" else ScoreFile.grade == key.rsplit(".", 1)[1]
        return "score", sa.select(ScoreFile).where(
            ScoreFile.status == "final", ScoreFile.finalised_on.between(start, end), cond
        ).order_by(ScoreFile.finalised_on, ScoreFile.case_id)
    if key in ("observations.planned", "observations.done"):
        cond = (
            Observation.status != "cancelled" if key.endswith("planned") else Observation.status == "reported"
        )
        return "observation", (
            sa.select(Observation)
            .join(Hearing, Hearing.id == Observation.hearing_id)
            .where(Hearing.starts_at >= lower, Hearing.starts_at < upper, Hearing.status != "cancelled", cond)
            .order_by(Hearing.starts_at, Observation.id)
        )
    if key in ("calls.planned", "calls.done"):
        cond = (
            FollowUpCall.status != "cancelled"
            if key.endswith("planned")
            else FollowUpCall.done_at.is_not(None)
        )
        return "call", sa.select(FollowUpCall).where(FollowUpCall.due_on.between(start, end), cond).order_by(
            FollowUpCall.due_on, FollowUpCall.id
        )
    if key == "subsidies.paid":
        return "subsidy", sa.select(Subsidy).where(
            Subsidy.status.in_(("paid", "reversed")), Subsidy.paid_on.between(start, end)
        ).order_by(Subsidy.paid_on, Subsidy.id)
    if key.startswith("duty."):
        from assignment.duty.models import DutyShift

        if key.startswith("duty.help."):
            cond = af.legal_help(DutyShift, key.rsplit(".", 1)[1]) > 0
        else:
            cond = sa.true() if key == "duty.shifts" else DutyShift.status == key.split(".")[1]
        return "shift", sa.select(DutyShift).where(DutyShift.on_date.between(start, end), cond).order_by(
            DutyShift.on_date, DutyShift.id
        )
    return None


def drill_total(session: Session, key: str, start: dt.date, end: dt.date) -> int | None:
    """What the list behind ``key`` adds up to: its rows, or for persons the applicants of its cases."""
    found = records(session, key, start, end)
    if found is None:
        return None
    _kind, stmt = found
    sub = stmt.order_by(None).subquery()
    if key.startswith("persons."):
        return int(session.scalar(sa.select(sa.func.coalesce(sa.func.sum(sub.c.group_size), 0))))
    if key.startswith("duty.help."):
        from assignment.duty.models import DutyShift

        helped = af.legal_help(DutyShift, key.rsplit(".", 1)[1])
        return int(
            session.scalar(
                sa.select(sa.func.coalesce(sa.func.sum(helped), 0)).where(
                    DutyShift.id.in_(stmt.with_only_columns(DutyShift.id).order_by(None))
                )
            )
        )
    return session.scalar(sa.select(sa.func.count()).select_from(sub))


def drillable(key: str) -> bool:
    return not (
        key.endswith(("rate", "share", "average", "_fen", ".fen"))
        or ".share." in key
        or key == "scores.points"
    )
