"""What an upheld complaint does (DESIGN.md "Front desk: consultations and complaints"):

* taking money or property: the case gets a confirmed took-money red flag, raised and confirmed
  through the same functions a follow-up call's flag goes through, so the subsidy is held, or zero at
  archiving, exactly as a confirmed red flag makes it (Law art. 20);
* neglect: the provider is paused in every pool for the decided days, as a leave (rotation already
  skips a provider on leave), from the day of the decision.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from legalaid import audit, clock
from supervision.complaints.models import Complaint

# Stored on the leave (English, like every stored reason): the panel shows why the provider is away.
LEAVE_NOTE = "complaint {id}: upheld neglect, paused in every pool"


def apply_upheld(session: Session, actor, complaint: Complaint) -> None:
    if complaint.matter == "took_money" and complaint.case_id is not None:
        confirm_took_money(session, actor, complaint)
    if complaint.matter == "neglect" and complaint.respondent_provider_id and complaint.pause_days:
        pause_provider(session, actor, complaint)


def confirm_took_money(session: Session, actor, complaint: Complaint):
    from assignment.models import Assignment
    from supervision import signals
    from supervision.scheduling.calls import resolve_red_flag
    from supervision.scheduling.models import RedFlag

    provider_id = complaint.respondent_provider_id or session.scalar(
        sa.select(Assignment.provider_id)
        .where(Assignment.case_id == complaint.case_id, Assignment.status == "accepted")
        .order_by(Assignment.id.desc())
    )
    flag = RedFlag(
        case_id=complaint.case_id,
        provider_id=provider_id,
        kind="took_money",
        status="open",
        raised_by=getattr(actor, "id", None),
    )
    session.add(flag)
    session.flush()
    audit.record(
        session, actor, "red_flag.raise", "red_flag", flag.id, None,
        {"case_id": complaint.case_id, "kind": "took_money", "complaint_id": complaint.id},
    )  # fmt: skip
    signals.red_flag_raised.send(session, flag=flag, actor=actor)
    resolve_red_flag(
        session, actor, flag, "confirmed", f"complaint {complaint.id} upheld: took money or property"
    )
    complaint.red_flag_id = flag.id
    return flag


def pause_provider(session: Session, actor, complaint: Complaint):
    from assignment import panel

    provider = panel.get_provider(session, complaint.respondent_provider_id)
    start = complaint.decided_on or clock.today()
    # The panel's leave is the admin's and the coordinator's; here the complaint's decision sets it,
    # audited as the deciding supervisor's.
    leave = panel.add_leave(
        session,
        provider,
        start,
        start + dt.timedelta(days=complaint.pause_days - 1),
        actor,
        note=LEAVE_NOTE.format(id=complaint.id),
        decided=True,
    )
    complaint.leave_id = leave.id
    audit.record(
        session, actor, "complaint.pause_provider", "complaint", complaint.id, None,
        {"provider_id": provider.id, "from": leave.starts_on, "to": leave.ends_on},
    )  # fmt: skip
    return leave
