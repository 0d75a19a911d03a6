"""The panel (organisations, providers, leave, conflicts), rotation pools, cases and assignments."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assignment.case_indexes import CASE_INDEXES
from legalaid import clock as centre_clock
from legalaid.db import UTCDateTime, db, one_of

ORGANIZATION_KINDS = ("law_firm", "legal_service_office", "centre")
PROVIDER_KINDS = ("lawyer", "legal_adviser")
CASE_TYPES = ("criminal", "civil", "administrative", "non_litigation")
CASE_STATUSES = (
    "applied",
    "pending_materials",
    "accepted",
    "assigned",
    "in_progress",
    "closed",
    "archived",
    "rejected",
    "withdrawn",
)
APPLICANT_CATEGORIES = (
    "migrant_worker",
    "disabled",
    "elderly",
    "minor",
    "service_member",
    "domestic_violence",
)
APPLICANT_SEXES = ("female", "male")
STAGES = ("investigation", "prosecution", "trial")
SOURCES = ("application", "notification")
MEANS_TESTS = ("exempt", "waived", "checked")
MAX_SENTENCES = ("life", "death")
ASSIGNMENT_MODES = ("rotation", "window", "designated", "continuation")
ASSIGNMENT_STATUSES = ("offered", "accepted", "declined", "expired", "replaced")
WINDOW_REASONS = ("client_choice", "authority_suggestion", "specialist", "complex_case")
DECLINE_REASONS = ("conflict", "unavailable", "other")


class Organization(db.Model):
    __tablename__ = "organization"
    __table_args__ = (one_of("kind", ORGANIZATION_KINDS, "kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    area: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=centre_clock.now)
    # The payee when subsidies are paid to organisations (SUBSIDY_RULES.payee): kept like a provider's
    # account (assignment.panel.seal_bank_account / bank_account_of), shown masked.
    bank_account_stored: Mapped[str | None] = mapped_column(sa.String(400))
    bank_name: Mapped[str | None] = mapped_column(sa.String(120))


class Provider(db.Model):
    """A panel member who handles cases: a lawyer or a basic-level legal adviser."""

    __tablename__ = "provider"
    __table_args__ = (
        one_of("kind", PROVIDER_KINDS, "kind_known"),
        sa.CheckConstraint("open_cases >= 0", name="open_cases_not_negative"),
        # The few unavailable providers, found at the start of every pick (rotation.pool_clock).
        sa.Index(
            "ix_provider_at_cap",
            "id",
            sqlite_where=sa.text("open_cases >= max_open_cases"),
            postgresql_where=sa.text("open_cases >= max_open_cases"),
        ),
        sa.Index(
            "ix_provider_inactive",
            "id",
            sqlite_where=sa.text("NOT active"),
            postgresql_where=sa.text("NOT active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(20))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    practice_since: Mapped[dt.date] = mapped_column(sa.Date)
    max_open_cases: Mapped[int] = mapped_column(default=10)
    active: Mapped[bool] = mapped_column(default=True)
    # Legal aid cases handled before go-live: an imported provider's next case is not their "first".
    prior_legal_aid_cases: Mapped[int] = mapped_column(default=0)
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=centre_clock.now)
    specialties: Mapped[list] = mapped_column(sa.JSON, default=list, server_default="[]")
    areas: Mapped[list] = mapped_column(sa.JSON, default=list, server_default="[]")
    # Maintained counter of live assignments (offered or accepted, case not closed), updated in the
    # same transaction as the assignment, so the cap check never counts cases (DESIGN.md §4).
    open_cases: Mapped[int] = mapped_column(default=0, server_default="0")
    # The full account, Fernet-encrypted when BANK_ACCOUNT_KEY is set ("fernet:" prefix); see panel.py.
    bank_account_stored: Mapped[str | None] = mapped_column(sa.String(400))
    bank_name: Mapped[str | None] = mapped_column(sa.String(120))

    organization: Mapped[Organization] = relationship(lazy="joined")


class ProviderLeave(db.Model):
    """A period (inclusive) in which the provider takes no new cases."""

    __tablename__ = "provider_leave"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.Index("ix_provider_leave_lookup", "provider_id", "ends_on"),
        sa.Index("ix_provider_leave_current", "ends_on", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id", ondelete="CASCADE"))
    starts_on: Mapped[dt.date] = mapped_column(sa.Date)
    ends_on: Mapped[dt.date] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=centre_clock.now)


class ProviderConflict(db.Model):
    """A party the provider has declared a conflict of interest with (matched by name)."""

    __tablename__ = "provider_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id", ondelete="CASCADE"), index=True)
    party_name: Mapped[str] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=centre_clock.now)


class RotationPool(db.Model):
    """One rotation list for a class of cases, with its virtual clock (DESIGN.md §4 "Rotation").

    ``clock`` advances by 1/``active_weight`` per counted turn; a member's ordering key is
    ``weight × clock − offset``. ``active_weight`` is the weight of the members not parked as away."""

    __tablename__ = "rotation_pool"
    __table_args__ = (one_of("purpose", ("cases", "duty"), "purpose_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    case_types: Mapped[list] = mapped_column(sa.JSON)
    provider_kinds: Mapped[list] = mapped_column(sa.JSON)
    area: Mapped[str | None] = mapped_column(sa.String(100))
    clock: Mapped[float] = mapped_column(sa.Float, default=0.0)
    active_weight: Mapped[float] = mapped_column(sa.Float, default=0.0)
    # The distinct member weights: the pick walks one index range per weight (see the rotation package).
    weights: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=centre_clock.now)
    # "cases" (served through its PoolScope rows) or "duty" (staffs one station's shifts, no scope:
    # a duty pool never serves cases and a case pool never staffs shifts; assignment/duty).
    purpose: Mapped[str] = mapped_column(sa.String(10), default="cases", server_default="cases")
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("station.id"), index=True)


class PoolScope(db.Model):
    """Which (case type, area) a pool serves; the unique key refuses two overlapping pools."""

    __tablename__ = "pool_scope"
    __table_args__ = (sa.UniqueConstraint("case_type", "area_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("rotation_pool.id", ondelete="CASCADE"), index=True)
    case_type: Mapped[str] = mapped_column(sa.String(20))
    area_key: Mapped[str] = mapped_column(sa.String(100))  # "" for a pool without an area


class PoolMember(db.Model):
    """A provider's place in one pool: O(1) state per member, so a pick writes O(1) rows.

    ``away_since`` is the pool clock at which the member was found unavailable (leave, at cap,
    inactive); while it is set the member is out of the walk and accrues nothing."""

    __tablename__ = "pool_member"
    __table_args__ = (
        sa.CheckConstraint("weight > 0", name="weight_positive"),
        # The walk's index: one range per weight, in key order (offset ascending).
        sa.Index(
            "ix_pool_member_walk",
            "pool_id",
            "weight",
            "turn_offset",
            "provider_id",
            sqlite_where=sa.text("away_since IS NULL"),
            postgresql_where=sa.text("away_since IS NULL"),
        ),
        sa.Index(
            "ix_pool_member_away",
            "pool_id",
            sqlite_where=sa.text("away_since IS NOT NULL"),
            postgresql_where=sa.text("away_since IS NOT NULL"),
        ),
    )

    pool_id: Mapped[int] = mapped_column(
        sa.ForeignKey("rotation_pool.id", ondelete="CASCADE"), primary_key=True
    )
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id"), primary_key=True, index=True)
    weight: Mapped[float] = mapped_column(sa.Float, default=1.0)
    offset: Mapped[float] = mapped_column("turn_offset", sa.Float, default=0.0)
    turns: Mapped[int] = mapped_column(default=0)
    away_since: Mapped[float | None] = mapped_column(sa.Float)
    away_reason: Mapped[str | None] = mapped_column(sa.String(40))
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=centre_clock.now)

    provider: Mapped[Provider] = relationship(lazy="joined")


class CaseCounter(db.Model):
    """The last case number given per year and case type; locked while numbering (no gaps)."""

    __tablename__ = "case_counter"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    case_type: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Case(db.Model):
    """One legal aid matter from application to closing (DESIGN.md §3)."""

    __tablename__ = "legal_case"
    __table_args__ = (
        one_of("case_type", CASE_TYPES, "case_type_known"),
        one_of("status", CASE_STATUSES, "status_known"),
        one_of("source", SOURCES, "source_known"),
        one_of("applicant_sex", APPLICANT_SEXES, "applicant_sex_known"),
        sa.UniqueConstraint("year", "case_type", "seq"),
        sa.Index("ix_legal_case_listing", "green_channel", "received_on"),
        *CASE_INDEXES,  # the list's order and search (issue 16, migration 0018)
        # A case forwarded by a station reaches the centre after the station took it (issue 14).
        sa.CheckConstraint(
            "station_received_at IS NULL OR centre_received_at IS NULL"
            " OR centre_received_at >= station_received_at",
            name="forwarded_after_taken",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    year: Mapped[int] = mapped_column()
    seq: Mapped[int] = mapped_column()
    case_type: Mapped[str] = mapped_column(sa.String(20))
    # A code of CAUSES for non-criminal cases; the charge as free text for criminal ones.
    cause: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(20), index=True)
    received_on: Mapped[dt.date] = mapped_column(sa.Date)
    source: Mapped[str] = mapped_column(sa.String(20), default="application")
    intake_point: Mapped[str | None] = mapped_column(sa.String(100))
    # Taken at a station (none: at the centre itself), when the station received the application and
    # when the centre did: forwarding within 3 working days, 24 hours for a detained applicant (Law
    # art. 39); the 7-day decision runs from the centre's receipt (Law art. 43). Migration 0014.
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("station.id"), index=True)
    station_received_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    centre_received_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Stated at intake: the applicant is in custody (a detained client is called through the contact).
    detained: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Judged once, when the centre receives it (``station_cases.judge_forwarding``): the statistics and
    # the annual report count this, so a later change of the holiday calendar does not rewrite history.
    forwarded_late: Mapped[bool | None] = mapped_column()

    applicant_name: Mapped[str] = mapped_column(sa.String(120))
    applicant_id_number: Mapped[str] = mapped_column(sa.String(40))
    applicant_phone: Mapped[str | None] = mapped_column(sa.String(30))
    applicant_categories: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Optional, asked at intake so the annual report can count women (issue 15).
    applicant_sex: Mapped[str | None] = mapped_column(sa.String(10))
    contact_name: Mapped[str | None] = mapped_column(sa.String(120))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(30))
    opposing_party: Mapped[str | None] = mapped_column(sa.String(200))
    group_size: Mapped[int] = mapped_column(default=1)
    major: Mapped[bool] = mapped_column(default=False)
    max_sentence: Mapped[str | None] = mapped_column(sa.String(10))
    juvenile: Mapped[bool] = mapped_column(default=False)
    stage: Mapped[str | None] = mapped_column(sa.String(20))
    previous_case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("legal_case.id"), index=True)
    opposing_case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("legal_case.id"), index=True)
    green_channel: Mapped[bool] = mapped_column(default=False)

    means_test: Mapped[str | None] = mapped_column(sa.String(10))
    means_test_proof: Mapped[str | None] = mapped_column(sa.String(200))
    decided_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    decided_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    materials_missing: Mapped[list | None] = mapped_column(sa.JSON)
    materials_requested_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    materials_supply_by: Mapped[dt.date | None] = mapped_column(sa.Date)
    # Days the 7-day decision clock stood still while materials were awaited (Law art. 43).
    paused_days: Mapped[int] = mapped_column(default=0)
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.String(200))
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=centre_clock.now)

    station = relationship("Station", lazy="select")
    current_assignment: Mapped[Assignment | None] = relationship(
        primaryjoin="and_(Assignment.case_id == Case.id, Assignment.live.is_(True))",
        viewonly=True,
        uselist=False,
        lazy="select",
    )


class Assignment(db.Model):
    """Handing a case to a provider, with the bounded explanation of the pick.

    ``live`` is true while the assignment is offered or accepted; the partial unique index allows one
    live assignment per case, the database's safety net under the pool lock."""

    __tablename__ = "assignment"
    __table_args__ = (
        one_of("mode", ASSIGNMENT_MODES, "mode_known"),
        one_of("status", ASSIGNMENT_STATUSES, "status_known"),
        sa.Index(
            "uq_assignment_live_case",
            "case_id",
            unique=True,
            sqlite_where=sa.text("live"),
            postgresql_where=sa.text("live"),
        ),
        sa.Index("ix_assignment_provider", "provider_id", "assigned_at"),
        sa.Index("ix_assignment_assigned_by", "assigned_by"),  # the scorer's worklist (migration 0020)
        sa.Index("ix_assignment_pool", "pool_id", "assigned_at"),
        # The fairness report: a pool's period tallied from the index alone (migration 0022).
        sa.Index(
            "ix_assignment_pool_tally",
            "pool_id",
            "assigned_at",
            "provider_id",
            "assigned_by",
            "counted",
            "override",
            "status",
        ),
        sa.Index(
            "ix_assignment_offered",
            "respond_by",
            sqlite_where=sa.text("status = 'offered'"),
            postgresql_where=sa.text("status = 'offered'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("legal_case.id"), index=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id"))
    pool_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rotation_pool.id"))
    mode: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(20), default="offered")
    live: Mapped[bool] = mapped_column(default=True)
    reason_code: Mapped[str | None] = mapped_column(sa.String(40))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    # Counted as the member's turn in the pool; an override is a designated assignment.
    counted: Mapped[bool] = mapped_column(default=True)
    override: Mapped[bool] = mapped_column(default=False)
    # How this turn moved the pool clock and the member's offset; undone on a conflict decline.
    clock_step: Mapped[float] = mapped_column(sa.Float, default=0.0)
    offset_step: Mapped[float] = mapped_column(sa.Float, default=0.0)
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=centre_clock.now)
    assigned_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    respond_by: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decline_reason_code: Mapped[str | None] = mapped_column(sa.String(20))
    decline_note: Mapped[str | None] = mapped_column(sa.Text)
    end_reason: Mapped[str | None] = mapped_column(sa.Text)
    # Bounded "why this provider": ≤20 skipped with reasons, the pick with its deficit, next 5.
    explanation: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    case: Mapped[Case] = relationship(foreign_keys=[case_id], lazy="joined")
    provider: Mapped[Provider] = relationship(lazy="joined")


class CalendarDay(db.Model):
    """An exception to the Monday–Friday working week: a holiday, or a make-up working day (调休)."""

    __tablename__ = "calendar_day"

    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    working: Mapped[bool] = mapped_column()
    note: Mapped[str | None] = mapped_column(sa.String(200))
    changed_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=centre_clock.now)
