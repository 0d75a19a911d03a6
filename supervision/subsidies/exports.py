"""Bank transfer files (CSV, XLSX), the archive list export, and the reconciliation figures.

Files are written row by row from a streaming query: the CSV as a generator, the XLSX through
openpyxl's write-only mode into a temporary file, so a batch of 10,000 never sits in memory. The
bank needs the full account numbers, so the transfer file carries them; every export is audited.
Cells go through ``legalaid.exports`` (text that could start a formula is neutralised; amounts in
yuan are numbers with two decimals).
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.models import Case, Organization, Provider
from assignment.panel import bank_account_of, mask
from assignment.roles import require_role
from legalaid import audit
from legalaid.exports import csv_stream, yuan
from legalaid.xlsx_stream import xlsx_stream_file as xlsx_file
from supervision.subsidies.archive import archive_list_statement
from supervision.subsidies.batches import BATCH_READERS, get_batch
from supervision.subsidies.labels import BATCH_COLUMN_LABELS
from supervision.subsidies.models import ArchiveRecord, PaymentBatch, PaymentBatchItem, Subsidy

BATCH_COLUMNS = [
    "subsidy_id",
    "payee",
    "bank_account",
    "bank_name",
    "amount_yuan",
    "amount_fen",
    "case_number",
    "archive_number",
    "provider",
    "organization",
]
MONEY_COLUMNS = ("amount_yuan",)
ARCHIVE_COLUMNS = ["archive_number", "year", "archived_on", "case_number", "case_type", "cause", "case_id"]
YIELD = 2000


def batch_rows(
    session: Session,
    batch: PaymentBatch,
    *,
    masked: bool,
    offset: int | None = None,
    limit: int | None = None,
) -> Iterator[list]:
    """One row per subsidy in the batch: the payee (provider or organisation), the account, the amount.
    Plain rows from one streamed query with the payees' accounts joined in (no read per payee): a batch
    may hold tens of thousands. ``offset``/``limit``: one page of them, in subsidy order."""
    stmt = (
        sa.select(
            PaymentBatchItem.subsidy_id,
            PaymentBatchItem.amount_fen,
            Provider.name.label("provider_name"),
            Provider.bank_account_stored.label("provider_account"),
            Provider.bank_name.label("provider_bank"),
            Organization.name.label("organization_name"),
            Organization.bank_account_stored.label("organization_account"),
            Organization.bank_name.label("organization_bank"),
            Case.number.label("case_number"),
            ArchiveRecord.number.label("archive_number"),
        )
        .join(Subsidy, Subsidy.id == PaymentBatchItem.subsidy_id)
        .join(Provider, Provider.id == Subsidy.provider_id)
        .join(Organization, Organization.id == Provider.organization_id)
        .outerjoin(Case, Case.id == Subsidy.case_id)  # a duty shift's subsidy has no case (issue 14)
        .outerjoin(ArchiveRecord, ArchiveRecord.id == Subsidy.archive_id)
        .where(PaymentBatchItem.batch_id == batch.id)
        .order_by(PaymentBatchItem.subsidy_id)
        .execution_options(yield_per=YIELD)
    )
    if offset or limit is not None:
        # One page: its subsidy ids are counted off the item table's key (batch_id, subsidy_id) alone,
        # then only those rows are joined (a deep page does not join the rows before it).
        page = (
            sa.select(PaymentBatchItem.subsidy_id)
            .where(PaymentBatchItem.batch_id == batch.id)
            .order_by(PaymentBatchItem.subsidy_id)
            .offset(offset or 0)
            .limit(limit)
            .scalar_subquery()
        )
        stmt = stmt.where(PaymentBatchItem.subsidy_id.in_(page))
    by_organization = batch.payee_mode == "organization"
    result = session.execute(stmt)
    try:
        yield from _rows(result, by_organization, masked)
    finally:  # a reader that stops early: the streaming cursor is closed all the same
        result.close()


def _rows(result, by_organization, masked):
    accounts: dict[str, str | None] = {}  # each stored account decrypted once per file

    def account(stored: str | None) -> str | None:
        if not stored:
            return stored
        if stored not in accounts:
            accounts[stored] = bank_account_of(_Stored(stored))
        return accounts[stored]

    for row in result:
        if by_organization:
            payee, stored, bank = row.organization_name, row.organization_account, row.organization_bank
        else:
            payee, stored, bank = row.provider_name, row.provider_account, row.provider_bank
        full = account(stored)
        yield [
            row.subsidy_id,
            payee,
            (mask(full) if masked else full) or "",
            bank or "",
            yuan(row.amount_fen),
            row.amount_fen,
            row.case_number,
            row.archive_number or "",
            row.provider_name,
            row.organization_name,
        ]


class _Stored:
    """What ``bank_account_of`` reads: the stored (possibly encrypted) account of a payee."""

    def __init__(self, stored: str):
        self.bank_account_stored = stored


def export_batch(session: Session, actor, batch_id: int, fmt: str, *, labels: bool = False):
    """The bank transfer file of a batch: ``("csv", iterator of text)`` or ``("xlsx", file)``.
    Audited: the file holds full account numbers (DESIGN.md §4). ``labels``: the header row in the
    reader's language (the page's download) instead of the column codes (the API's)."""
    require_role(actor, *BATCH_READERS)
    batch = get_batch(session, batch_id)
    if batch.status == "cancelled":
        from legalaid.errors import NotAllowed, say

        raise NotAllowed(say("Payment batch %(id)s was cancelled; there is nothing to pay.", id=batch.id))
    audit.record(
        session,
        actor,
        "payment_batch.export",
        "payment_batch",
        batch.id,
        None,
        {"format": fmt, "count": batch.count, "total_fen": batch.total_fen},
    )
    session.commit()  # the audit entry is written before the file leaves
    batch = get_batch(session, batch_id)
    rows = batch_rows(session, batch, masked=False)
    header = [str(BATCH_COLUMN_LABELS[c]) for c in BATCH_COLUMNS] if labels else BATCH_COLUMNS
    if fmt == "xlsx":
        money = [h for c, h in zip(BATCH_COLUMNS, header, strict=True) if c in MONEY_COLUMNS]
        return "xlsx", xlsx_file(f"batch-{batch.id}", header, rows, money_columns=money)
    return "csv", csv_stream(header, rows)


def archive_rows(session: Session, year: int | None = None) -> Iterator[list]:
    """The archive list's rows in ARCHIVE_COLUMNS order, streamed from a server-side cursor through
    Core (plain tuples: the ORM's row loading cost ~5 µs a row, a year holds 150,000)."""
    stmt = archive_list_statement(year).with_only_columns(
        ArchiveRecord.number,
        ArchiveRecord.year,
        ArchiveRecord.archived_on,
        Case.number,
        Case.case_type,
        Case.cause,
        Case.id,
    )
    # The options on the statement, not the connection: a connection's options stay on it, and the
    # next statement of the request (an audit entry) would be sent as a server-side cursor too.
    with session.connection().execute(stmt.execution_options(stream_results=True, yield_per=YIELD)) as result:
        yield from _archive_row_values(result)  # closed with the generator, like batch_rows


def _archive_row_values(result) -> Iterator[list]:
    for number, year, archived_on, case_number, case_type, cause, case_id in result:
        yield [number, year, archived_on.isoformat(), case_number, case_type, cause, case_id]


def export_archive_list(session: Session, actor, fmt: str, year: int | None = None):
    audit.record(
        session, actor, "archive.export", "archive_record", None, None, {"format": fmt, "year": year}
    )
    session.commit()
    rows = archive_rows(session, year)
    if fmt == "xlsx":
        return "xlsx", xlsx_file("archive", ARCHIVE_COLUMNS, rows)
    return "csv", csv_stream(ARCHIVE_COLUMNS, rows)


def _paid_by_month_and_provider(session: Session, month, where) -> tuple[list, dict[int, tuple[int, int]]]:
    """Paid money by month and by provider: on PostgreSQL one pass over the paid subsidies
    (``GROUPING SETS``; 777,000 of them in a province took three scans before, issue 16), on SQLite
    (which has no grouping sets) two grouped statements."""
    total = sa.func.coalesce(sa.func.sum(Subsidy.amount_fen), 0)
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            sa.select(month, Subsidy.provider_id, total, sa.func.count())
            .where(*where)
            .group_by(sa.func.grouping_sets(sa.tuple_(month), sa.tuple_(Subsidy.provider_id)))
        ).all()
        by_month = sorted((m, t, c) for m, pid, t, c in rows if pid is None)
        return by_month, {pid: (int(t), c) for m, pid, t, c in rows if pid is not None}
    by_month = session.execute(
        sa.select(month, total, sa.func.count()).where(*where).group_by(month).order_by(month)
    ).all()
    per_provider = session.execute(
        sa.select(Subsidy.provider_id, total, sa.func.count()).where(*where).group_by(Subsidy.provider_id)
    ).all()
    return [tuple(r) for r in by_month], {pid: (int(t), c) for pid, t, c in per_provider}


def reconciliation(session: Session, date_from=None, date_to=None) -> dict:
    """Paid money (reversal entries subtract) by month, organisation and provider; what is still owed."""
    paid = sa.or_(Subsidy.status == "paid", Subsidy.status == "reversed")
    # Reversals carry no bank date of their own: they count in the month they were entered.
    on = sa.func.coalesce(Subsidy.paid_on, sa.func.date(Subsidy.computed_at))
    where = [paid]
    if date_from:
        where.append(on >= date_from)
    if date_to:
        where.append(on <= date_to)
    month = sa.func.substr(sa.cast(on, sa.String), 1, 7)
    by_month, per_provider = _paid_by_month_and_provider(session, month, where)
    # The panel's names (10,000 providers at most): one read of the table beats an IN of every id.
    providers = {
        pid: (name, org_id)
        for pid, name, org_id in session.execute(
            sa.select(Provider.id, Provider.name, Provider.organization_id)
        ).all()
    }
    # Organisations' totals are their providers' (every provider has one organisation).
    per_org: dict[int, list[int]] = {}
    for pid, (total_fen, count) in per_provider.items():
        figures = per_org.setdefault(providers[pid][1], [0, 0])
        figures[0] += total_fen
        figures[1] += count
    org_names = (
        dict(
            session.execute(
                sa.select(Organization.id, Organization.name).where(Organization.id.in_(list(per_org)))
            ).all()
        )
        if per_org
        else {}
    )
    by_org = sorted(
        ((oid, org_names[oid], t, c) for oid, (t, c) in per_org.items()), key=lambda r: (r[1], r[0])
    )
    by_provider = sorted(
        ((pid, providers[pid][0], t, c) for pid, (t, c) in per_provider.items()), key=lambda r: (r[1], r[0])
    )
    owed = session.execute(
        sa.select(Subsidy.status, sa.func.coalesce(sa.func.sum(Subsidy.amount_fen), 0), sa.func.count())
        .where(Subsidy.status.in_(("payable", "batched", "held")), Subsidy.archive_id.is_not(None))
        .group_by(Subsidy.status)
    ).all()
    return {
        "by_month": [{"month": m, "total_fen": int(t), "count": c} for m, t, c in by_month],
        "by_organization": [
            {"organization_id": i, "name": n, "total_fen": int(t), "count": c} for i, n, t, c in by_org
        ],
        "by_provider": [
            {"provider_id": i, "name": n, "total_fen": int(t), "count": c} for i, n, t, c in by_provider
        ],
        "outstanding": {s: {"total_fen": int(t), "count": c} for s, t, c in owed},
        "paid_total_fen": sum(int(t) for _m, t, _c in by_month),
    }
