"""The audit log: every state change writes an entry; entries are hash-chained in commit order.

Service functions call ``record``. Just before the transaction commits, ``_seal_pending`` locks the
chain head (the last statements before commit: a brief global serialisation, DESIGN.md §5), gives
each new entry the next sequence number, chains its hash to the previous one, and inserts the
entries and moves the head: two statements on PostgreSQL (three on SQLite) whatever the transaction
did.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from legalaid import clock
from legalaid.db import lock_for_update
from legalaid.models import AuditEntry, AuditHead

GENESIS = "0" * 64


def jsonable(value):
    """A JSON-safe copy of a before/after summary (dates as ISO text, Decimals as text)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


@dataclass
class PendingEntry:
    """An audit entry recorded in an open transaction; ``seq`` and the hashes are given at commit."""

    at: dt.datetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: int | None
    before: dict | None
    after: dict | None
    seq: int | None = None
    prev_hash: str | None = None
    hash: str | None = None


def record(
    session: Session,
    actor,
    action: str,
    object_type: str,
    object_id: int | None,
    before: dict | None = None,
    after: dict | None = None,
) -> PendingEntry:
    """Add an audit entry to the current transaction; it is sealed into the chain at commit."""
    entry = PendingEntry(
        at=clock.now(),
        actor_id=getattr(actor, "id", actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
    )
    # Kept out of the session until the commit seals it, so it is inserted once, complete.
    session.info.setdefault("audit_pending", []).append(entry)
    return entry


def entry_hash(entry: AuditEntry, prev_hash: str) -> str:
    at = entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    payload = json.dumps(
        [
            entry.seq,
            at,
            entry.actor_id,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.before,
            entry.after,
            prev_hash,
        ],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


_ENTRY = AuditEntry.__table__
_HEAD = AuditHead.__table__
_LOCK_HEAD = lock_for_update(sa.select(_HEAD.c.last_seq, _HEAD.c.last_hash).where(_HEAD.c.id == 1))
_COLUMNS = (
    "seq",
    "at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "prev_hash",
    "hash",
)


@event.listens_for(Session, "before_commit")
def _seal_pending(session: Session) -> None:
    pending = session.info.pop("audit_pending", None)
    if not pending:
        return
    session.flush()  # everything else first: the head stays locked only for the chain's own writes
    head = session.execute(_LOCK_HEAD).one_or_none()
    if head is None:  # the migration seeds it; a bare test database may not have it yet
        session.execute(sa.insert(_HEAD).values(id=1, last_seq=0, last_hash=GENESIS))
        head = (0, GENESIS)
    seq, last_hash = head
    for entry in pending:
        seq += 1
        entry.seq, entry.prev_hash = seq, last_hash
        entry.hash = last_hash = entry_hash(entry, last_hash)
    rows = [{name: getattr(entry, name) for name in _COLUMNS} for entry in pending]
    move_head = sa.update(_HEAD).where(_HEAD.c.id == 1).values(last_seq=seq, last_hash=last_hash)
    # Plain statements, not the unit of work: this runs while the head (and often a pool) is locked.
    if session.get_bind().dialect.name == "postgresql":  # one round trip: the entries and the head
        session.execute(move_head.add_cte(sa.insert(_ENTRY).values(rows).cte("sealed")))
    else:
        session.execute(sa.insert(_ENTRY), rows)
        session.execute(move_head)


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction) -> None:
    if transaction.nested:
        session.info.setdefault("audit_marks", {})[id(transaction)] = len(
            session.info.get("audit_pending", ())
        )


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction) -> None:
    """A rollback takes back the entries recorded in what it undid: they describe nothing. A savepoint
    takes back those recorded inside it; the whole transaction, all of them."""
    if previous_transaction.parent is None:
        session.info.pop("audit_pending", None)
        session.info.pop("audit_marks", None)
        return
    mark = session.info.get("audit_marks", {}).pop(id(previous_transaction), None)
    if mark is not None and "audit_pending" in session.info:
        del session.info["audit_pending"][mark:]


@event.listens_for(Session, "after_transaction_end")
def _drop_savepoint_marks(session: Session, transaction) -> None:
    # Marks live until the outer transaction ends: a savepoint ends before its soft-rollback event.
    if transaction.parent is None:
        session.info.pop("audit_marks", None)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problem: str | None = None
    seq: int | None = None


def verify_chain(session: Session, progress=None) -> VerifyResult:
    """Walk the chain in sequence order; report the first broken link."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    unsealed = session.scalar(sa.select(sa.func.count()).where(AuditEntry.seq.is_(None)))
    stmt = sa.select(AuditEntry).where(AuditEntry.seq.is_not(None)).order_by(AuditEntry.seq)
    entries = session.scalars(stmt.execution_options(yield_per=2000))
    try:
        broken = None
        for entry in entries:
            if entry.seq != expected_seq:
                broken = VerifyResult(False, checked, f"entry {expected_seq} is missing", expected_seq)
            elif entry.prev_hash != prev:
                broken = VerifyResult(
                    False, checked, f"entry {entry.seq} does not link to its predecessor", entry.seq
                )
            elif entry_hash(entry, prev) != entry.hash:
                broken = VerifyResult(
                    False, checked, f"entry {entry.seq} was altered after it was written", entry.seq
                )
            if broken:
                return broken
            prev = entry.hash
            expected_seq += 1
            checked += 1
            if progress and checked % 10000 == 0:
                progress(checked)
    finally:
        entries.close()  # a server-side cursor on PostgreSQL
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_seq != checked or head.last_hash != prev):
        return VerifyResult(False, checked, "the chain head does not match the last entry", head.last_seq)
    if unsealed:
        return VerifyResult(False, checked, f"{unsealed} entries were never sealed into the chain")
    return VerifyResult(True, checked)
