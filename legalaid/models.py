"""The shell's own tables: users and their roles, API tokens, login failures, the audit log."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid import clock
from legalaid.db import UTCDateTime, db

ROLES = ("admin", "coordinator", "supervisor", "provider", "finance", "desk")
# The staff who read every case and the statistics (DESIGN.md §5), named once for every area.
CASE_STAFF = ("coordinator", "supervisor", "admin")


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    # "ADMIN" beside "admin" would be two people to the database and one to everyone else.
    __table_args__ = (sa.Index("uq_user_account_username_lower", sa.text("lower(username)"), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    display_name: Mapped[str | None] = mapped_column(sa.String(120))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    active: Mapped[bool] = mapped_column(default=True)
    # Set with a temporary password; until the person picks their own, only the change-password page.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    # A provider's login; a supervisor's organisation is that of this provider record (DESIGN.md §4).
    provider_id: Mapped[int | None] = mapped_column(sa.ForeignKey("provider.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def roles(self) -> list[str]:
        return [r.role for r in self.role_rows]

    def has_role(self, *roles: str) -> bool:
        return any(r.role in roles for r in self.role_rows)

    @property
    def is_active(self) -> bool:  # flask-login: a disabled user cannot sign in
        return self.active

    @property
    def label(self) -> str:
        return self.display_name or self.username


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (sa.CheckConstraint(sa.column("role").in_(ROLES), name="role_known"),)

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)


class ApiToken(db.Model):
    """A bearer token for scripts; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class LoginFailure(db.Model):
    """One failed sign-in; five for a username from one address within 15 minutes lock it out."""

    __tablename__ = "login_failure"
    __table_args__ = (sa.Index("ix_login_failure_lookup", "username", "address", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80))
    address: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)


class AuditEntry(db.Model):
    """Append-only, hash-chained record of every state change (DESIGN.md §5).

    ``seq`` and the hashes are assigned as the last step before commit, under the lock on
    ``AuditHead``, so the chain order is the commit order."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int | None] = mapped_column(sa.BigInteger, unique=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(80))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    prev_hash: Mapped[str | None] = mapped_column(sa.String(64))
    hash: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index("ix_audit_entry_object", "object_type", "object_id"),)


class AuditHead(db.Model):
    """The single row holding the chain's last sequence number and hash; locked to append."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(sa.String(64), default="0" * 64)


class UserSession(db.Model):
    """One sign-in (a page or ``POST /api/v1/session``). The signed cookie carries a random key; the
    server keeps its SHA-256, and a cookie signs a request in only while its row is open, so signing
    out or disabling the user ends it on every worker (``legalaid.auth``)."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
