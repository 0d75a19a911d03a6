"""Request bodies and query arguments of the archive, subsidy and payment-batch API; dumps as dicts.

Lists dump plain dicts, not marshmallow (STYLE.md: dumping many objects through marshmallow is slow)."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from marshmallow import fields, validate

from assignment.models import Case
from legalaid.api import PageArgs
from legalaid.limits import MAX_AMOUNT_FEN, Bool, Date, Int, List, Year
from supervision.subsidies.archive import CORRECTABLE_FIELDS
from supervision.subsidies.models import (
    BATCH_STATUSES,
    RATE_CASE_TYPES,
    RATE_PROVIDER_KINDS,
    RATE_STAGES,
    SUBSIDY_STATUSES,
    ArchiveRecord,
    PaymentBatch,
    Subsidy,
)
from supervision.subsidies.reasons import words
from supervision.subsidies.subsidies import SORT_VALUES

REASON = fields.String(required=True, validate=validate.Length(min=1, max=2000))
MAX_BATCH = 100_000  # subsidies in one payment batch


class ReasonSchema(ma.Schema):
    reason = REASON


class ReverseSchema(ma.Schema):
    reason = REASON
    amount_fen = Int(big=True, load_default=None, validate=validate.Range(min=1, max=MAX_AMOUNT_FEN))


class SubsidyFilterSchema(ma.Schema):
    """The payable queue's filters; also the body's ``filter`` when batching all that match."""

    status = fields.String(load_default=None, validate=validate.OneOf(SUBSIDY_STATUSES))
    provider_id = Int(load_default=None)
    organization_id = Int(load_default=None)
    case_type = fields.String(load_default=None, validate=validate.OneOf(RATE_CASE_TYPES))
    archived_from = Date(load_default=None, window="planning")
    archived_to = Date(load_default=None, window="planning")
    overdue = fields.Boolean(load_default=None)
    q = fields.String(load_default=None, validate=validate.Length(max=100))
    sort = fields.String(load_default=None, validate=validate.OneOf(SORT_VALUES))


class BatchFilterSchema(ma.Schema):
    provider_id = Int(load_default=None)
    organization_id = Int(load_default=None)
    case_type = fields.String(load_default=None, validate=validate.OneOf(RATE_CASE_TYPES))
    archived_from = Date(load_default=None, window="planning")
    archived_to = Date(load_default=None, window="planning")
    overdue = Bool(load_default=None)


class BatchCreateSchema(ma.Schema):
    """Either the chosen ``subsidy_ids`` or a ``filter`` (all payable subsidies that match it)."""

    subsidy_ids = List(Int(), validate=validate.Length(min=1), max_items=MAX_BATCH, unique=True)
    filter = fields.Nested(BatchFilterSchema)

    @ma.validates_schema
    def one_of(self, data, **kwargs):
        if ("subsidy_ids" in data) == ("filter" in data):
            raise ma.ValidationError("Send either subsidy_ids or filter.", "subsidy_ids")


class ConfirmSchema(ma.Schema):
    bank_reference = fields.String(required=True, validate=validate.Length(min=1, max=100))
    # Not after today; not before the batch was made either (batches.confirm_batch checks that).
    paid_on = Date(required=True, window="past")
    failed_ids = List(Int(), load_default=list, max_items=MAX_BATCH, unique=True)


class CancelSchema(ma.Schema):
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))


class BatchListArgs(ma.Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(BATCH_STATUSES))


class ExportArgs(ma.Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))


class ArchiveExportFilters(ma.Schema):
    """The archive list's filter: its year (none: every year)."""

    year = Year(load_default=None)


class ArchiveListArgs(ArchiveExportFilters):
    format = fields.String(load_default=None, validate=validate.OneOf(("csv", "xlsx")))


class CorrectionSchema(ma.Schema):
    changes = fields.Dict(
        keys=fields.String(validate=validate.Length(max=40)),
        values=fields.String(allow_none=True),
        required=True,
        validate=validate.Length(max=len(CORRECTABLE_FIELDS)),
    )
    reason = REASON

    @ma.validates("changes")
    def _fit_their_columns(self, changes: dict, **kwargs) -> None:
        """A corrected fact fits its column, as it had to when the case was registered; the service
        refuses facts that may not be corrected."""
        problems = {}
        for name, value in changes.items():
            column = Case.__table__.columns.get(name) if name in CORRECTABLE_FIELDS else None
            if column is None:
                continue
            if value is None and not column.nullable:
                problems[name] = ["Required."]
            elif value is not None and len(value) > column.type.length:
                problems[name] = [f"Longer than {column.type.length} characters."]
        if problems:
            raise ma.ValidationError(problems)


class RateSchema(ma.Schema):
    case_type = fields.String(required=True, validate=validate.OneOf(RATE_CASE_TYPES))
    stage = fields.String(load_default="", validate=validate.OneOf(RATE_STAGES))
    provider_kind = fields.String(required=True, validate=validate.OneOf(RATE_PROVIDER_KINDS))
    effective_from = Date(required=True, window="planning")
    amount_fen = Int(big=True, required=True, strict=True, validate=validate.Range(min=0, max=MAX_AMOUNT_FEN))
    note = fields.String(load_default=None, validate=validate.Length(max=200))


class ReconciliationArgs(PageArgs):
    """The period (both ends optional) and the page of the providers' list (10,000 providers in a
    province: the whole list is 830 KB and 300 ms; the months and organisations are always whole)."""

    from_ = Date(data_key="from", load_default=None, window="planning")
    to = Date(load_default=None, window="planning")


def _words(stored: str | None) -> str | None:
    """A stored reason in English words (a code the service wrote, or what a person typed)."""
    said = words(stored)
    return None if said is None else str(said)


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def dump_subsidy(
    subsidy: Subsidy, *, ageing: dict | None = None, why: str | None = None, payee_problem: str | None = None
) -> dict:
    data = {
        "id": subsidy.id,
        "kind": subsidy.kind,
        "case_id": subsidy.case_id,
        "duty_shift_id": subsidy.duty_shift_id,
        "duty_month_id": subsidy.duty_month_id,
        "station_id": subsidy.duty_station_id,
        "provider_id": subsidy.provider_id,
        "assignment_id": subsidy.assignment_id,
        "status": subsidy.status,
        "amount_fen": subsidy.amount_fen,
        "breakdown": subsidy.breakdown,
        "archive_id": subsidy.archive_id,
        "archived_on": _date(subsidy.archived_on),
        "batch_id": subsidy.batch_id,
        "held_from": subsidy.held_from,
        "hold_reason": _words(subsidy.hold_reason),
        "reversal_of_id": subsidy.reversal_of_id,
        "reason": _words(subsidy.reason),
        "paid_on": _date(subsidy.paid_on),
        "bank_reference": subsidy.bank_reference,
    }
    if ageing is not None:
        data.update(ageing)
    if why is not None or subsidy.status not in ("payable", "paid", "reversed"):
        data["waiting_for"] = why
    if subsidy.status == "payable":
        # Why finance cannot batch it yet (no usable payee account, nothing to pay); None: it can.
        data["cannot_pay_because"] = payee_problem
    return data


def dump_batch(batch: PaymentBatch) -> dict:
    return {
        "id": batch.id,
        "status": batch.status,
        "count": batch.count,
        "total_fen": batch.total_fen,
        "payee_mode": batch.payee_mode,
        "created_at": batch.created_at.isoformat(),
        "created_by": batch.created_by,
        "bank_reference": batch.bank_reference,
        "paid_on": _date(batch.paid_on),
        "confirmed_at": batch.confirmed_at.isoformat() if batch.confirmed_at else None,
        "failed_count": batch.failed_count,
        "cancelled_at": batch.cancelled_at.isoformat() if batch.cancelled_at else None,
    }


def dump_archive(record: ArchiveRecord) -> dict:
    return {
        "id": record.id,
        "case_id": record.case_id,
        "archive_number": record.number,
        "year": record.year,
        "archived_on": record.archived_on.isoformat(),
        "archived_at": record.archived_at.isoformat(),
        "archived_by": record.archived_by,
    }
