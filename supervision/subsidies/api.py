"""JSON API: archive, subsidies, payment batches, rates (API.md "Closing, scoring, archive", "Subsidies").

Views are thin: validate, call one service function, commit, dump."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Response, jsonify, send_file, stream_with_context
from flask_login import current_user

from legalaid import clock, listing
from legalaid.api import PageArgs, api_blueprint, paginate, query_args, use_body
from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.errors import Forbidden, say
from legalaid.openapi import CSV, ID, INTEGER, JSON, STRING, XLSX, array, obj, page_of, responds, use_query
from supervision.subsidies import answer_schemas as answer
from supervision.subsidies import archive, batches, duty, exports, payees, rates, subsidies
from supervision.subsidies.models import Subsidy
from supervision.subsidies.schemas import (
    ArchiveListArgs,
    BatchCreateSchema,
    BatchListArgs,
    CancelSchema,
    ConfirmSchema,
    CorrectionSchema,
    ExportArgs,
    RateSchema,
    ReasonSchema,
    ReconciliationArgs,
    ReverseSchema,
    SubsidyFilterSchema,
    dump_archive,
    dump_batch,
    dump_subsidy,
)

bp = api_blueprint("subsidies_api", __name__)

FINANCE = ("finance",)
SUPERVISOR = ("supervisor",)
SUBSIDY_READERS = ("finance", "supervisor", "admin")
ARCHIVE_READERS = ("supervisor", "coordinator", "admin", "finance")


def queue_filters(args: dict, today: dt.date) -> dict:
    """The service's filter arguments from validated query (or body) arguments."""
    filters = {
        k: args.get(k)
        for k in ("provider_id", "organization_id", "case_type", "archived_from", "archived_to")
    }
    if args.get("overdue"):
        filters["overdue_on"] = today
    return filters


def _file_response(kind: str, payload, name: str) -> Response:
    if kind == "xlsx":
        return send_file(
            payload,
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            as_attachment=True,
            download_name=f"{name}.xlsx",
        )
    return Response(
        stream_with_context(payload),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


# --- archive ---


@bp.post("/cases/<int:case_id>/archive")
@roles_required()
@responds(201, answer.ARCHIVE, errors=(403,))
def archive_case(case_id):
    """Archive a closed case (supervisor): 201 with the archive number; 409 naming what is missing."""
    record = archive.archive_case(db.session, current_user, case_id)
    db.session.commit()
    return jsonify(dump_archive(record)), 201


@bp.post("/cases/<int:case_id>/archive/corrections")
@roles_required()
@use_body(CorrectionSchema)
@responds(200, answer.CORRECTED, errors=(403,))
def correct_archived_case(case_id, body):
    """An audited correction of an archived case's facts (supervisor, admin)."""
    archive.correct_archived_case(db.session, current_user, case_id, body["changes"], body["reason"])
    db.session.commit()
    return jsonify({"case_id": case_id, "corrected": sorted(body["changes"])})


@bp.get("/archives")
@roles_required(*ARCHIVE_READERS)
@use_query(ArchiveListArgs)
@responds(200, page_of(answer.ARCHIVE_ROW), media=(JSON, CSV, XLSX))
def archive_list(args):
    """The archive list in archive-number order (year, then number); ``?format=csv|xlsx`` for a file."""
    if args["format"]:
        kind, payload = exports.export_archive_list(db.session, current_user, args["format"], args["year"])
        return _file_response(kind, payload, f"archive-{args['year'] or 'all'}")
    page = query_args(PageArgs)
    stmt = archive.archive_page_statement(
        args["year"], page["per_page"], (page["page"] - 1) * page["per_page"]
    )
    rows = db.session.execute(stmt)
    return jsonify(
        {
            "items": [{**r._asdict(), "archived_on": r.archived_on.isoformat()} for r in rows],
            "total": archive.archive_count(db.session, args["year"]),
        }
    )


# --- subsidies ---


@bp.get("/subsidies")
@roles_required(*SUBSIDY_READERS)
@use_query(SubsidyFilterSchema)
@responds(200, page_of(answer.SUBSIDY, capped=True))
def subsidy_list(args):
    """Subsidies (the payable queue with ``?status=payable``), with ageing against the 90-day limit."""
    today = clock.today()
    stmt = subsidies.subsidy_list_statement(
        status=args["status"], q=args["q"], sort=args["sort"], **queue_filters(args, today)
    )
    return jsonify(_subsidy_page(stmt, today))


def _subsidy_page(stmt, today=None) -> dict:
    """One page of subsidies, each with what it waits for and why finance cannot pay it yet: asked once
    for the whole page (a fixed number of queries, whatever the page size)."""
    args = query_args(PageArgs)
    cap = listing.count_cap(None, args["page"] * args["per_page"])
    total, capped = listing.capped_count(db.session, stmt, cap)
    rows = list(
        db.session.scalars(stmt.limit(args["per_page"]).offset((args["page"] - 1) * args["per_page"]))
    )
    why = subsidies.why_not_payable_many(db.session, rows)
    problems = payees.payee_problems(db.session, [s.id for s in rows if s.status == "payable"])
    items = [
        dump_subsidy(
            s,
            ageing=subsidies.ageing(s.archived_on, today) if today else None,
            why=why[s.id],
            payee_problem=problems.get(s.id),
        )
        for s in rows
    ]
    return {"items": items, "total": total, "total_capped": capped}


@bp.get("/subsidies/<int:subsidy_id>")
@roles_required(*SUBSIDY_READERS, "provider")
@responds(200, answer.SUBSIDY)
def subsidy_detail(subsidy_id):
    """One subsidy; a provider sees only their own, with what it is waiting for."""
    subsidy = subsidies.get_subsidy(db.session, subsidy_id, current_user)
    return jsonify(
        dump_subsidy(
            subsidy,
            ageing=subsidies.ageing(subsidy.archived_on, clock.today()),
            why=subsidies.why_not_payable(db.session, subsidy),
        )
    )


@bp.get("/me/subsidies")
@roles_required("provider")
@responds(200, page_of(answer.SUBSIDY, capped=True))
def my_subsidies():
    """The provider's own subsidies, each with its state and, while not payable, exactly why."""
    if current_user.provider_id is None:
        return jsonify({"items": [], "total": 0, "total_capped": False})
    stmt = (
        sa.select(Subsidy).where(Subsidy.provider_id == current_user.provider_id).order_by(Subsidy.id.desc())
    )
    return jsonify(_subsidy_page(stmt))


@bp.post("/subsidies/<int:subsidy_id>/hold")
@roles_required()
@use_body(ReasonSchema)
@responds(200, answer.SUBSIDY, errors=(403,))
def hold(subsidy_id, body):
    """Hold a subsidy (supervisor): a red flag or a complaint; it cannot be batched until released."""
    subsidy = subsidies.hold_subsidy(db.session, current_user, subsidy_id, body["reason"])
    db.session.commit()
    return jsonify(dump_subsidy(subsidy))


@bp.post("/subsidies/<int:subsidy_id>/release")
@roles_required()
@use_body(ReasonSchema)
@responds(200, answer.SUBSIDY, errors=(403,))
def release(subsidy_id, body):
    """Release a held subsidy (supervisor): it returns to the state it was held in."""
    subsidy = subsidies.release_subsidy(db.session, current_user, subsidy_id, body["reason"])
    db.session.commit()
    return jsonify(dump_subsidy(subsidy))


@bp.post("/subsidies/<int:subsidy_id>/reverse")
@roles_required()
@use_body(ReverseSchema)
@responds(201, answer.SUBSIDY, errors=(403,), creates="subsidy_id")
def reverse(subsidy_id, body):
    """Reverse a paid subsidy (finance) by a new negative entry with a reason: 201 the entry."""
    entry = subsidies.reverse_subsidy(
        db.session, current_user, subsidy_id, body["reason"], body["amount_fen"]
    )
    db.session.commit()
    return jsonify(dump_subsidy(entry)), 201


# --- payment batches (finance) ---


@bp.post("/payment-batches")
@roles_required()
@use_body(BatchCreateSchema)
@responds(201, answer.BATCH, errors=(403,), creates="batch_id")
def create_batch(body):
    """Batch payable subsidies: the chosen ``subsidy_ids``, or all matching ``filter``.

    Any subsidy not payable → 409, and nothing is batched (API.md). A payee without a bank account
    does not stop a batch named by its ids; the batch page shows finance the missing accounts."""
    if "filter" in body:
        batch = batches.create_payment_batch(
            db.session, current_user, filters=queue_filters(body["filter"], clock.today())
        )
    else:
        batch = batches.create_payment_batch(
            db.session, current_user, body["subsidy_ids"], accounts_later=True
        )
    db.session.commit()
    return jsonify(dump_batch(batch)), 201


@bp.get("/payment-batches")
@roles_required(*batches.BATCH_READERS)
@use_query(BatchListArgs)
@responds(200, page_of(answer.BATCH))
def batch_list(args):
    """Payment batches, newest first."""
    return jsonify(paginate(db.session, batches.batch_list_statement(args["status"]), dump_batch))


@bp.get("/payment-batches/<int:batch_id>")
@roles_required(*batches.BATCH_READERS)
@responds(200, answer.BATCH_WITH_ITEMS)
def batch_detail(batch_id):
    """One batch with one page of its items (accounts masked), ``?page=&per_page=`` as every list;
    ``total`` is the number of items (a batch may hold 10,000)."""
    args = query_args(PageArgs)
    batch = batches.get_batch(db.session, batch_id)
    rows = exports.batch_rows(
        db.session,
        batch,
        masked=True,
        offset=(args["page"] - 1) * args["per_page"],
        limit=args["per_page"],
    )
    items = [dict(zip(exports.BATCH_COLUMNS, row, strict=True)) for row in rows]
    return jsonify({**dump_batch(batch), "items": items, "total": batch.count})


@bp.get("/payment-batches/<int:batch_id>/export")
@roles_required(*batches.BATCH_READERS)
@use_query(ExportArgs)
@responds(200, media=(CSV, XLSX), errors=(409,))
def batch_export(batch_id, args):
    """The bank transfer file, ``?format=csv|xlsx`` (audited)."""
    kind, payload = exports.export_batch(db.session, current_user, batch_id, args["format"])
    return _file_response(kind, payload, f"payment-batch-{batch_id}")


@bp.post("/payment-batches/<int:batch_id>/confirm")
@roles_required()
@use_body(ConfirmSchema)
@responds(200, answer.BATCH, errors=(403,))
def confirm(batch_id, body):
    """Confirm a batch paid with the bank reference; ``failed_ids`` go back to payable. Twice → 409."""
    batch = batches.confirm_batch(
        db.session,
        current_user,
        batch_id,
        bank_reference=body["bank_reference"],
        paid_on=body["paid_on"],
        failed_ids=body["failed_ids"],
    )
    db.session.commit()
    return jsonify(dump_batch(batch))


@bp.post("/payment-batches/<int:batch_id>/cancel")
@roles_required()
@use_body(CancelSchema)
@responds(200, answer.BATCH, errors=(403,))
def cancel(batch_id, body):
    """Cancel an unconfirmed batch; its subsidies are payable again."""
    batch = batches.cancel_batch(db.session, current_user, batch_id, body["reason"])
    db.session.commit()
    return jsonify(dump_batch(batch))


@bp.get("/reports/subsidies")
@roles_required("finance", "admin")
@use_query(ReconciliationArgs)
@responds(200, answer.RECONCILIATION)
def reconciliation(args):
    """Reconciliation: paid totals by month, organisation and provider (a page of providers,
    ``providers_total`` of them) in the period (as the page: by default last month and this month;
    ``from`` and ``to`` say which); what is outstanding."""
    date_from, date_to = exports.default_period(args["from_"], args["to"])
    figures = exports.reconciliation(
        db.session, date_from, date_to, page=args["page"], per_page=args["per_page"]
    )
    period = {"from": date_from, "to": date_to}
    return jsonify({k: day.isoformat() if day else None for k, day in period.items()} | figures)


# --- rates (admin) ---


@bp.get("/subsidy-rates")
@roles_required("admin", "finance", "supervisor")
@responds(200, answer.RATES)
def rate_list():
    """The dated rate table."""
    table = rates.rate_table(db.session)
    return jsonify(
        {
            "items": [
                {
                    "id": r.id,
                    "case_type": r.case_type,
                    "stage": r.stage or None,
                    "provider_kind": r.provider_kind,
                    "effective_from": r.effective_from.isoformat(),
                    "amount_fen": r.amount_fen,
                    "note": r.note,
                }
                for r in table
            ],
            "total": len(table),
        }
    )


@bp.post("/subsidy-rates")
@roles_required()
@use_body(RateSchema)
@responds(201, answer.RATE_ADDED, errors=(403,))
def add_rate(body):
    """A new rate from a date (admin); subsidies already frozen keep their amounts."""
    if not current_user.has_role("admin"):
        raise Forbidden(say("Your role does not allow this."))
    rate = rates.add_rate(db.session, current_user, **body)
    db.session.commit()
    return jsonify(
        {"id": rate.id, "effective_from": rate.effective_from.isoformat(), "amount_fen": rate.amount_fen}
    ), 201


MONTH_ARCHIVED = obj(
    {"station_id": ID, "month": STRING, "archived_at": STRING, "count": INTEGER, "total_fen": INTEGER},
    {"subsidy_ids": array(ID)},
)


@bp.post("/stations/<int:station_id>/months/<month>/archive")
@roles_required("coordinator")
@responds(200, MONTH_ARCHIVED, errors=(400, 404, 409, 422))
def archive_month(station_id, month):
    """Archive the station's month of duty shifts (every staffed shift done or missed, else 409 naming
    what is missing): each done shift's duty subsidy becomes payable, once (a second archive → 409)."""
    record, created = duty.archive_month(db.session, current_user, station_id, month)
    db.session.commit()
    return jsonify(
        {
            "station_id": station_id,
            "month": record.month,
            "archived_at": record.archived_at.isoformat(),
            "count": len(created),
            "total_fen": sum(s.amount_fen for s in created),
            "subsidy_ids": [s.id for s in created],
        }
    )
