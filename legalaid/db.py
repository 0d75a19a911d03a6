"""The one database object, its metadata naming convention, and per-connection settings.

SQLite is the embedded default; PostgreSQL is the production database. Both go through the same
SQLAlchemy 2.x models declared on ``Base``.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

# Alembic's SQLite batch mode can only drop constraints that have names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets the offset)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def one_of(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    """CHECK that a status-like column holds one of its known values."""
    return sa.CheckConstraint(sa.column(column).in_(values), name=name)


def is_sqlite(session_or_engine: Session | Engine) -> bool:
    # A scoped_session (Flask-SQLAlchemy's db.session) is not a Session but has get_bind too.
    bind = session_or_engine.get_bind() if hasattr(session_or_engine, "get_bind") else session_or_engine
    return bind.dialect.name == "sqlite"


def lock_for_update(stmt: sa.Select) -> sa.Select:
    """Row lock on PostgreSQL. On SQLite every transaction already holds the write lock (see below)."""
    return stmt.with_for_update()


def lock_row(session: Session, model, row_id: int):
    """``model``'s row ``row_id`` read afresh under a lock held until commit, or None.

    Every transition calls this before it checks the state it changes: a concurrent request that
    committed first is then seen, so the state check refuses the second effect (409), never repeats
    it. The object is re-read (``populate_existing``) because the session may hold a copy loaded
    before the lock was granted."""
    stmt = lock_for_update(sa.select(model).where(model.id == row_id))
    return session.scalars(stmt.execution_options(populate_existing=True)).one_or_none()


# Database answers that mean "another request changed this first": a unique or foreign-key check lost
# to a concurrent insert, a deadlock, a serialisation failure, a lock not granted in time.
CONFLICT_SQLSTATES = {"23505", "23503", "23514", "40P01", "40001", "55P03"}


def is_conflict(exc: BaseException) -> bool:
    """A database error that a concurrent change explains (answered 409, never 500)."""
    from sqlalchemy.exc import DBAPIError, IntegrityError

    if isinstance(exc, IntegrityError):
        return True
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if code in CONFLICT_SQLSTATES:
            return True
        return "database is locked" in str(exc.orig)
    return False


@event.listens_for(Engine, "connect")
def _sqlite_connection_settings(dbapi_connection, connection_record):
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    # Let SQLAlchemy, not the driver, decide when a transaction begins (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "connect")
def _postgresql_connection_settings(dbapi_connection, connection_record):
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    # No JIT compilation: the service's largest statements (the annual report's grouped counts over
    # a province's two years) run 0.1-0.5 s, and PostgreSQL's default cost threshold had them spend
    # about half of that compiling (220 ms of 457 ms for the cases' counts at 1,000,000 cases).
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    dbapi_connection.execute("SET jit = off")
    dbapi_connection.autocommit = autocommit


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    # SQLite: every transaction is BEGIN IMMEDIATE, so it holds the single write lock from its first
    # statement. A deferred transaction that reads and then writes fails with "database is locked"
    # when another writer committed in between; taking the lock up front makes concurrent
    # assigners, archivers and batchers queue instead (DESIGN.md §4 "Concurrency").
    # The one exception: a long read that writes nothing (a background export, legalaid.export_jobs)
    # asks for ``sqlite_read_only``; a deferred transaction reads a snapshot of the WAL without the lock.
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            "BEGIN" if conn.get_execution_options().get("sqlite_read_only") else "BEGIN IMMEDIATE"
        )
