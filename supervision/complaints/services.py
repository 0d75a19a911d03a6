"""Every transition of a complaint, one function each (法律援助投诉处理办法; DESIGN.md "Front desk:
consultations and complaints"). Each locks the complaint row, checks the state again after the lock
(of two handlers at once the second is refused, 409), changes it and writes the audit entry.

Limits are counted by the one calculator (``assignment.deadlines``): acceptance 5 working days from
receipt, decision 45 days from acceptance (one extension with a reason and a new date), answer 5
working days from the decision."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.deadlines import due_date
from assignment.models import Case, Organization, Provider
from assignment.roles import actor_id, require_role
from legalaid import audit, clock
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotAllowed, NotFound, say
from supervision.complaints.models import (
    ANSWER_METHODS,
    MATTERS,
    OUTCOMES,
    RELATIONS,
    RESPONDENT_KINDS,
    UPHELD,
    Complaint,
)

# DESIGN.md §5: complaints are handled by supervisors (by default); admins read the register.
HANDLERS = ("supervisor",)
READERS = ("supervisor", "admin")
MAX_PAUSE_DAYS = 365
OPEN_STATUSES = ("received", "accepted", "investigating", "decided")


def is_handler(actor) -> bool:
    """Who sees the complainant's identity (DESIGN.md: only those handling complaints)."""
    return actor is None or actor.has_role(*HANDLERS)


# --- registering ---


def _check_complaint(session: Session, data: dict) -> dict[str, list]:
    problems: dict[str, list] = {}
    complainant = data.get("complainant") or {}
    if not (complainant.get("name") or "").strip():
        problems["complainant.name"] = [say("Required.")]
    if complainant.get("relation") not in RELATIONS:
        problems["complainant.relation"] = [say("One of %(choices)s.", choices=", ".join(RELATIONS))]
    respondent = data.get("respondent") or {}
    kind = respondent.get("kind")
    if kind not in RESPONDENT_KINDS:
        problems["respondent.kind"] = [say("One of %(choices)s.", choices=", ".join(RESPONDENT_KINDS))]
    elif kind == "provider" and session.get(Provider, respondent.get("id") or 0) is None:
        problems["respondent.id"] = [say("Unknown provider.")]
    elif kind == "organization" and session.get(Organization, respondent.get("id") or 0) is None:
        problems["respondent.id"] = [say("Unknown organisation.")]
    if data.get("matter") not in MATTERS:
        problems["matter"] = [say("One of %(choices)s.", choices=", ".join(MATTERS))]
    if data.get("case_id") is not None and session.get(Case, data["case_id"]) is None:
        problems["case_id"] = [say("Unknown case.")]
    for key in ("request", "facts"):
        if not (data.get(key) or "").strip():
            problems[key] = [say("Required.")]
    received_on = data.get("received_on")
    if received_on is None:
        problems["received_on"] = [say("Required.")]
    elif received_on > clock.today():
        problems["received_on"] = [say("In the future.")]
    return problems


def register_complaint(session: Session, data: dict, actor) -> Complaint:
    """A complaint received (``received``); acceptance is due within 5 working days."""
    require_role(actor, *HANDLERS)
    problems = _check_complaint(session, data)
    if problems:
        raise Invalid(say("The complaint is not valid."), fields=problems)
    complainant, respondent = data["complainant"], data["respondent"]
    kind = respondent["kind"]
    complaint = Complaint(
        received_on=data["received_on"],
        complainant_name=complainant["name"].strip(),
        complainant_relation=complainant["relation"],
        complainant_phone=(complainant.get("phone") or "").strip() or None,
        respondent_kind=kind,
        respondent_provider_id=respondent.get("id") if kind == "provider" else None,
        respondent_organization_id=respondent.get("id") if kind == "organization" else None,
        case_id=data.get("case_id"),
        matter=data["matter"],
        request=data["request"].strip(),
        facts=data["facts"].strip(),
        status="received",
        accept_by=due_date(session, "complaint_acceptance", data["received_on"]),
        created_by=actor_id(actor),
    )
    session.add(complaint)
    session.flush()
    audit.record(
        session, actor, "complaint.register", "complaint", complaint.id, None,
        {"status": "received", "matter": complaint.matter, "respondent": kind,
         "accept_by": complaint.accept_by},
    )  # fmt: skip
    return complaint


def get_complaint(session: Session, complaint_id: int, actor=None) -> Complaint:
    """A complaint, if the actor may see it: handlers and admins see all; the respondent provider only
    once asked for a statement (DESIGN.md §5). Anyone else: not found."""
    complaint = session.get(Complaint, complaint_id)
    if complaint is None or not may_read(actor, complaint):
        raise NotFound(say("No such complaint."))
    return complaint


def may_read(actor, complaint: Complaint) -> bool:
    if actor is None or actor.has_role(*READERS):
        return True
    return (
        actor.provider_id is not None
        and complaint.respondent_provider_id == actor.provider_id
        and complaint.statement_requested_on is not None
    )


def _locked(session: Session, complaint_id: int) -> Complaint:
    complaint = lock_row(session, Complaint, complaint_id)
    if complaint is None:
        raise NotFound(say("No such complaint."))
    return complaint


def _refuse(complaint: Complaint, doing: str) -> NotAllowed:
    from supervision.complaints.labels import status_label

    values = {"id": complaint.id, "status": status_label(complaint.status)}
    messages = {  # one whole sentence per transition, for the translators
        "accepted": say("Complaint %(id)s is %(status)s; it cannot be accepted or refused now.", **values),
        "statement": say("Complaint %(id)s is %(status)s; a statement cannot be requested now.", **values),
        "extended": say("Complaint %(id)s is %(status)s; its decision cannot be extended now.", **values),
        "decided": say("Complaint %(id)s is %(status)s; it cannot be decided now.", **values),
        "answered": say("Complaint %(id)s is %(status)s; it cannot be answered now.", **values),
    }
    return NotAllowed(messages[doing])


# --- the transitions ---


def decide_acceptance(
    session: Session, complaint_id: int, actor, *, accepted: bool, reason: str | None = None
) -> Complaint:
    """Accept (the 45-day decision clock starts) or refuse with a written reason (no standing, no
    clear respondent or request, outside jurisdiction or scope, already handled)."""
    require_role(actor, *HANDLERS)
    complaint = _locked(session, complaint_id)
    if complaint.status != "received":
        raise _refuse(complaint, "accepted")
    today = clock.today()
    if accepted:
        complaint.status, complaint.accepted_on = "accepted", today
        complaint.decide_by = due_date(session, "complaint_decision", today)
    else:
        if not (reason or "").strip():
            raise Invalid(say("A refusal needs a written reason."), fields={"reason": [say("Required.")]})
        complaint.status, complaint.accepted_on = "not_accepted", today
        complaint.not_accepted_reason = reason.strip()
    audit.record(
        session, actor, "complaint.acceptance", "complaint", complaint.id, {"status": "received"},
        {"status": complaint.status, "decide_by": complaint.decide_by,
         "reason": complaint.not_accepted_reason},
    )  # fmt: skip
    return complaint


def request_statement(session: Session, complaint_id: int, actor, *, due_on: dt.date) -> Complaint:
    """Ask the provider complained about for a written statement by ``due_on`` (once)."""
    require_role(actor, *HANDLERS)
    complaint = _locked(session, complaint_id)
    if complaint.status not in ("accepted", "investigating") or complaint.statement_requested_on is not None:
        raise _refuse(complaint, "statement")
    if complaint.respondent_provider_id is None:
        raise NotAllowed(say("Only a provider complained about is asked for a statement."))
    today = clock.today()
    if due_on < today:
        raise Invalid(say("The due date is in the past."), fields={"due_on": [say("In the past.")]})
    complaint.status = "investigating"
    complaint.statement_requested_on, complaint.statement_due_on = today, due_on
    audit.record(
        session, actor, "complaint.request_statement", "complaint", complaint.id, None,
        {"status": "investigating", "due_on": due_on},
    )  # fmt: skip
    return complaint


def submit_statement(session: Session, complaint_id: int, actor, *, text: str) -> Complaint:
    """The respondent provider answers, on their own page (once, while the complaint is open)."""
    complaint = get_complaint(session, complaint_id, actor)
    if actor is not None and (
        actor.provider_id is None or actor.provider_id != complaint.respondent_provider_id
    ):
        raise NotFound(say("No such complaint."))
    complaint = _locked(session, complaint_id)
    if complaint.statement_requested_on is None or complaint.statement is not None:
        raise NotAllowed(say("No statement is awaited for this complaint."))
    if complaint.status != "investigating":
        raise NotAllowed(say("The complaint is already decided; the statement can no longer be given."))
    if not (text or "").strip():
        raise Invalid(say("Write the statement."), fields={"text": [say("Required.")]})
    complaint.statement, complaint.statement_on = text.strip(), clock.today()
    audit.record(
        session, actor, "complaint.statement", "complaint", complaint.id, None, {"on": complaint.statement_on}
    )
    return complaint


def extend_decision(
    session: Session, complaint_id: int, actor, *, reason: str, new_decide_by: dt.date
) -> Complaint:
    """One extension, with the head's approval, a reason and a new date later than the one in force."""
    require_role(actor, *HANDLERS)
    complaint = _locked(session, complaint_id)
    if complaint.status not in ("accepted", "investigating") or complaint.extended_on is not None:
        raise _refuse(complaint, "extended")
    if not (reason or "").strip():
        raise Invalid(say("An extension needs a reason."), fields={"reason": [say("Required.")]})
    if new_decide_by <= complaint.decide_by:
        raise Invalid(
            say("The new date must come after %(day)s.", day=complaint.decide_by.isoformat()),
            fields={"new_decide_by": [say("After %(day)s.", day=complaint.decide_by.isoformat())]},
        )
    before = {"decide_by": complaint.decide_by}
    complaint.decide_by, complaint.extended_on = new_decide_by, clock.today()
    complaint.extension_reason = reason.strip()
    audit.record(
        session, actor, "complaint.extend", "complaint", complaint.id, before,
        {"decide_by": new_decide_by, "reason": complaint.extension_reason},
    )  # fmt: skip
    return complaint


def decide_complaint(
    session: Session,
    complaint_id: int,
    actor,
    *,
    outcome: str,
    findings: str,
    pause_days: int | None = None,
) -> Complaint:
    """The decision (answer due within 5 working days). Upheld, it has its effects: taking money
    confirms a took-money red flag on the case (the subsidy held or zeroed exactly as a confirmed
    flag does); neglect may pause the provider in every pool for ``pause_days`` (a leave)."""
    require_role(actor, *HANDLERS)
    if outcome not in OUTCOMES:
        raise Invalid(
            say("Unknown outcome."),
            fields={"outcome": [say("One of %(choices)s.", choices=", ".join(OUTCOMES))]},
        )
    if not (findings or "").strip():
        raise Invalid(say("Write the findings."), fields={"findings": [say("Required.")]})
    complaint = _locked(session, complaint_id)
    if complaint.status not in ("accepted", "investigating"):
        raise _refuse(complaint, "decided")
    upheld = outcome in UPHELD
    if pause_days is not None:
        if not (upheld and complaint.matter == "neglect" and complaint.respondent_provider_id):
            raise Invalid(
                say("Only an upheld neglect complaint against a provider pauses the provider."),
                fields={"pause_days": [say("Leave empty for this complaint.")]},
            )
        if not 1 <= pause_days <= MAX_PAUSE_DAYS:
            raise Invalid(
                say("From 1 to %(most)s days.", most=MAX_PAUSE_DAYS),
                fields={"pause_days": [say("From 1 to %(most)s days.", most=MAX_PAUSE_DAYS)]},
            )
    today = clock.today()
    before = {"status": complaint.status}
    complaint.status, complaint.outcome, complaint.findings = "decided", outcome, findings.strip()
    complaint.decided_on, complaint.pause_days = today, pause_days
    complaint.answer_by = due_date(session, "complaint_answer", today)
    audit.record(
        session, actor, "complaint.decide", "complaint", complaint.id, before,
        {"status": "decided", "outcome": outcome, "pause_days": pause_days, "answer_by": complaint.answer_by},
    )  # fmt: skip
    if upheld:
        from supervision.complaints import effects

        effects.apply_upheld(session, actor, complaint)
    return complaint


def answer_complaint(
    session: Session, complaint_id: int, actor, *, answered_on: dt.date, method: str
) -> Complaint:
    """The complainant was told the decision (within 5 working days of it)."""
    require_role(actor, *HANDLERS)
    if method not in ANSWER_METHODS:
        raise Invalid(
            say("Unknown method."),
            fields={"method": [say("One of %(choices)s.", choices=", ".join(ANSWER_METHODS))]},
        )
    complaint = _locked(session, complaint_id)
    if complaint.status != "decided":
        raise _refuse(complaint, "answered")
    if answered_on < complaint.decided_on or answered_on > clock.today():
        raise Invalid(
            say("The answer lies between the decision and today."),
            fields={"answered_on": [say("From %(day)s to today.", day=complaint.decided_on.isoformat())]},
        )
    complaint.status, complaint.answered_on, complaint.answer_method = "answered", answered_on, method
    audit.record(
        session, actor, "complaint.answer", "complaint", complaint.id, {"status": "decided"},
        {"status": "answered", "answered_on": answered_on, "method": method},
    )  # fmt: skip
    return complaint


# --- deadlines and lists ---


def complaint_deadlines(complaint: Complaint, today: dt.date | None = None) -> dict[str, dict]:
    """Each limit as it stands: ``due_on``, ``done_on``, ``state`` (open, overdue, done, done_late)."""
    today = today or clock.today()

    def state(due, done):
        if done is not None:
            return "done" if due is None or done <= due else "done_late"
        return "overdue" if due is not None and today > due else "open"

    out = {"complaint_acceptance": (complaint.accept_by, complaint.accepted_on)}
    if complaint.decide_by is not None:
        out["complaint_decision"] = (complaint.decide_by, complaint.decided_on)
    if complaint.answer_by is not None:
        out["complaint_answer"] = (complaint.answer_by, complaint.answered_on)
    return {
        name: {"due_on": due, "done_on": done, "state": state(due, done)} for name, (due, done) in out.items()
    }


def _due_column():
    """The limit in force for an open complaint: acceptance, decision or answer."""
    return sa.case(
        (Complaint.status == "received", Complaint.accept_by),
        (Complaint.status.in_(("accepted", "investigating")), Complaint.decide_by),
        (Complaint.status == "decided", Complaint.answer_by),
        else_=None,
    )


def complaint_list_statement(
    *, status: str | None = None, overdue: bool | None = None, provider_id=None, today=None
):
    today = today or clock.today()
    stmt = sa.select(Complaint)
    if status:
        stmt = stmt.where(Complaint.status == status)
    if provider_id:
        stmt = stmt.where(Complaint.respondent_provider_id == provider_id)
    if overdue is True:
        stmt = stmt.where(_due_column() < today)
    elif overdue is False:
        stmt = stmt.where(sa.or_(_due_column().is_(None), _due_column() >= today))
    return stmt.order_by(_due_column().is_(None), _due_column(), Complaint.id)


def open_complaint_deadlines(session: Session, upto: dt.date) -> list[tuple[Complaint, str, dt.date]]:
    """(complaint, limit name, due date) of every open complaint whose limit falls on ``upto`` or
    earlier: the deadlines page and the morning digest."""
    names = {"received": "complaint_acceptance", "accepted": "complaint_decision",
             "investigating": "complaint_decision", "decided": "complaint_answer"}  # fmt: skip
    rows = session.scalars(
        sa.select(Complaint)
        .where(Complaint.status.in_(OPEN_STATUSES), _due_column() <= upto)
        .order_by(_due_column())
    ).all()
    return [(c, names[c.status], complaint_deadlines(c)[names[c.status]]["due_on"]) for c in rows]


def statements_awaited(session: Session, provider_id: int) -> list[Complaint]:
    """The provider's own page: complaints about them whose statement they were asked for."""
    return list(
        session.scalars(
            sa.select(Complaint)
            .where(
                Complaint.respondent_provider_id == provider_id, Complaint.statement_requested_on.is_not(None)
            )
            .order_by(Complaint.statement_due_on.desc(), Complaint.id.desc())
        )
    )


def upheld_by_provider(
    session: Session, provider_ids=None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[int, int]:
    """Upheld complaints per provider, decided in the period (both days included): their quality
    record, beside their scores in the quality report."""
    stmt = (
        sa.select(Complaint.respondent_provider_id, sa.func.count())
        .where(Complaint.outcome.in_(UPHELD), Complaint.respondent_provider_id.is_not(None))
        .group_by(Complaint.respondent_provider_id)
    )
    if provider_ids is not None:
        stmt = stmt.where(Complaint.respondent_provider_id.in_(list(provider_ids)))
    if date_from is not None:
        stmt = stmt.where(Complaint.decided_on >= date_from)
    if date_to is not None:
        stmt = stmt.where(Complaint.decided_on <= date_to)
    return dict(session.execute(stmt).all())
