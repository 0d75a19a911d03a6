"""Archive records, subsidy rates, subsidies and payment batches (DESIGN.md §4 "Archiving and subsidies").

The central invariant, "a subsidy is payable, batched or paid only with an archive record of its own
case", is held twice: by the service functions and by the database (the CHECK ``archived_when_payable``
and the composite foreign key ``(archive_id, case_id) → archive_record(id, case_id)``).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid import clock
from legalaid.db import UTCDateTime, db, one_of

SUBSIDY_STATUSES = ("pending", "payable", "held", "batched", "paid", "reversed", "cancelled")
# The states that mean "the money is released": only with the case's archive record.
RELEASED_STATUSES = ("payable", "batched", "paid")
BATCH_STATUSES = ("open", "confirmed", "cancelled")
ITEM_OUTCOMES = ("pending", "paid", "failed", "cancelled")
# Duty rows (issue 14): case type "duty", stage "half_day" (a morning or afternoon) or "day".
RATE_CASE_TYPES = ("criminal", "civil", "administrative", "non_litigation", "duty")
RATE_STAGES = ("investigation", "prosecution", "trial", "", "half_day", "day")
SUBSIDY_KINDS = ("case", "duty")
RATE_PROVIDER_KINDS = ("lawyer", "legal_adviser")


class ArchiveCounter(db.Model):
    """The last archive number given in a year; locked while numbering, so numbers have no gaps."""

    __tablename__ = "archive_counter"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class ArchiveRecord(db.Model):
    """The centre's filing of one case: number ``YYYY-NNNNN``, who and when."""

    __tablename__ = "archive_record"
    __table_args__ = (
        sa.UniqueConstraint("year", "seq"),
        # The target of the subsidy's composite key: an archive reference names its own case.
        sa.UniqueConstraint("id", "case_id", name="uq_archive_record_id_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("legal_case.id"), unique=True)
    year: Mapped[int] = mapped_column()
    seq: Mapped[int] = mapped_column()
    number: Mapped[str] = mapped_column(sa.String(12), unique=True)
    archived_on: Mapped[dt.date] = mapped_column(sa.Date)
    archived_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    archived_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class SubsidyRate(db.Model):
    """One row of the dated rate table. A rate some subsidy was computed with is never changed (a new
    rate starts from a date); a mistaken one not used yet may be corrected or withdrawn (audited)."""

    __tablename__ = "subsidy_rate"
    __table_args__ = (
        one_of("case_type", RATE_CASE_TYPES, "case_type_known"),
        one_of("stage", RATE_STAGES, "stage_known"),
        one_of("provider_kind", RATE_PROVIDER_KINDS, "provider_kind_known"),
        sa.CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        sa.UniqueConstraint("case_type", "stage", "provider_kind", "effective_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_type: Mapped[str] = mapped_column(sa.String(20))
    # Criminal cases are paid per stage; "" for the other case types.
    stage: Mapped[str] = mapped_column(sa.String(20), default="")
    provider_kind: Mapped[str] = mapped_column(sa.String(20))
    effective_from: Mapped[dt.date] = mapped_column(sa.Date)
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    note: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class DutyMonth(db.Model):
    """A station's month of duty shifts reviewed and archived by a coordinator (issue 14): the row is
    written on archiving, and only then may the month's duty subsidies be payable (the archive-first
    rule of case files)."""

    __tablename__ = "duty_month"
    __table_args__ = (
        sa.UniqueConstraint("station_id", "month", name="uq_duty_month_station_month"),
        # The target of the subsidy's composite key: a month names its own station.
        sa.UniqueConstraint("id", "station_id", name="uq_duty_month_id_station"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("station.id"))
    month: Mapped[str] = mapped_column(sa.String(7))  # "YYYY-MM"
    archived_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    archived_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class PaymentBatch(db.Model):
    """A set of subsidies finance pays together with one bank transfer file."""

    __tablename__ = "payment_batch"
    __table_args__ = (one_of("status", BATCH_STATUSES, "status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    count: Mapped[int] = mapped_column(default=0)
    total_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    payee_mode: Mapped[str] = mapped_column(sa.String(20), default="provider")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    bank_reference: Mapped[str | None] = mapped_column(sa.String(100))
    paid_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    failed_count: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class Subsidy(db.Model):
    """The handler's subsidy for one case (or a negative reversal entry of a paid one)."""

    __tablename__ = "subsidy"
    __table_args__ = (
        one_of("status", SUBSIDY_STATUSES, "status_known"),
        one_of("held_from", ("pending", "payable"), "held_from_known"),
        # DESIGN.md §3, the central invariant: released money needs the case's archive record, a duty
        # shift's money its station's archived month (a duty_month row is written only on archiving).
        sa.CheckConstraint(
            "status NOT IN ('payable', 'batched', 'paid')"
            " OR (kind = 'case' AND archive_id IS NOT NULL)"
            " OR (kind = 'duty' AND duty_month_id IS NOT NULL)",
            name="archived_when_payable",
        ),
        one_of("kind", SUBSIDY_KINDS, "kind_known"),
        # A case subsidy names its case and no shift; a duty subsidy its shift and station, no case.
        sa.CheckConstraint(
            "(kind = 'case' AND case_id IS NOT NULL AND duty_shift_id IS NULL AND duty_month_id IS NULL)"
            " OR (kind = 'duty' AND case_id IS NULL AND archive_id IS NULL"
            " AND duty_shift_id IS NOT NULL AND duty_station_id IS NOT NULL)",
            name="kind_fields",
        ),
        # The month is the shift's own station's month: both keys carry the station.
        sa.ForeignKeyConstraint(
            ["duty_shift_id", "duty_station_id"],
            ["duty_shift.id", "duty_shift.station_id"],
            name="fk_subsidy_duty_shift_of_station",
        ),
        sa.ForeignKeyConstraint(
            ["duty_month_id", "duty_station_id"],
            ["duty_month.id", "duty_month.station_id"],
            name="fk_subsidy_duty_month_of_station",
        ),
        # One live subsidy per shift, as per case.
        sa.Index(
            "uq_subsidy_live_shift",
            "duty_shift_id",
            unique=True,
            sqlite_where=sa.text("status <> 'cancelled' AND reversal_of_id IS NULL"),
            postgresql_where=sa.text("status <> 'cancelled' AND reversal_of_id IS NULL"),
        ),
        sa.CheckConstraint(
            "status NOT IN ('payable', 'batched', 'paid', 'reversed') OR amount_fen IS NOT NULL",
            name="amount_when_payable",
        ),
        # A subsidy is in at most one live batch: its batch_id, set exactly while batched (or paid).
        sa.CheckConstraint("status <> 'batched' OR batch_id IS NOT NULL", name="batched_has_batch"),
        sa.CheckConstraint(
            "batch_id IS NULL OR status IN ('batched', 'paid')", name="batch_only_when_batched"
        ),
        sa.CheckConstraint("status <> 'held' OR held_from IS NOT NULL", name="held_remembers_state"),
        sa.CheckConstraint("(reversal_of_id IS NULL) = (status <> 'reversed')", name="reversal_is_an_entry"),
        sa.CheckConstraint(
            "reversal_of_id IS NOT NULL OR amount_fen IS NULL OR amount_fen >= 0",
            name="only_reversals_negative",
        ),
        sa.ForeignKeyConstraint(
            ["archive_id", "case_id"],
            ["archive_record.id", "archive_record.case_id"],
            name="fk_subsidy_archive_of_own_case",
        ),
        # One live subsidy per case; cancelled ones (reassignment) and reversal entries aside.
        sa.Index(
            "uq_subsidy_live_case",
            "case_id",
            unique=True,
            sqlite_where=sa.text("status <> 'cancelled' AND reversal_of_id IS NULL"),
            postgresql_where=sa.text("status <> 'cancelled' AND reversal_of_id IS NULL"),
        ),
        sa.Index("ix_subsidy_status_archived", "status", "archived_on"),
        # Paid money by bank date and what is owed, read off the index alone (reconciliation, 0023).
        sa.Index(
            "ix_subsidy_money",
            "status",
            "paid_on",
            postgresql_include=["provider_id", "amount_fen", "archive_id"],
        ),
        sa.Index("ix_subsidy_provider", "provider_id", "id"),
        # The list's default order (issue 16, migration 0019), and which rates a subsidy was computed
        # with (the rate table's "in use"; PostgreSQL, written as it prints the expression back).
        sa.Index("ix_subsidy_archived_order", "archived_on", "id"),
        sa.Index("ix_subsidy_rate", sa.text("((breakdown ->> 'rate_id'::text))::integer")).ddl_if(
            dialect="postgresql"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default="case", server_default="case")
    # None for a duty subsidy (issue 14): it pays a shift, not a case.
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("legal_case.id"), index=True)
    duty_shift_id: Mapped[int | None] = mapped_column()
    duty_station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("station.id"))
    duty_month_id: Mapped[int | None] = mapped_column(index=True)
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignment.id"))
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    amount_fen: Mapped[int | None] = mapped_column(sa.BigInteger)
    breakdown: Mapped[dict | None] = mapped_column(sa.JSON)
    archive_id: Mapped[int | None] = mapped_column(sa.ForeignKey("archive_record.id"), index=True)
    archived_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payment_batch.id"), index=True)
    held_from: Mapped[str | None] = mapped_column(sa.String(20))
    hold_reason: Mapped[str | None] = mapped_column(sa.Text)
    reversal_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("subsidy.id"), index=True)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    paid_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    bank_reference: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    computed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    archive: Mapped[ArchiveRecord | None] = relationship(foreign_keys=[archive_id], viewonly=True)


class PaymentBatchItem(db.Model):
    """One subsidy in one batch, with the payee as exported and what the bank did with it.

    A rejected (failed) item returns its subsidy to payable, and a later batch may take it again;
    the partial unique index lets a subsidy be in at most one live (pending or paid) item."""

    __tablename__ = "payment_batch_item"
    __table_args__ = (
        one_of("outcome", ITEM_OUTCOMES, "outcome_known"),
        sa.Index(
            "uq_payment_batch_item_live",
            "subsidy_id",
            unique=True,
            sqlite_where=sa.text("outcome IN ('pending', 'paid')"),
            postgresql_where=sa.text("outcome IN ('pending', 'paid')"),
        ),
    )

    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("payment_batch.id"), primary_key=True)
    subsidy_id: Mapped[int] = mapped_column(sa.ForeignKey("subsidy.id"), primary_key=True)
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    outcome: Mapped[str] = mapped_column(sa.String(20), default="pending")
