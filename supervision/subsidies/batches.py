"""Payment batches (支付批次): finance pays payable subsidies together, each exactly once.

Batching locks the chosen subsidy rows (``FOR UPDATE`` in id order on PostgreSQL, so two clerks
never deadlock; SQLite's ``BEGIN IMMEDIATE`` queues them): two clerks batching the same subsidy at
once, one wins and the other gets 409. The database backs this with the subsidy's ``batch_id``
checks and the partial unique index on live batch items.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.models import Organization, Provider
from assignment.roles import actor_id, require_role
from legalaid import audit, clock
from legalaid.db import lock_for_update
from legalaid.errors import Invalid, NotAllowed, NotFound, joined, say
from supervision.subsidies.labels import batch_status, subsidy_status
from supervision.subsidies.models import PaymentBatch, PaymentBatchItem, Subsidy
from supervision.subsidies.payees import payee_mode, payee_problems, ready_clause
from supervision.subsidies.subsidies import subsidy_list_statement

FINANCE = ("finance",)
BATCH_READERS = ("finance", "admin")
CHUNK = 5000


def _chunks(ids: list[int], size: int = CHUNK) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _lock_subsidies(session: Session, ids: list[int]) -> list[sa.Row]:
    rows: list[sa.Row] = []
    for chunk in _chunks(ids):
        stmt = sa.select(Subsidy.id, Subsidy.status, Subsidy.batch_id, Subsidy.amount_fen).where(
            Subsidy.id.in_(chunk)
        )
        rows.extend(session.execute(lock_for_update(stmt.order_by(Subsidy.id))))
    return rows


def _describe(ids: Iterable[int], limit: int = 20) -> tuple[str, int]:
    """The first ``limit`` ids as text, and how many more there are."""
    ids = list(ids)
    return ", ".join(str(i) for i in ids[:limit]), max(len(ids) - limit, 0)


def _not_in_batch(batch_id: int, ids: list[int]):
    shown_ids, more = _describe(ids)
    if more:
        return say("Not in batch %(id)s: %(ids)s and %(more)s more", id=batch_id, ids=shown_ids, more=more)
    return say("Not in batch %(id)s: %(ids)s", id=batch_id, ids=shown_ids)


def create_payment_batch(
    session: Session,
    actor,
    subsidy_ids: Iterable[int] | None = None,
    *,
    filters: dict | None = None,
    accounts_later: bool = False,
) -> PaymentBatch:
    """A batch of the chosen payable subsidies, or of all payable ones matching ``filters`` that can be
    paid. Any chosen subsidy that is not payable (not archived, held, already in a batch), or whose
    payee has no usable bank account → 409, and nothing is batched.

    ``accounts_later``: the API's contract (API.md) refuses only subsidies that are not payable, so a
    system naming subsidies whose payee has no account yet gets its batch, and the batch page shows
    finance which accounts are missing before the file goes to the bank. The pages never batch them."""
    require_role(actor, *FINANCE)
    mode = payee_mode()
    if subsidy_ids is not None:
        ids = sorted(set(subsidy_ids))
        if not ids:
            raise Invalid(say("Choose at least one subsidy."), fields={"subsidy_ids": [say("Empty.")]})
        rows = _lock_subsidies(session, ids)
        unknown = set(ids) - {r.id for r in rows}
        if unknown:
            shown_ids, more = _describe(sorted(unknown))
            if more:
                raise NotAllowed(
                    say(
                        "Unknown subsidies: %(ids)s and %(more)s more; nothing was batched.",
                        ids=shown_ids,
                        more=more,
                    )
                )
            raise NotAllowed(say("Unknown subsidies: %(ids)s; nothing was batched.", ids=shown_ids))
    else:
        matching = subsidy_list_statement(status="payable", join_provider=True, **(filters or {}))
        stmt = (
            matching.with_only_columns(Subsidy.id, Subsidy.status, Subsidy.batch_id, Subsidy.amount_fen)
            .join(Organization, Organization.id == Provider.organization_id)
            .where(ready_clause(mode))
        )
        rows = list(session.execute(stmt.order_by(None).order_by(Subsidy.id).with_for_update(of=Subsidy)))
        if not rows:
            raise NotAllowed(
                say("No payable subsidy with a usable payee account matches the filter; nothing was batched.")
            )
        ids = [r.id for r in rows]
    refused = [r for r in rows if r.status != "payable" or r.batch_id is not None]
    if refused:
        detail = joined(
            [say("%(id)s is %(status)s", id=r.id, status=subsidy_status(r.status)) for r in refused[:20]]
        )
        if len(refused) > 20:
            message = say(
                "Not payable: %(detail)s and %(more)s more. Nothing was batched.",
                detail=detail,
                more=len(refused) - 20,
            )
        else:
            message = say("Not payable: %(detail)s. Nothing was batched.", detail=detail)
        raise NotAllowed(message, code="not_payable")
    unpaid = payee_problems(session, ids, mode) if subsidy_ids is not None else {}
    if accounts_later and all(r.amount_fen > 0 for r in rows):
        unpaid = {}  # only an unpayable subsidy is refused (see above); the batch page names the gaps
    if unpaid:
        shown_ids = sorted(unpaid)
        detail = joined([say("%(id)s: %(problem)s", id=i, problem=unpaid[i]) for i in shown_ids[:20]])
        if len(shown_ids) > 20:
            message = say(
                "Cannot be paid: %(detail)s and %(more)s more. Nothing was batched.",
                detail=detail,
                more=len(shown_ids) - 20,
            )
        else:
            message = say("Cannot be paid: %(detail)s. Nothing was batched.", detail=detail)
        raise NotAllowed(message, code="payee_missing")
    total = sum(r.amount_fen for r in rows)
    batch = PaymentBatch(
        status="open",
        count=len(rows),
        total_fen=total,
        payee_mode=mode,
        created_at=clock.now(),
        created_by=actor_id(actor),
    )
    session.add(batch)
    session.flush()
    for chunk in _chunks(ids):
        result = session.execute(
            sa.update(Subsidy)
            .where(Subsidy.id.in_(chunk), Subsidy.status == "payable", Subsidy.batch_id.is_(None))
            .values(status="batched", batch_id=batch.id)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != len(chunk):  # the locks make this unreachable; never batch half
            raise NotAllowed(say("Some subsidies changed while batching; nothing was batched."))
    session.execute(
        sa.insert(PaymentBatchItem.__table__).from_select(
            ["batch_id", "subsidy_id", "amount_fen", "outcome"],
            sa.select(sa.literal(batch.id), Subsidy.id, Subsidy.amount_fen, sa.literal("pending")).where(
                Subsidy.batch_id == batch.id
            ),
        )
    )
    audit.record(
        session,
        actor,
        "payment_batch.create",
        "payment_batch",
        batch.id,
        None,
        {"count": batch.count, "total_fen": total, "subsidy_ids": ids},
    )
    _forget_subsidies(session)
    return batch


def _forget_subsidies(session: Session) -> None:
    """Bulk updates bypass the identity map; expire loaded subsidies so readers see the new state."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Subsidy):
            session.expire(obj)


def _lock_batch(session: Session, batch_id: int) -> PaymentBatch:
    batch = session.scalars(
        lock_for_update(sa.select(PaymentBatch).where(PaymentBatch.id == batch_id)).execution_options(
            populate_existing=True
        )
    ).one_or_none()
    if batch is None:
        raise NotFound(say("No such payment batch."))
    return batch


def get_batch(session: Session, batch_id: int) -> PaymentBatch:
    batch = session.get(PaymentBatch, batch_id)
    if batch is None:
        raise NotFound(say("No such payment batch."))
    return batch


def confirm_batch(
    session: Session,
    actor,
    batch_id: int,
    *,
    bank_reference: str,
    paid_on: dt.date,
    failed_ids: Iterable[int] = (),
) -> PaymentBatch:
    """The bank paid the batch: its subsidies are paid, except those the bank rejected, which return
    to payable. A batch is confirmed once."""
    require_role(actor, *FINANCE)
    if not (bank_reference or "").strip():
        raise Invalid(say("Give the bank reference."), fields={"bank_reference": [say("Required.")]})
    batch = _lock_batch(session, batch_id)
    if batch.status != "open":
        raise NotAllowed(
            say(
                "Payment batch %(id)s is %(status)s; it cannot be confirmed again.",
                id=batch.id,
                status=batch_status(batch.status),
            )
        )
    # A bank pays a batch after it was made and not in the future (the API and pages also keep paid_on
    # within the "past" window of legalaid.limits). "Made on" is the earlier of the centre's date and
    # the UTC date: a script whose calendar is on UTC is up to a day behind the centre's.
    made_on = min(clock.local_date(batch.created_at), batch.created_at.astimezone(dt.UTC).date())
    if not made_on <= paid_on <= clock.today():
        made = made_on.isoformat()
        raise Invalid(
            say("The payment date is from the day the batch was made (%(made)s) to today.", made=made),
            fields={"paid_on": [say("From %(made)s to today.", made=made)]},
        )
    failed = sorted(set(failed_ids))
    members = set(
        session.scalars(sa.select(PaymentBatchItem.subsidy_id).where(PaymentBatchItem.batch_id == batch.id))
    )
    strangers = [i for i in failed if i not in members]
    if strangers:
        raise Invalid(
            say("Only subsidies of this batch can be rejected."),
            fields={"failed_ids": [_not_in_batch(batch.id, strangers)]},
        )
    for chunk in _chunks(failed):
        session.execute(
            sa.update(Subsidy)
            .where(Subsidy.id.in_(chunk), Subsidy.batch_id == batch.id)
            .values(status="payable", batch_id=None)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            sa.update(PaymentBatchItem)
            .where(PaymentBatchItem.batch_id == batch.id, PaymentBatchItem.subsidy_id.in_(chunk))
            .values(outcome="failed")
            .execution_options(synchronize_session=False)
        )
    session.execute(
        sa.update(Subsidy)
        .where(Subsidy.batch_id == batch.id, Subsidy.status == "batched")
        .values(status="paid", paid_on=paid_on, bank_reference=bank_reference)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        sa.update(PaymentBatchItem)
        .where(PaymentBatchItem.batch_id == batch.id, PaymentBatchItem.outcome == "pending")
        .values(outcome="paid")
        .execution_options(synchronize_session=False)
    )
    batch.status, batch.bank_reference, batch.paid_on = "confirmed", bank_reference, paid_on
    batch.confirmed_at, batch.confirmed_by, batch.failed_count = clock.now(), actor_id(actor), len(failed)
    session.flush()
    audit.record(
        session,
        actor,
        "payment_batch.confirm",
        "payment_batch",
        batch.id,
        {"status": "open"},
        {"status": "confirmed", "bank_reference": bank_reference, "paid_on": paid_on, "failed_ids": failed},
    )
    _forget_subsidies(session)
    return batch


def cancel_batch(session: Session, actor, batch_id: int, reason: str | None = None) -> PaymentBatch:
    """An unconfirmed batch is dropped; its subsidies are payable again."""
    require_role(actor, *FINANCE)
    batch = _lock_batch(session, batch_id)
    if batch.status != "open":
        raise NotAllowed(
            say(
                "Payment batch %(id)s is %(status)s; only an open batch can be cancelled.",
                id=batch.id,
                status=batch_status(batch.status),
            )
        )
    session.execute(
        sa.update(Subsidy)
        .where(Subsidy.batch_id == batch.id, Subsidy.status == "batched")
        .values(status="payable", batch_id=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        sa.update(PaymentBatchItem)
        .where(PaymentBatchItem.batch_id == batch.id)
        .values(outcome="cancelled")
        .execution_options(synchronize_session=False)
    )
    batch.status, batch.cancelled_at, batch.cancelled_by = "cancelled", clock.now(), actor_id(actor)
    session.flush()
    audit.record(
        session,
        actor,
        "payment_batch.cancel",
        "payment_batch",
        batch.id,
        {"status": "open"},
        {"status": "cancelled", "reason": reason},
    )
    _forget_subsidies(session)
    return batch


def batch_list_statement(status: str | None = None) -> sa.Select:
    stmt = sa.select(PaymentBatch).order_by(PaymentBatch.id.desc())
    return stmt.where(PaymentBatch.status == status) if status else stmt
