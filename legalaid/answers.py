"""Read-only JSON answers that stay right until the next state change, kept in each worker.

Every state change writes an audit entry in its own transaction, and sealing the entries moves the
audit chain's head (``legalaid.audit``). The head therefore names the state of everything the service
has changed: an answer built while the head stood at ``(seq, hash)`` is still right while it stands
there. A busy list (``GET /api/v1/me/assignments``, every provider's most frequent call) is then built
once per change instead of once per request, and a request that finds it costs one primary-key read.

Why it cannot serve a stale answer:

* the head is read *before* the answer is built, so an entry is never older than its key (a change
  committed in between makes the entry newer, and the next request, seeing the new head, misses);
* the key holds the head's hash, not only its number: a database restored from a backup and changed
  again does not meet the answers of the history it replaced;
* answers that depend on the date (deadline states) put the date in their key.

A write that bypassed the service (and so the audit) would bypass this cache too: ``clear`` it, or
restart the workers. Clients may also send ``If-None-Match``: the ETag is the body's digest, so an
unchanged list costs them a 304 even after unrelated changes.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import sqlalchemy as sa
from flask import Response, current_app, json, request

from legalaid.db import db

_HEAD_SQL = "SELECT last_seq, last_hash FROM audit_head WHERE id = 1"


class AnswerCache:
    """A bounded least-recently-used map from (head, key) to a JSON body and its ETag."""

    def __init__(self, max_entries: int, max_body_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_body_bytes = max_body_bytes
        self._entries: OrderedDict[tuple, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()  # the development server answers from threads
        self.hits = self.misses = 0

    def get(self, key: tuple) -> tuple[bytes, str] | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found

    def put(self, key: tuple, body: bytes) -> tuple[bytes, str]:
        entry = (body, hashlib.blake2b(body, digest_size=16).hexdigest())
        if len(body) > self.max_body_bytes or self.max_entries <= 0:
            return entry
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return entry

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def answer_cache(app=None) -> AnswerCache:
    """The application's cache (one per app, so test apps on other databases never share one)."""
    app = app or current_app
    cache = app.extensions.get("answer_cache")
    if cache is None:
        cache = app.extensions["answer_cache"] = AnswerCache(
            app.config["ANSWER_CACHE_ENTRIES"], app.config["ANSWER_CACHE_MAX_BYTES"]
        )
    return cache


_HEAD_STATEMENT = b"legalaid_audit_head"


def _prepared_head_statement(driver_connection):
    """psycopg 3's libpq connection with the head's statement prepared on it (None: another driver)."""
    pgconn = getattr(driver_connection, "pgconn", None)
    if pgconn is None:
        return None
    from psycopg import OperationalError, pq

    result = pgconn.prepare(_HEAD_STATEMENT, _HEAD_SQL.encode())
    if result.status != pq.ExecStatus.COMMAND_OK:
        raise OperationalError(pgconn.get_error_message())
    return pgconn


class _HeadReader:
    """PostgreSQL: one autocommit connection of the worker process's own, held open, so reading the
    head is one round trip (no pool checkout, pre-ping, BEGIN or ROLLBACK of the request's session).
    A connection the server dropped is replaced once."""

    def __init__(self, url: sa.URL) -> None:
        self.pid = os.getpid()
        self._engine = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        self._connection = None
        self._pgconn = None
        self._lock = threading.Lock()

    def read(self):
        with self._lock:
            try:
                return self._fetch()
            except self._engine.dialect.loaded_dbapi.OperationalError:
                self._drop()
                return self._fetch()

    def _fetch(self):
        if self._connection is None:
            self._connection = self._engine.raw_connection()
            self._pgconn = _prepared_head_statement(self._connection.driver_connection)
        if self._pgconn is not None:
            # Through libpq itself: every authenticated request reads the head (legalaid.auth), and
            # the driver's cursor costs four times the CPU of the read (55 µs against 14 µs).
            from psycopg import OperationalError, pq

            result = self._pgconn.exec_prepared(_HEAD_STATEMENT, [])
            if result.status != pq.ExecStatus.TUPLES_OK:
                raise OperationalError(self._pgconn.get_error_message())
            return (int(result.get_value(0, 0)), result.get_value(0, 1).decode()) if result.ntuples else None
        cursor = self._connection.cursor()
        try:
            cursor.execute(_HEAD_SQL)
            return cursor.fetchone()
        finally:
            cursor.close()

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            self._engine.dispose()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.invalidate()


def _head_reader(app) -> _HeadReader | None:
    """One reader per worker process on PostgreSQL; on SQLite the session's read is a file read."""
    if db.engine.dialect.name != "postgresql":
        return None
    reader = app.extensions.get("answer_head_reader")
    if reader is None or reader.pid != os.getpid():  # a forked worker opens its own connection
        reader = app.extensions["answer_head_reader"] = _HeadReader(db.engine.url)
    return reader


def close_head_reader(app) -> None:
    """Close the worker's head connection (tests that make many apps; a worker keeps it for life)."""
    reader = app.extensions.pop("answer_head_reader", None)
    if reader is not None:
        reader.close()


def head_state(session) -> tuple[int, str]:
    """Where the audit chain's head stands now: one primary-key read of the committed state."""
    reader = _head_reader(current_app)
    row = session.execute(sa.text(_HEAD_SQL)).first() if reader is None else reader.read()
    return (row[0], row[1]) if row is not None else (0, "")


def request_head_state() -> tuple[int, str]:
    """The head as this request first read it. Authentication reads it first of all (the principals
    it keeps follow the head too, ``legalaid.auth``), so a request pays one read; an answer built
    later in the request is then newer than its key, never older."""
    head = request.environ.get("legalaid.audit_head")
    if head is None:
        head = request.environ["legalaid.audit_head"] = head_state(db.session)
    return head


def cached_json(key: tuple[Hashable, ...], build: Callable[[], object]) -> Response:
    """``build()`` as a JSON response, built only when the state or ``key`` changed since it was
    last built in this worker. ``key`` must hold everything the answer depends on besides the
    database: who asks, the query arguments, the date when deadlines are shown."""
    cache = answer_cache()
    full_key = (request_head_state(), *key)
    entry = cache.get(full_key)
    if entry is None:
        entry = cache.put(full_key, json.dumps(build(), separators=(",", ":")).encode())
    body, digest = entry
    response = Response(body, mimetype="application/json")
    response.set_etag(digest)
    return response.make_conditional(request)
