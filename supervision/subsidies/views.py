"""Pages: finance's payable queue, batches and reconciliation; the archive; holds; rates; the
provider's subsidies. Thin: each form calls one service function; domain errors become a flash."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from assignment import deadlines
from assignment.labels import CASE_TYPE_LABELS
from assignment.models import Case, Organization, Provider
from legalaid import clock, limits
from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.errors import DomainError, shown
from legalaid.hooks import add_home_panel, add_nav
from supervision.subsidies import archive, batches, exports, rates, subsidies
from supervision.subsidies.api import _file_response, queue_filters
from supervision.subsidies.models import ArchiveRecord, PaymentBatch, PaymentBatchItem, Subsidy

bp = Blueprint("subsidies", __name__)

CASE_TYPE_CHOICES = [
    SelectChoice("", _l("All case types")),
    *(SelectChoice(code, label) for code, label in CASE_TYPE_LABELS.items()),
]


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    case_type = SelectField(_l("Case type"), choices=CASE_TYPE_CHOICES, validators=[Optional()])
    organization_id = SelectField(_l("Organisation"), coerce=str, validators=[Optional()])
    archived_from = DateField(_l("Archived from"), validators=[Optional(), limits.InWindow("planning")])
    archived_to = DateField(_l("Archived to"), validators=[Optional(), limits.InWindow("planning")])
    overdue = BooleanField(_l("Past the 90-day limit only"))


class ConfirmForm(FlaskForm):
    bank_reference = StringField(_l("Bank reference"), validators=[DataRequired(), Length(max=100)])
    paid_on = DateField(_l("Paid on"), validators=[DataRequired(), limits.InWindow("past")])
    failed_ids = StringField(
        _l("Subsidies the bank rejected (ids, comma-separated)"), validators=[Optional(), Length(max=20_000)]
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class RateForm(FlaskForm):
    case_type = SelectField(_l("Case type"), choices=CASE_TYPE_CHOICES[1:])
    stage = SelectField(
        _l("Stage (criminal)"),
        choices=[
            SelectChoice("", "—"),
            SelectChoice("investigation", _l("Investigation")),
            SelectChoice("prosecution", _l("Prosecution review")),
            SelectChoice("trial", _l("Trial")),
        ],
    )
    provider_kind = SelectField(
        _l("Provider kind"),
        choices=[SelectChoice("lawyer", _l("Lawyer")), SelectChoice("legal_adviser", _l("Legal adviser"))],
    )
    effective_from = DateField(_l("In force from"), validators=[DataRequired(), limits.InWindow("planning")])
    amount_fen = IntegerField(
        _l("Amount (fen)"), validators=[DataRequired(), NumberRange(min=0, max=limits.MAX_AMOUNT_FEN)]
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


def _fail(exc: DomainError):
    db.session.rollback()
    flash(exc.shown(), "error")


def _organization_choices():
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


def _labels(rows: list[Subsidy]) -> tuple[dict, dict, dict]:
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


# --- finance ---


@bp.route("/finance/subsidies", methods=["GET", "POST"])
@roles_required("finance")
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
            _("Payment batch %(id)s created: %(count)s subsidies.", id=batch.id, count=batch.count), "success"
        )
        return redirect(url_for("subsidies.batch_page", batch_id=batch.id)), 303
    stmt = subsidies.subsidy_list_statement(status="payable", **queue_filters(args, today))
    rows = list(db.session.scalars(stmt.limit(500)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    cases, providers, archive_numbers = _labels(rows)
    return render_template(
        "finance/payable_queue.html",
        form=form,
        batch_form=FlaskForm(),
        rows=rows,
        total=total,
        cases=cases,
        providers=providers,
        archive_numbers=archive_numbers,
        ageing={s.id: subsidies.ageing(s.archived_on, today) for s in rows},
        limit=deadlines.limits()["subsidy_days"],
    )


@bp.route("/finance/batches")
@roles_required(*batches.BATCH_READERS)
def batch_list():
    rows = list(db.session.scalars(batches.batch_list_statement().limit(200)))
    return render_template("finance/batches.html", batches=rows)


@bp.route("/finance/batches/<int:batch_id>")
@roles_required(*batches.BATCH_READERS)
def batch_page(batch_id):
    batch = batches.get_batch(db.session, batch_id)
    items = [
        dict(zip(exports.BATCH_COLUMNS, r, strict=True))
        for r in exports.batch_rows(db.session, batch, masked=True)
    ]
    outcomes = dict(
        db.session.execute(
            sa.select(PaymentBatchItem.subsidy_id, PaymentBatchItem.outcome).where(
                PaymentBatchItem.batch_id == batch.id
            )
        ).all()
    )
    return render_template(
        "finance/batch.html",
        batch=batch,
        items=items,
        outcomes=outcomes,
        confirm_form=ConfirmForm(formdata=None, paid_on=clock.today()),
        cancel_form=FlaskForm(),
    )


@bp.route("/finance/batches/<int:batch_id>/export.<fmt>")
@roles_required(*batches.BATCH_READERS)
def batch_export(batch_id, fmt):
    if fmt not in ("csv", "xlsx"):
        return redirect(url_for("subsidies.batch_page", batch_id=batch_id))
    kind, payload = exports.export_batch(db.session, current_user, batch_id, fmt)
    return _file_response(kind, payload, f"payment-batch-{batch_id}")


@bp.route("/finance/batches/<int:batch_id>/confirm", methods=["POST"])
@roles_required()
def batch_confirm(batch_id):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            failed = [int(x) for x in (form.failed_ids.data or "").replace(",", " ").split()]
        except ValueError:
            flash(_("Rejected subsidies must be ids, separated by commas."), "error")
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
@roles_required()
def batch_cancel(batch_id):
    if FlaskForm().validate_on_submit():
        try:
            batches.cancel_batch(db.session, current_user, batch_id, request.form.get("reason"))
            db.session.commit()
            flash(_("The batch is cancelled; its subsidies are payable again."), "success")
        except DomainError as exc:
            _fail(exc)
    return redirect(url_for("subsidies.batch_page", batch_id=batch_id)), 303


@bp.route("/finance/reconciliation")
@roles_required("finance", "admin")
def reconciliation_page():
    return render_template("finance/reconciliation.html", figures=exports.reconciliation(db.session))


# --- supervision: archive and holds ---


@bp.route("/supervision/archive")
@roles_required(*archive.ARCHIVERS, "admin", "coordinator")
def archive_page():
    closed = list(
        db.session.scalars(sa.select(Case).where(Case.status == "closed").order_by(Case.number).limit(200))
    )
    missing = {c.id: [shown(m) for m in archive.archive_missing(db.session, c)] for c in closed}
    year = limits.year_arg(request.args)
    archived = db.session.execute(archive.archive_list_statement(year).limit(500)).all()
    return render_template(
        "supervision/subsidies/archive.html",
        closed=closed,
        missing=missing,
        archived=archived,
        form=FlaskForm(),
        year=year,
    )


@bp.route("/supervision/archive/<int:case_id>", methods=["POST"])
@roles_required()
def archive_case_page(case_id):
    if FlaskForm().validate_on_submit():
        try:
            record = archive.archive_case(db.session, current_user, case_id)
            db.session.commit()
            flash(_("Archived as %(number)s.", number=record.number), "success")
        except DomainError as exc:
            _fail(exc)
    return redirect(url_for("subsidies.archive_page")), 303


@bp.route("/supervision/archive/export.<fmt>")
@roles_required(*archive.ARCHIVERS, "admin", "coordinator")
def archive_export(fmt):
    if fmt not in ("csv", "xlsx"):
        return redirect(url_for("subsidies.archive_page"))
    year = limits.year_arg(request.args)
    kind, payload = exports.export_archive_list(db.session, current_user, fmt, year)
    return _file_response(kind, payload, f"archive-{year or 'all'}")


@bp.route("/supervision/subsidies")
@roles_required("supervisor", "admin")
def subsidy_list_page():
    status = request.args.get("status") or None
    stmt = subsidies.subsidy_list_statement(status=status).order_by(None).order_by(Subsidy.id.desc())
    rows = list(db.session.scalars(stmt.limit(300)))
    cases, providers, archive_numbers = _labels(rows)
    return render_template(
        "supervision/subsidies/subsidies.html",
        rows=rows,
        cases=cases,
        providers=providers,
        archive_numbers=archive_numbers,
        status=status,
        form=ReasonForm(formdata=None),
    )


@bp.route("/supervision/subsidies/<int:subsidy_id>/<action>", methods=["POST"])
@roles_required()
def subsidy_hold_page(subsidy_id, action):
    form = ReasonForm()
    if action not in ("hold", "release"):
        return redirect(url_for("subsidies.subsidy_list_page"))
    if form.validate_on_submit():
        change = subsidies.hold_subsidy if action == "hold" else subsidies.release_subsidy
        try:
            subsidy = change(db.session, current_user, subsidy_id, form.reason.data)
            db.session.commit()
            flash(_("Subsidy %(id)s is now %(status)s.", id=subsidy.id, status=subsidy.status), "success")
        except DomainError as exc:
            _fail(exc)
    else:
        flash(_("Give a reason."), "error")
    return redirect(url_for("subsidies.subsidy_list_page")), 303


# --- admin: rates ---


@bp.route("/admin/subsidy-rates", methods=["GET", "POST"])
@roles_required("admin")
def rates_page():
    form = RateForm()
    if form.validate_on_submit():
        try:
            rates.add_rate(
                db.session,
                current_user,
                case_type=form.case_type.data,
                stage=form.stage.data,
                provider_kind=form.provider_kind.data,
                effective_from=form.effective_from.data,
                amount_fen=form.amount_fen.data,
                note=form.note.data or None,
            )
            db.session.commit()
            flash(_("The new rate is in force from %(date)s.", date=form.effective_from.data), "success")
            return redirect(url_for("subsidies.rates_page")), 303
        except DomainError as exc:
            _fail(exc)
    return render_template("supervision/subsidies/rates.html", form=form, rates=rates.rate_table(db.session))


# --- the provider ---


@bp.route("/me/subsidies")
@roles_required("provider")
def my_subsidies_page():
    rows = (
        subsidies.provider_subsidies(db.session, current_user.provider_id) if current_user.provider_id else []
    )
    cases, _providers, archive_numbers = _labels(rows)
    why = {s.id: shown(subsidies.why_not_payable(db.session, s)) for s in rows}
    return render_template(
        "supervision/subsidies/mine.html", rows=rows, cases=cases, archive_numbers=archive_numbers, why=why
    )


# --- home panels ---


def _finance_panel(user) -> Markup | None:
    today = clock.today()
    limit = int(deadlines.limits()["subsidy_days"])
    rows = db.session.execute(
        sa.select(Subsidy.archived_on, Subsidy.amount_fen).where(Subsidy.status == "payable")
    ).all()
    buckets = {"0-30": [0, 0], "31-60": [0, 0], "61-90": [0, 0], "overdue": [0, 0]}
    for archived_on, amount in rows:
        days = (today - archived_on).days
        key = "overdue" if days > limit else "0-30" if days <= 30 else "31-60" if days <= 60 else "61-90"
        buckets[key][0] += 1
        buckets[key][1] += amount
    open_batches = db.session.scalar(
        sa.select(sa.func.count()).select_from(PaymentBatch).where(PaymentBatch.status == "open")
    )
    return Markup(
        render_template(
            "finance/_home_panel.html",
            buckets=buckets,
            total=len(rows),
            open_batches=open_batches,
            limit=limit,
        )
    )


def _provider_panel(user) -> Markup | None:
    if not user.provider_id:
        return None
    rows = subsidies.provider_subsidies(db.session, user.provider_id)[:5]
    if not rows:
        return None
    cases, _providers, _archives = _labels(rows)
    why = {s.id: shown(subsidies.why_not_payable(db.session, s)) for s in rows}
    return Markup(render_template("supervision/subsidies/_home_panel.html", rows=rows, cases=cases, why=why))


def status_label(status: str) -> str:
    """Subsidy and payment batch states in people's words."""
    return {
        "pending": _("pending (not yet archived)"),
        "payable": _("payable"),
        "held": _("on hold"),
        "batched": _("in a payment batch"),
        "paid": _("paid"),
        "reversed": _("reversed"),
        "cancelled": _("cancelled"),
        "open": _("open"),
        "confirmed": _("confirmed paid"),
    }.get(status, status)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["subsidy_status_label"] = status_label
    add_nav(app, "subsidies.payable_queue", lambda: _("Payable subsidies"), ("finance",), order=60)
    add_nav(app, "subsidies.batch_list", lambda: _("Payment batches"), ("finance",), order=61)
    add_nav(app, "subsidies.reconciliation_page", lambda: _("Reconciliation"), ("finance",), order=62)
    add_nav(app, "subsidies.archive_page", lambda: _("Archive"), ("supervisor",), order=55)
    add_nav(app, "subsidies.subsidy_list_page", lambda: _("Subsidies"), ("supervisor",), order=56)
    add_nav(app, "subsidies.rates_page", lambda: _("Subsidy rates"), ("admin",), order=80)
    add_nav(app, "subsidies.my_subsidies_page", lambda: _("My subsidies"), ("provider",), order=60)
    add_home_panel(app, ("finance",), _finance_panel, order=20)
    add_home_panel(app, ("provider",), _provider_panel, order=60)
