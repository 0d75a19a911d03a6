"""Pages: finance's payable queue, batches and reconciliation; the provider's subsidies; the home panels.
The archive, holds and rates pages are in ``views_supervision``, on the same blueprint. Thin: each form
calls one service function; domain errors become a flash; destructive and money-moving actions ask first."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DateField
from wtforms.validators import Optional

from assignment import deadlines
from assignment.models import Case, Organization, Provider
from legalaid import clock, limits, listing
from legalaid.auth import roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError, shown
from legalaid.filters import yuan
from legalaid.hooks import add_home_panel, add_nav
from supervision.subsidies import batches, exports, payees, subsidies
from supervision.subsidies.api import _file_response, queue_filters
from supervision.subsidies.forms import ConfirmForm, QueueFilterForm
from supervision.subsidies.labels import (
    BATCH_STATUS_LABELS,
    CLOSED_AT_ZERO,
    ITEM_OUTCOME_LABELS,
    SUBSIDY_STATUS_LABELS,
)
from supervision.subsidies.models import ArchiveRecord, PaymentBatch, PaymentBatchItem, Subsidy

bp = Blueprint("subsidies", __name__)

QUEUE_PAGE_SIZE = 100
BATCH_PAGE_SIZE = 100
QUEUE_SORTS = ("archived_on", "-amount", "amount", "provider", "case")


def _fail(exc: DomainError):
    db.session.rollback()
    flash(exc.shown(), "error")


def _organization_choices():
    from wtforms.fields.choices import SelectChoice

    rows = db.session.execute(sa.select(Organization.id, Organization.name).order_by(Organization.name)).all()
    return [SelectChoice("", _("All organisations"))] + [SelectChoice(str(i), n) for i, n in rows]


def _queue_args(form: QueueFilterForm) -> dict:
    return {
        "case_type": form.case_type.data or None,
        "organization_id": int(form.organization_id.data) if form.organization_id.data else None,
        "archived_from": form.archived_from.data,
        "archived_to": form.archived_to.data,
        "overdue": bool(form.overdue.data),
    }


def labels_of(rows: list[Subsidy]) -> tuple[dict, dict, dict]:
    """Case numbers, providers and archive numbers of a page of subsidies (three queries)."""
    case_ids = {s.case_id for s in rows}
    provider_ids = {s.provider_id for s in rows}
    cases = dict(db.session.execute(sa.select(Case.id, Case.number).where(Case.id.in_(case_ids))).all())
    providers = {
        p.id: p for p in db.session.scalars(sa.select(Provider).where(Provider.id.in_(provider_ids)))
    }
    archives = dict(
        db.session.execute(
            sa.select(ArchiveRecord.id, ArchiveRecord.number).where(
                ArchiveRecord.id.in_({s.archive_id for s in rows if s.archive_id})
            )
        ).all()
    )
    return cases, providers, archives


def page_number(total: int, per_page: int, param: str = "page") -> tuple[int, int]:
    """The page asked for (``?page=``), kept within the pages there are, and the number of pages."""
    pages = max(1, -(-total // per_page))
    return min(max(limits.int_arg(request.args, param, 1, minimum=1), 1), pages), pages


# --- finance ---


def _batch_question_detail(**_kw) -> str:
    if request.form.get("all_matching"):
        return _("Every payable subsidy matching the filter whose payee can be paid.")
    chosen = len(request.form.getlist("subsidy_ids"))
    return ngettext("%(num)s subsidy chosen.", "%(num)s subsidies chosen.", chosen)


@bp.route("/finance/subsidies", methods=["GET", "POST"])
@roles_required("finance")
@asks_first(
    _l("Put these subsidies in a payment batch?"),
    yes=_l("Yes, create the batch"),
    detail=_batch_question_detail,
)
def payable_queue():
    form = QueueFilterForm(request.args)
    form.organization_id.choices = _organization_choices()
    args = _queue_args(form) if form.validate() else {}
    today = clock.today()
    if request.method == "POST":
        batch_form = FlaskForm()
        if not batch_form.validate_on_submit():
            flash(_("The form expired; try again."), "error")
            return redirect(request.full_path)
        try:
            if request.form.get("all_matching"):
                batch = batches.create_payment_batch(
                    db.session, current_user, filters=queue_filters(args, today)
                )
            else:
                chosen = limits.int_list_arg(request.form, "subsidy_ids")
                if not chosen:
                    flash(_("Choose at least one subsidy."), "error")
                    return redirect(request.full_path)
                batch = batches.create_payment_batch(db.session, current_user, chosen)
            db.session.commit()
        except DomainError as exc:
            _fail(exc)
            return redirect(request.full_path), 303
        flash(
            ngettext(
                "Payment batch %(id)s created: %(num)s subsidy.",
                "Payment batch %(id)s created: %(num)s subsidies.",
                batch.count,
                id=batch.id,
            ),
            "success",
        )
        return redirect(url_for("subsidies.batch_page", batch_id=batch.id)), 303
    sort = form.sort.data if form.sort.data in QUEUE_SORTS else None
    # The payee's provider is joined once: the "ready to pay" count reads its organisation's account.
    stmt = subsidies.subsidy_list_statement(
        status="payable", sort=sort, join_provider=True, **queue_filters(args, today)
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    ready = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            stmt.join(Organization, Organization.id == Provider.organization_id)
            .where(payees.ready_clause())
            .order_by(None)
            .subquery()
        )
    )
    page, pages = page_number(total, QUEUE_PAGE_SIZE)
    rows = list(db.session.scalars(stmt.limit(QUEUE_PAGE_SIZE).offset((page - 1) * QUEUE_PAGE_SIZE)))
    cases, providers, archive_numbers = labels_of(rows)
    problems = {i: shown(p) for i, p in payees.payee_problems(db.session, [s.id for s in rows]).items()}
    query = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "finance/payable_queue.html",
        form=form,
        batch_form=FlaskForm(),
        rows=rows,
        total=total,
        ready=ready,
        page=page,
        pages=pages,
        query=query,
        cases=cases,
        providers=providers,
        archive_numbers=archive_numbers,
        problems=problems,
        ageing={s.id: subsidies.ageing(s.archived_on, today) for s in rows},
        limit=deadlines.limits()["subsidy_days"],
    )


@bp.route("/finance/batches")
@roles_required(*batches.BATCH_READERS)
def batch_list():
    status = request.args.get("status") if request.args.get("status") in BATCH_STATUS_LABELS else None
    stmt = batches.batch_list_statement(status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    page, pages = page_number(total, 50)
    rows = list(db.session.scalars(stmt.limit(50).offset((page - 1) * 50)))
    return render_template(
        "finance/batches.html",
        batches=rows,
        page=page,
        pages=pages,
        total=total,
        status=status,
        statuses=BATCH_STATUS_LABELS,
        query={"status": status} if status else {},
    )


def _batch_detail(batch_id: int, **_kw) -> str | None:
    batch = db.session.get(PaymentBatch, batch_id)
    if batch is None:
        return None
    return ngettext(
        "Payment batch %(id)s: %(num)s subsidy, %(total)s in all.",
        "Payment batch %(id)s: %(num)s subsidies, %(total)s in all.",
        batch.count,
        id=batch.id,
        total=yuan(batch.total_fen),
    )


@bp.route("/finance/batches/<int:batch_id>")
@roles_required(*batches.BATCH_READERS)
def batch_page(batch_id):
    batch = batches.get_batch(db.session, batch_id)
    page, pages = page_number(batch.count, BATCH_PAGE_SIZE)
    start = (page - 1) * BATCH_PAGE_SIZE
    rows = exports.batch_rows(db.session, batch, masked=True, offset=start, limit=BATCH_PAGE_SIZE)
    items = [dict(zip(exports.BATCH_COLUMNS, r, strict=True)) for r in rows]
    outcomes = dict(
        db.session.execute(
            sa.select(PaymentBatchItem.subsidy_id, PaymentBatchItem.outcome).where(
                PaymentBatchItem.batch_id == batch.id,
                PaymentBatchItem.subsidy_id.in_([i["subsidy_id"] for i in items]),
            )
        ).all()
    )
    return render_template(
        "finance/batch.html",
        batch=batch,
        page=page,
        pages=pages,
        items=items,
        outcomes=outcomes,
        outcome_labels=ITEM_OUTCOME_LABELS,
        confirm_form=ConfirmForm(formdata=None, paid_on=clock.today()),
        cancel_form=FlaskForm(),
    )


@bp.route("/finance/batches/<int:batch_id>/export.<fmt>")
@roles_required(*batches.BATCH_READERS)
def batch_export(batch_id, fmt):
    if fmt not in ("csv", "xlsx"):
        return redirect(url_for("subsidies.batch_page", batch_id=batch_id))
    try:
        kind, payload = exports.export_batch(db.session, current_user, batch_id, fmt, labels=True)
    except DomainError as exc:
        _fail(exc)
        return redirect(url_for("subsidies.batch_page", batch_id=batch_id)), 303
    return _file_response(kind, payload, f"payment-batch-{batch_id}")


@bp.route("/finance/batches/<int:batch_id>/confirm", methods=["POST"])
@roles_required(*batches.FINANCE)
@asks_first(
    _l("Confirm that the bank paid this batch?"),
    yes=_l("Yes, the bank paid it"),
    detail=_batch_detail,
)
def batch_confirm(batch_id):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            failed = [
                int(x) for x in (form.failed_ids.data or "").replace("，", ",").replace(",", " ").split()
            ]
        except ValueError:
            flash(_("List the subsidies the bank rejected by their numbers, separated by commas."), "error")
            return redirect(url_for("subsidies.batch_page", batch_id=batch_id)), 303
        try:
            batches.confirm_batch(
                db.session,
                current_user,
                batch_id,
                bank_reference=form.bank_reference.data,
                paid_on=form.paid_on.data,
                failed_ids=failed,
            )
            db.session.commit()
            flash(_("The batch is confirmed paid."), "success")
        except DomainError as exc:
            _fail(exc)
    else:
        flash(_("Give the bank reference and the date paid."), "error")
    return redirect(url_for("subsidies.batch_page", batch_id=batch_id)), 303


@bp.route("/finance/batches/<int:batch_id>/cancel", methods=["POST"])
@roles_required(*batches.FINANCE)
@asks_first(
    _l("Cancel this payment batch?"),
    yes=_l("Yes, cancel the batch"),
    detail=_batch_detail,
)
def batch_cancel(batch_id):
    if FlaskForm().validate_on_submit():
        try:
            batches.cancel_batch(db.session, current_user, batch_id, request.form.get("reason"))
            db.session.commit()
            flash(_("The batch is cancelled; its subsidies are payable again."), "success")
        except DomainError as exc:
            _fail(exc)
    return redirect(url_for("subsidies.batch_page", batch_id=batch_id)), 303


class ReconciliationForm(FlaskForm):
    class Meta:
        csrf = False

    date_from = DateField(_l("From"), validators=[Optional(), limits.InWindow("planning")])
    date_to = DateField(_l("To"), validators=[Optional(), limits.InWindow("planning")])


@bp.route("/finance/reconciliation")
@roles_required("finance", "admin")
def reconciliation_page():
    """The paid money of a period (by default last month and this month) by month, organisation and
    a page of the providers; what is still owed. A date not valid: its error, and the default period."""
    form = ReconciliationForm(request.args)
    valid = form.validate()
    date_from, date_to = exports.default_period(
        None if form.date_from.errors else form.date_from.data,
        None if form.date_to.errors else form.date_to.data,
    )
    per_page = current_app.config.get("LIST_PAGE_SIZE", listing.PAGE_SIZE)
    page = limits.int_arg(request.args, "page", 1, minimum=1)
    figures = exports.reconciliation(db.session, date_from, date_to, page=page, per_page=per_page)
    total = figures["providers_total"]
    pages = max(1, -(-total // per_page))
    return render_template(
        "finance/reconciliation.html",
        form=form,
        figures=figures,
        period=(date_from, date_to),
        providers_page=listing.Page(
            figures["by_provider"], total, figures["page"], pages, listing.page_query()
        ),
    ), (200 if valid else 422)


# --- the provider ---

MY_PAGE_SIZE = 50


@bp.route("/me/subsidies")
@roles_required("provider")
def my_subsidies_page():
    rows, total, page, pages = [], 0, 1, 1
    if current_user.provider_id:
        stmt = sa.select(Subsidy).where(Subsidy.provider_id == current_user.provider_id)
        total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
        page, pages = page_number(total, MY_PAGE_SIZE)
        rows = list(
            db.session.scalars(
                stmt.order_by(Subsidy.id.desc()).limit(MY_PAGE_SIZE).offset((page - 1) * MY_PAGE_SIZE)
            )
        )
    cases, _providers, archive_numbers = labels_of(rows)
    why = {i: shown(text) for i, text in subsidies.why_not_payable_many(db.session, rows).items()}
    return render_template(
        "supervision/subsidies/mine.html",
        rows=rows,
        cases=cases,
        archive_numbers=archive_numbers,
        why=why,
        page=page,
        pages=pages,
        total=total,
    )


# --- home panels ---


def _finance_panel(user) -> Markup | None:
    today = clock.today()
    limit = int(deadlines.limits()["subsidy_days"])
    # Days since archiving, bucketed in the database (one grouped statement over the payable ones):
    # more than the limit is overdue, else 0-30, 31-60, or older.
    since = lambda days: today - dt.timedelta(days=days)  # noqa: E731
    bucket = sa.case(
        (Subsidy.archived_on < since(limit), "overdue"),
        (Subsidy.archived_on >= since(30), "0-30"),
        (Subsidy.archived_on >= since(60), "31-60"),
        else_="61-90",
    )
    buckets = {"0-30": [0, 0], "31-60": [0, 0], "61-90": [0, 0], "overdue": [0, 0]}
    grouped = sa.select(bucket, sa.func.count(), sa.func.coalesce(sa.func.sum(Subsidy.amount_fen), 0))
    for key, count, amount in db.session.execute(
        grouped.where(Subsidy.status == "payable").group_by(bucket)
    ).all():
        buckets[key] = [count, int(amount)]
    open_batches = db.session.scalar(
        sa.select(sa.func.count()).select_from(PaymentBatch).where(PaymentBatch.status == "open")
    )
    return Markup(
        render_template(
            "finance/_home_panel.html",
            buckets=buckets,
            total=sum(count for count, _amount in buckets.values()),
            open_batches=open_batches,
            limit=limit,
        )
    )


def _provider_panel(user) -> Markup | None:
    if not user.provider_id:
        return None
    rows = list(
        db.session.scalars(
            sa.select(Subsidy)
            .where(Subsidy.provider_id == user.provider_id)
            .order_by(Subsidy.id.desc())
            .limit(5)
        )
    )
    if not rows:
        return None
    cases, _providers, _archives = labels_of(rows)
    why = {i: shown(text) for i, text in subsidies.why_not_payable_many(db.session, rows).items()}
    return Markup(render_template("supervision/subsidies/_home_panel.html", rows=rows, cases=cases, why=why))


def status_label(status: str) -> str:
    """Subsidy and payment batch states in people's words."""
    label = SUBSIDY_STATUS_LABELS.get(status) or BATCH_STATUS_LABELS.get(status)
    return str(label) if label is not None else status


def subsidy_state(subsidy: Subsidy) -> str:
    """A subsidy's state in people's words (archived with nothing to pay: closed, not cancelled)."""
    if subsidies.is_closed_at_zero(subsidy):
        return str(CLOSED_AT_ZERO)
    return status_label(subsidy.status)


def batch_status_label(status: str) -> str:
    return str(BATCH_STATUS_LABELS.get(status, status))


def register(app: Flask) -> None:
    from supervision.subsidies import views_supervision  # noqa: F401  (its routes are on this blueprint)

    app.register_blueprint(bp)
    app.jinja_env.globals["subsidy_status_label"] = status_label
    app.jinja_env.globals["subsidy_state"] = subsidy_state
    app.jinja_env.globals["batch_status_label"] = batch_status_label
    add_nav(app, "subsidies.payable_queue", lambda: _("Payable subsidies"), ("finance",), order=60)
    add_nav(app, "subsidies.batch_list", lambda: _("Payment batches"), ("finance",), order=61)
    add_nav(app, "subsidies.reconciliation_page", lambda: _("Reconciliation"), ("finance",), order=62)
    add_nav(app, "subsidies.archive_page", lambda: _("Archive"), ("supervisor",), order=55)
    add_nav(app, "subsidies.subsidy_list_page", lambda: _("Subsidies"), ("supervisor",), order=56)
    add_nav(app, "subsidies.rates_page", lambda: _("Subsidy rates"), ("admin",), order=80)
    add_nav(app, "subsidies.my_subsidies_page", lambda: _("My subsidies"), ("provider",), order=60)
    add_home_panel(app, ("finance",), _finance_panel, order=20)
    add_home_panel(app, ("provider",), _provider_panel, order=60)
