"""Tables of the duty rota (migration 0015): a station's month (``DutyRota``), its shifts and the
swaps asked between providers. Duty pools are rotation pools (``RotationPool.purpose == "duty"``)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from assignment.models import Provider
from legalaid import clock
from legalaid.db import UTCDateTime, db, one_of

POOL_PURPOSES = ("cases", "duty")
ROTA_STATUSES = ("draft", "published", "superseded")
SHIFT_PARTS = ("am", "pm", "day")
SHIFT_STATUSES = ("planned", "checked_in", "done", "missed")
SWAP_STATUSES = ("asked", "accepted", "approved", "refused", "withdrawn")
OPEN_SWAP_STATUSES = ("asked", "accepted")
LEGAL_HELP_KINDS = ("advice", "procedural", "plea_witness", "meeting", "opinion")
# DESIGN.md "Workstations and duty rota": lawyers only at these stations; advisers allowed elsewhere.
LAWYERS_ONLY_STATIONS = ("court", "procuratorate", "detention_centre")
# Which parts of a day overlap: a whole day overlaps both halves.
OVERLAPS = {"am": ("am", "day"), "pm": ("pm", "day"), "day": ("am", "pm", "day")}


class DutyRota(db.Model):
    """One station's shifts for one month, drafted then published; one live rota per station+month."""

    __tablename__ = "duty_rota"
    __table_args__ = (
        one_of("status", ROTA_STATUSES, "status_known"),
        sa.Index(
            "uq_duty_rota_live",
            "station_id",
            "month",
            unique=True,
            sqlite_where=sa.text("status != 'superseded'"),
            postgresql_where=sa.text("status != 'superseded'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("station.id"), index=True)
    month: Mapped[str] = mapped_column(sa.String(7))  # "YYYY-MM"
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("rotation_pool.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class DutyShift(db.Model):
    """One station, one date, morning / afternoon / whole day; ``provider_id`` None is a gap."""

    __tablename__ = "duty_shift"
    __table_args__ = (
        one_of("part", SHIFT_PARTS, "part_known"),
        one_of("status", SHIFT_STATUSES, "status_known"),
        sa.Index("ix_duty_shift_provider", "provider_id", "on_date"),
        sa.Index("ix_duty_shift_station", "station_id", "on_date"),
        # The target of a duty subsidy's composite key (migration 0016): a shift names its station.
        sa.UniqueConstraint("id", "station_id", name="uq_duty_shift_id_station"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rota_id: Mapped[int] = mapped_column(sa.ForeignKey("duty_rota.id", ondelete="CASCADE"), index=True)
    station_id: Mapped[int] = mapped_column(sa.ForeignKey("station.id"))
    on_date: Mapped[dt.date] = mapped_column(sa.Date)
    part: Mapped[str] = mapped_column(sa.String(3))
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provider.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default="planned")
    # Bounded "why this provider", in words and codes (as an assignment's explanation).
    explanation: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Counted as the provider's turn in the duty pool, and how it moved the clock (undone with a draft).
    counted: Mapped[bool] = mapped_column(default=True)
    clock_step: Mapped[float] = mapped_column(sa.Float, default=0.0)
    offset_step: Mapped[float] = mapped_column(sa.Float, default=0.0)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    legal_help: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    note: Mapped[str | None] = mapped_column(sa.Text)
    missed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    missed_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    provider: Mapped[Provider | None] = relationship(lazy="select")


class DutySwap(db.Model):
    """A provider asks another to take their shift; the other accepts, a coordinator approves."""

    __tablename__ = "duty_swap"
    __table_args__ = (
        one_of("status", SWAP_STATUSES, "status_known"),
        sa.Index(
            "uq_duty_swap_open",
            "shift_id",
            unique=True,
            sqlite_where=sa.text("status IN ('asked', 'accepted')"),
            postgresql_where=sa.text("status IN ('asked', 'accepted')"),
        ),
        sa.Index("ix_duty_swap_to", "to_provider_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(sa.ForeignKey("duty_shift.id", ondelete="CASCADE"), index=True)
    from_provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id"))
    to_provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id"))
    status: Mapped[str] = mapped_column(sa.String(20), default="asked")
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    shift: Mapped[DutyShift] = relationship(lazy="select")
