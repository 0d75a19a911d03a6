"""Bank transfer files (CSV, XLSX), the archive list export, and the reconciliation figures.

Files are written row by row from a streaming query: the CSV as a generator, the XLSX through
openpyxl's write-only mode into a temporary file, so a batch of 10,000 never sits in memory. The
bank needs the full account numbers, so the transfer file carries them; every export is audited.
Cells go through ``legalaid.exports`` (text that could start a formula is neutralised; amounts in
yuan are numbers with two decimals).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.models import Case, Organization, Provider
from assignment.panel import bank_account_of, mask
from assignment.roles import require_role
from legalaid import audit, clock
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


def archive_export_kind():
    """The archive list as a file prepared in the background (a year holds up to 150,000 rows: 2-6 s
    written in a request): the same rows as ``export_archive_list``."""
    from flask_babel import lazy_gettext as _l

    from legalaid.export_jobs import ExportKind
    from supervision.subsidies.archive import archive_count
    from supervision.subsidies.schemas import ArchiveExportFilters

    return ExportKind(
        name="archive_list",
        label=lambda: str(_l("Archive list")),
        readers=("supervisor", "coordinator", "admin", "finance"),
        filters=ArchiveExportFilters,
        columns=ARCHIVE_COLUMNS,
        count=lambda session, f: archive_count(session, f["year"]),
        rows=lambda session, f: archive_rows(session, f["year"]),
        stem=lambda f: f"archive-{f['year'] or 'all'}",
        page="subsidies.archive_page",
    )


def default_period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    """The reconciliation page's period: the days asked, by default last month and this month up to
    today (a province pays ~15,000 subsidies a month; a year is asked for with ``from``/``to``)."""
    if date_from is not None or date_to is not None:
        return date_from, date_to
    today = clock.today()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1), today


def _paid_entries(date_from, date_to) -> sa.Select:
    """The paid money of the period, one row an entry (its day, provider and amount): paid subsidies
    on their bank date, read off ``ix_subsidy_money`` alone (index only; a batch is confirmed with its
    bank date, the only way a subsidy becomes paid), and reversal entries, which carry no bank date of
    their own, on the day they were entered (few: read off the same index's status)."""
    entered = sa.func.coalesce(Subsidy.paid_on, sa.func.date(Subsidy.computed_at))

    def arm(day, status):
        where = [Subsidy.status == status]
        if date_from:
            where.append(day >= date_from)
        if date_to:
            where.append(day <= date_to)
        return sa.select(day.label("day"), Subsidy.provider_id, Subsidy.amount_fen).where(*where)

    return sa.union_all(arm(Subsidy.paid_on, "paid"), arm(entered, "reversed"))


def _paid_by_month_and_provider(session: Session, date_from, date_to) -> tuple[list, list]:
    """Paid money by month, and by provider with the provider's name and organisation (id, name): on
    PostgreSQL one pass over the period's paid entries (``GROUPING SETS`` hashed on the month and the
    provider, the names joined to the grouped rows: 777,000 entries in a province took three scans
    before, issue 16), on SQLite (which has no grouping sets) two grouped statements."""
    paid = _paid_entries(date_from, date_to).subquery("paid")
    month = sa.func.substr(sa.cast(paid.c.day, sa.String), 1, 7)
    sums = (
        sa.func.coalesce(sa.func.sum(paid.c.amount_fen), 0).label("paid_fen"),
        sa.func.count().label("entries"),
    )
    names = (Provider.name, Provider.organization_id, Organization.name)
    if session.get_bind().dialect.name == "postgresql":
        g = (
            sa.select(
                sa.func.grouping(month).label("by_provider"), month.label("m"), paid.c.provider_id, *sums
            )
            .group_by(sa.func.grouping_sets(sa.tuple_(month), sa.tuple_(paid.c.provider_id)))
            .subquery("g")
        )
        rows = session.execute(
            sa.select(g.c.by_provider, g.c.m, g.c.provider_id, *names, g.c.paid_fen, g.c.entries)
            .outerjoin(Provider, Provider.id == g.c.provider_id)
            .outerjoin(Organization, Organization.id == Provider.organization_id)
        ).all()
        by_month = sorted((r.m, r.paid_fen, r.entries) for r in rows if not r.by_provider)
        return by_month, [tuple(r[2:]) for r in rows if r.by_provider]
    by_month = session.execute(sa.select(month, *sums).group_by(month).order_by(month)).all()
    per_provider = session.execute(
        sa.select(paid.c.provider_id, *names, *sums)
        .join(Provider, Provider.id == paid.c.provider_id)
        .join(Organization, Organization.id == Provider.organization_id)
        .group_by(paid.c.provider_id, *names)
    ).all()
    return [tuple(r) for r in by_month], [tuple(r) for r in per_provider]


def reconciliation(
    session: Session, date_from=None, date_to=None, *, page: int | None = None, per_page: int = 50
) -> dict:
    """Paid money (reversal entries subtract) by month, organisation and provider; what is still owed.
    Providers are listed by name; with ``page`` only that page of them (with ``providers_total`` and
    the page shown: the last one for a page past the end). Two statements on PostgreSQL."""
    by_month, per_provider = _paid_by_month_and_provider(session, date_from, date_to)
    # Organisations' totals are their providers' (every provider has one organisation).
    per_org: dict[int, list] = {}
    for _pid, _name, org_id, org_name, total_fen, count in per_provider:
        figures = per_org.setdefault(org_id, [org_name, 0, 0])
        figures[1] += int(total_fen)
        figures[2] += count
    by_org = sorted(((oid, n, t, c) for oid, (n, t, c) in per_org.items()), key=lambda r: (r[1], r[0]))
    by_provider = sorted(
        ((pid, n, t, c) for pid, n, _o, _on, t, c in per_provider), key=lambda r: (r[1], r[0])
    )
    paged = {}
    if page is not None:  # kept within the pages there are
        page = min(page, max(1, -(-len(by_provider) // per_page)))
        paged = {"providers_total": len(by_provider), "page": page, "per_page": per_page}
        by_provider = by_provider[(page - 1) * per_page : page * per_page]
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
        **paged,
    }
