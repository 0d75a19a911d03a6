"""Supervision scheduling: hearings, observations, follow-up calls, red flags, reminders and the
scheduler's own rows (DESIGN.md §4 "Supervision scheduling"). The schedule of record is these
tables; APScheduler only wakes the sweeps."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid import clock
from legalaid.db import UTCDateTime, db, one_of

HEARING_STATUSES = ("scheduled", "cancelled")
OBSERVATION_STATUSES = ("unassigned", "scheduled", "reported", "cancelled")
# Why a hearing is (or is not) observed; shown with the decision.
OBSERVATION_REASONS = (
    "group_case",
    "major_case",
    "life_or_death",
    "first_case",
    "yearly",
    "sampled",
    "not_sampled",
)
CALL_PURPOSES = ("after_assignment", "after_hearing", "after_closing")
CALL_STATUSES = ("planned", "retrying", "done", "unreachable", "cancelled")
SATISFACTION = ("satisfied", "basically_satisfied", "unsatisfied")
RED_FLAG_KINDS = ("took_money",)
RED_FLAG_STATUSES = ("open", "confirmed", "dismissed")
REMINDER_STATUSES = ("pending", "sent", "expired", "cancelled")
OUTBOX_STATUSES = ("pending", "sending", "sent", "failed")
RATINGS = ("preparation", "examination", "argument", "effect")


def _rating(name: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{name} IS NULL OR ({name} BETWEEN 1 AND 5)", name=f"{name}_1_to_5")


class Hearing(db.Model):
    """A court hearing of a case, with the observation decision taken when it was recorded."""

    __tablename__ = "hearing"
    __table_args__ = (
        one_of("status", HEARING_STATUSES, "status_known"),
        one_of("observation_reason", OBSERVATION_REASONS, "observation_reason_known"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_hearing_case", "case_id", "starts_at"),
        sa.Index("ix_hearing_provider", "provider_id", "starts_at"),
        sa.Index("ix_hearing_starts", "starts_at"),
        sa.Index("ix_hearing_held", "starts_at", "status", "id"),  # the statistics (migration 0022)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("legal_case.id"))
    # The case's provider when the hearing was recorded (observations evaluate this provider).
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provider.id"))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    court: Mapped[str] = mapped_column(sa.String(200))
    room: Mapped[str | None] = mapped_column(sa.String(60))
    status: Mapped[str] = mapped_column(sa.String(20), default="scheduled")
    observe: Mapped[bool] = mapped_column(default=False)
    observation_reason: Mapped[str] = mapped_column(sa.String(20))
    # The seeded sample draw in [0, 1) and the rate it was compared with (stored with the decision).
    sample_draw: Mapped[float | None] = mapped_column(sa.Float)
    sample_rate: Mapped[float | None] = mapped_column(sa.Float)
    recorded_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(300))

    observation: Mapped[Observation | None] = relationship(back_populates="hearing", uselist=False)


class Observation(db.Model):
    """A supervisor attending a hearing to evaluate the provider (庭审旁听)."""

    __tablename__ = "observation"
    __table_args__ = (
        one_of("status", OBSERVATION_STATUSES, "status_known"),
        *(_rating(r) for r in RATINGS),
        sa.Index("ix_observation_observer", "observer_id", "status"),
        sa.Index("ix_observation_case", "case_id"),
        sa.Index("ix_observation_provider", "provider_id"),
        sa.Index("ix_observation_starts", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(sa.ForeignKey("hearing.id"), unique=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("legal_case.id"))
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provider.id"))
    observer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default="unassigned")
    reason: Mapped[str] = mapped_column(sa.String(20))
    # Denormalised from the hearing so the clash check reads one table.
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    preparation: Mapped[int | None] = mapped_column()
    examination: Mapped[int | None] = mapped_column()
    argument: Mapped[int | None] = mapped_column()
    effect: Mapped[int | None] = mapped_column()
    court_view: Mapped[str | None] = mapped_column(sa.Text)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    reported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reported_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)

    hearing: Mapped[Hearing] = relationship(back_populates="observation")


class RotaCounter(db.Model):
    """The turn counter of one supervisor duty (``observation``, ``call``); locked while picking."""

    __tablename__ = "rota_counter"

    duty: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class SupervisorTurn(db.Model):
    """When a supervisor last took a turn of a duty: the longest-waiting goes next (round robin)."""

    __tablename__ = "supervisor_turn"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    duty: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    turns: Mapped[int] = mapped_column(default=0)


class FollowUpCall(db.Model):
    """A planned call to the client (回访); ``key`` makes planning the same call twice a no-op."""

    __tablename__ = "follow_up_call"
    __table_args__ = (
        one_of("purpose", CALL_PURPOSES, "purpose_known"),
        one_of("status", CALL_STATUSES, "status_known"),
        sa.Index("ix_follow_up_call_due", "status", "due_on"),
        sa.Index("ix_follow_up_call_case", "case_id"),
        sa.Index("ix_follow_up_call_caller", "caller_id", "due_on"),
        sa.Index("ix_follow_up_call_due_order", "due_on", "id"),  # the list's order (migration 0020)
        sa.Index("ix_follow_up_call_done", "done_at"),  # the statistics (migration 0022)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("legal_case.id"))
    assignment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignment.id"))
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provider.id"))
    hearing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("hearing.id"))
    purpose: Mapped[str] = mapped_column(sa.String(20))
    due_on: Mapped[dt.date] = mapped_column(sa.Date)
    caller_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default="planned")
    failed_attempts: Mapped[int] = mapped_column(default=0)
    # A detained client is reached through the contact person recorded on the case.
    via_contact: Mapped[bool] = mapped_column(default=False)
    callee_name: Mapped[str | None] = mapped_column(sa.String(120))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)

    attempts: Mapped[list[CallAttempt]] = relationship(back_populates="call", order_by="CallAttempt.id")


class CallAttempt(db.Model):
    __tablename__ = "call_attempt"
    __table_args__ = (
        sa.CheckConstraint(
            sa.or_(sa.column("satisfaction").is_(None), sa.column("satisfaction").in_(SATISFACTION)),
            name="satisfaction_known",
        ),
        sa.Index("ix_call_attempt_at", "at", "reached", "satisfaction"),  # the statistics (migration 0022)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("follow_up_call.id"), index=True)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    reached: Mapped[bool] = mapped_column()
    satisfaction: Mapped[str | None] = mapped_column(sa.String(30))
    took_money: Mapped[bool | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(sa.Text)

    call: Mapped[FollowUpCall] = relationship(back_populates="attempts")


class RedFlag(db.Model):
    """A client said the provider took money or gifts (Law art. 20); open until a supervisor resolves it."""

    __tablename__ = "red_flag"
    __table_args__ = (
        one_of("kind", RED_FLAG_KINDS, "kind_known"),
        one_of("status", RED_FLAG_STATUSES, "status_known"),
        sa.Index("ix_red_flag_case", "case_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("legal_case.id"))
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provider.id"))
    call_id: Mapped[int | None] = mapped_column(sa.ForeignKey("follow_up_call.id"))
    attempt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("call_attempt.id"))
    kind: Mapped[str] = mapped_column(sa.String(20), default="took_money")
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    raised_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    resolution_reason: Mapped[str | None] = mapped_column(sa.Text)


class Reminder(db.Model):
    """One message to one user, due at a time: in the in-app inbox once sent, and by e-mail through the
    outbox. ``key`` is unique, so planning a reminder twice is a no-op, and it seeds the Message-ID."""

    __tablename__ = "reminder"
    __table_args__ = (
        one_of("status", REMINDER_STATUSES, "status_known"),
        # The sweep's index: only pending rows, in due order.
        sa.Index(
            "ix_reminder_pending_due",
            "due_at",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
        sa.Index(
            "ix_reminder_unread",
            "user_id",
            sqlite_where=sa.text("status = 'sent' AND read_at IS NULL"),
            postgresql_where=sa.text("status = 'sent' AND read_at IS NULL"),
        ),
        sa.Index("ix_reminder_inbox", "user_id", "sent_at"),
        sa.Index("ix_reminder_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(160), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    # What to say, as a code and its facts (``scheduling.messages``), put into words when read, in the
    # reader's language; ``subject``/``body`` keep the text as planned (the API, and older rows).
    message: Mapped[str | None] = mapped_column(sa.String(60))
    params: Mapped[dict | None] = mapped_column(sa.JSON)
    link: Mapped[str | None] = mapped_column(sa.String(300))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The event the reminder is about; once it has passed, the reminder is expired, not sent.
    event_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    email: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    object_type: Mapped[str | None] = mapped_column(sa.String(40))
    object_id: Mapped[int | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)


class OutboxMessage(db.Model):
    """An e-mail waiting for SMTP: claimed, sent, retried with backoff, given up after a cap."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        one_of("status", OUTBOX_STATUSES, "status_known"),
        sa.Index("ix_outbox_message_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("reminder.id", ondelete="SET NULL"), index=True
    )
    # Stable per reminder key: a resend after a crash folds into the first copy in mail clients.
    message_id: Mapped[str] = mapped_column(sa.String(250), unique=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)


class SchedulerLease(db.Model):
    """Who runs the sweeps: one holder until ``expires_at``; renewed while it runs."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(200))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class DailyRun(db.Model):
    """A once-a-day job done for a day (digest, call lists): a restart after 08:00 still runs it once."""

    __tablename__ = "daily_run"

    job: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    day: Mapped[dt.date] = mapped_column(sa.Date, primary_key=True)
    done_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)


class CalendarFeed(db.Model):
    """A user's private iCalendar feed: the secret is in the URL, only its SHA-256 is stored."""

    __tablename__ = "calendar_feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
