"""The complaint register (法律援助投诉处理办法, DESIGN.md "Front desk: consultations and complaints")."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from legalaid import clock
from legalaid.db import UTCDateTime, db, one_of

RELATIONS = ("applicant", "client", "interested")
RESPONDENT_KINDS = ("centre", "organization", "provider")
MATTERS = (
    "wrongful_acceptance",
    "wrongful_refusal",
    "wrongful_assignment",
    "neglect",
    "took_money",
    "leaked_privacy",
    "other",
)
STATUSES = ("received", "accepted", "not_accepted", "investigating", "decided", "answered")
OUTCOMES = ("not_upheld", "upheld_education", "upheld_correction", "referred_for_discipline")
UPHELD = ("upheld_education", "upheld_correction", "referred_for_discipline")
ANSWER_METHODS = ("letter", "phone", "in_person", "electronic")


class Complaint(db.Model):
    """One complaint from receipt to the answer to the complainant; every limit is stored as a date."""

    __tablename__ = "complaint"
    __table_args__ = (
        one_of("complainant_relation", RELATIONS, "relation_known"),
        one_of("respondent_kind", RESPONDENT_KINDS, "respondent_kind_known"),
        one_of("matter", MATTERS, "matter_known"),
        one_of("status", STATUSES, "status_known"),
        sa.CheckConstraint(
            sa.column("outcome").in_(OUTCOMES) | sa.column("outcome").is_(None), name="outcome_known"
        ),
        sa.Index("ix_complaint_status", "status", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_on: Mapped[dt.date] = mapped_column(sa.Date)
    complainant_name: Mapped[str] = mapped_column(sa.String(120))
    complainant_relation: Mapped[str] = mapped_column(sa.String(20))
    complainant_phone: Mapped[str | None] = mapped_column(sa.String(30))
    respondent_kind: Mapped[str] = mapped_column(sa.String(20))
    respondent_organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"))
    respondent_provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provider.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("legal_case.id"), index=True)
    matter: Mapped[str] = mapped_column(sa.String(30))
    request: Mapped[str] = mapped_column(sa.String(2000))
    facts: Mapped[str] = mapped_column(sa.String(4000))
    status: Mapped[str] = mapped_column(sa.String(20), default="received")
    accept_by: Mapped[dt.date] = mapped_column(sa.Date)
    accepted_on: Mapped[dt.date | None] = mapped_column(sa.Date)  # the day of the acceptance decision
    not_accepted_reason: Mapped[str | None] = mapped_column(sa.String(2000))
    decide_by: Mapped[dt.date | None] = mapped_column(sa.Date)
    extended_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    extension_reason: Mapped[str | None] = mapped_column(sa.String(2000))
    statement_requested_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    statement_due_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    statement: Mapped[str | None] = mapped_column(sa.String(4000))
    statement_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    outcome: Mapped[str | None] = mapped_column(sa.String(30))
    findings: Mapped[str | None] = mapped_column(sa.String(4000))
    pause_days: Mapped[int | None] = mapped_column(sa.Integer)
    decided_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    leave_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provider_leave.id", ondelete="SET NULL"))
    red_flag_id: Mapped[int | None] = mapped_column(sa.ForeignKey("red_flag.id"))
    answer_by: Mapped[dt.date | None] = mapped_column(sa.Date)
    answered_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    answer_method: Mapped[str | None] = mapped_column(sa.String(20))
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
