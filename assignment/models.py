"""The panel: organisations and providers."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid.db import UTCDateTime, db, utcnow

ORGANIZATION_KINDS = ("law_firm", "legal_service_office", "centre")
PROVIDER_KINDS = ("lawyer", "legal_adviser")


class Organization(db.Model):
    __tablename__ = "organization"
    __table_args__ = (sa.CheckConstraint(sa.column("kind").in_(ORGANIZATION_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    area: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Provider(db.Model):
    """A panel member who handles cases: a lawyer or a basic-level legal adviser."""

    __tablename__ = "provider"
    __table_args__ = (sa.CheckConstraint(sa.column("kind").in_(PROVIDER_KINDS), name="kind_known"),)

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
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship(lazy="joined")
