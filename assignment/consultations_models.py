"""Tables of the front desk (DESIGN.md "Front desk"): the stations outside the centre and the
consultations answered at the desk. The duty rota will build on ``Station``."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from legalaid import clock
from legalaid.db import UTCDateTime, db, one_of

# DESIGN.md §2 "station": a place outside the centre that takes applications or is staffed by duty
# providers.
STATION_KINDS = (
    "township",
    "law_firm",
    "court",
    "procuratorate",
    "detention_centre",
    "labour_arbitration",
    "juvenile",
    "military",
)
# DESIGN.md §2 "consultation": the 12348 hotline, visits, letters, online, a workstation.
CHANNELS = ("hotline", "visit", "letter", "online", "workstation")
OUTCOMES = (
    "answered",
    "referred",
    "application_guided",
    "application_registered",
    "petition_dissuaded",
)

# Every pair of adjacent characters of a consultation's name, question and answer, lower case
# (``legalaid_char_pairs``, migration 0010): a search term of two characters or more is looked up by
# its own pairs, which a trigram index cannot do for 工资 or 王伟. The text is the one migration 0010
# indexes, so the planner matches it.
TEXT_PAIRS = sa.text(  # as PostgreSQL prints it back, so Alembic sees the models and migrations agree
    "legalaid_char_pairs((((COALESCE(person_name, ''::character varying)::text || ' '::text)"
    " || question::text) || ' '::text) || answer::text)"
)


class Station(db.Model):
    """A township workstation, a law firm's acceptance point, a court or detention-centre duty post…"""

    __tablename__ = "station"
    __table_args__ = (one_of("kind", STATION_KINDS, "kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    area: Mapped[str | None] = mapped_column(sa.String(100))
    address: Mapped[str | None] = mapped_column(sa.String(200))
    hours: Mapped[str | None] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)


class Consultation(db.Model):
    """One question answered at the front desk, by any channel; a person may stay anonymous."""

    __tablename__ = "consultation"
    __table_args__ = (
        one_of("channel", CHANNELS, "channel_known"),
        one_of("outcome", OUTCOMES, "outcome_known"),
        sa.Index("ix_consultation_phone", "person_phone", "occurred_at"),
        sa.Index("ix_consultation_occurred", "occurred_at", "id"),
        # PostgreSQL only (migration 0010): the text's pairs of characters, for the register's search.
        sa.Index("ix_consultation_text_pairs", TEXT_PAIRS, postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(sa.String(20))
    station_id: Mapped[int | None] = mapped_column(sa.ForeignKey("station.id"), index=True)
    answered_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    person_name: Mapped[str | None] = mapped_column(sa.String(120))
    # Digits only (and a leading +), so "138 0000-0000" and "13800000000" find each other.
    person_phone: Mapped[str | None] = mapped_column(sa.String(30))
    person_categories: Mapped[list] = mapped_column(sa.JSON, default=list)
    cause: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    question: Mapped[str] = mapped_column(sa.String(4000))
    answer: Mapped[str] = mapped_column(sa.String(4000))
    duration_s: Mapped[int | None] = mapped_column(sa.Integer)
    outcome: Mapped[str] = mapped_column(sa.String(30), index=True)
    referred_to: Mapped[str | None] = mapped_column(sa.String(200))
    # The case registered from it (outcome application_registered): the link both ways.
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("legal_case.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)


class GuidanceMaterial(db.Model):
    """One material an applicant must bring, in the one-time notice (一次性告知) of "application
    guided": for a cause (none: every cause) and an applicant category (none: every applicant).
    Kept by the admin; the migration seeds the common causes."""

    __tablename__ = "guidance_material"
    __table_args__ = (sa.Index("ix_guidance_material_lookup", "cause", "category", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cause: Mapped[str | None] = mapped_column(sa.String(40))
    category: Mapped[str | None] = mapped_column(sa.String(30))
    item: Mapped[str] = mapped_column(sa.String(300))
    position: Mapped[int] = mapped_column(sa.Integer, default=0)
