"""Pages of the supervisor and the admin: the archive, the subsidy list with holds, the rate table.
On the ``subsidies`` blueprint of ``views``; destructive actions ask first."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from assignment.labels import CASE_TYPE_LABELS
from assignment.models import Case
from legalaid import limits, listing
from legalaid.auth import roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError, shown
from legalaid.filters import yuan
from supervision.subsidies import archive, exports, rates, subsidies
from supervision.subsidies.forms import RateCorrectionForm, RateForm, ReasonForm, SubsidyFilterForm
from supervision.subsidies.labels import (
    DUTY_CASE_TYPE_LABELS,
    DUTY_STAGE_LABELS,
    PROVIDER_KIND_LABELS,
    STAGE_LABELS,
)
from supervision.subsidies.models import Subsidy, SubsidyRate
from supervision.subsidies.views import _fail, bp, labels_of, page_number, subsidy_state

LIST_PAGE_SIZE = 50
ARCHIVE_PAGE_SIZE = 100


# --- the archive ---


def _case_detail(case_id: int, **_kw) -> str | None:
    number = db.session.scalar(sa.select(Case.number).where(Case.id == case_id))
    return _("Case %(number)s", number=number) if number else None


@bp.route("/supervision/archive")
@roles_required(*archive.ARCHIVERS, "admin", "coordinator")
def archive_page():
    closed_stmt = sa.select(Case).where(Case.status == "closed")
    closed_total = db.session.scalar(sa.select(sa.func.count()).select_from(closed_stmt.subquery()))
    closed_page, closed_pages = page_number(closed_total, ARCHIVE_PAGE_SIZE, "closed_page")
    closed = list(
        db.session.scalars(
            closed_stmt.order_by(Case.number)
            .limit(ARCHIVE_PAGE_SIZE)
            .offset((closed_page - 1) * ARCHIVE_PAGE_SIZE)
        )
    )
    missing = {
        case_id: [shown(m) for m in reasons]
        for case_id, reasons in archive.archive_missing_many(db.session, closed).items()
    }
    year = limits.year_arg(request.args)
    archived_total = archive.archive_count(db.session, year)
    page, pages = page_number(archived_total, ARCHIVE_PAGE_SIZE)
    archived = db.session.execute(
        archive.archive_page_statement(year, ARCHIVE_PAGE_SIZE, (page - 1) * ARCHIVE_PAGE_SIZE)
    ).all()
    return render_template(
        "supervision/subsidies/archive.html",
        closed=closed,
        closed_total=closed_total,
        closed_page=closed_page,
        closed_pages=closed_pages,
        missing=missing,
        archived=archived,
        archived_total=archived_total,
        page=page,
        pages=pages,
        query={k: v for k, v in request.args.items() if k not in ("page", "closed_page")},
        form=FlaskForm(),
        year=year,
        case_types=CASE_TYPE_LABELS,
    )


@bp.route("/supervision/archive/<int:case_id>", methods=["POST"])
@roles_required(*archive.ARCHIVERS)
@asks_first(
    _l("Archive this case?"),
    yes=_l("Yes, archive it"),
    detail=_case_detail,
)
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
    from supervision.subsidies.api import _file_response

    if fmt not in ("csv", "xlsx"):
        return redirect(url_for("subsidies.archive_page"))
    year = limits.year_arg(request.args)
    kind, payload = exports.export_archive_list(db.session, current_user, fmt, year)
    return _file_response(kind, payload, f"archive-{year or 'all'}")


# --- subsidies and holds ---


@bp.route("/supervision/subsidies")
@roles_required("supervisor", "admin")
def subsidy_list_page():
    form = SubsidyFilterForm(request.args)
    valid = form.validate()
    stmt = subsidies.subsidy_list_statement(
        status=form.status.data or None if valid else None,
        q=form.q.data if valid else None,
        archived_from=form.archived_from.data if valid else None,
        archived_to=form.archived_to.data if valid else None,
        sort=(form.sort.data if valid else None) or "-id",
    )
    total, capped = listing.capped_count(db.session, stmt)  # "more than 10,000" past that
    page, pages = page_number(total, LIST_PAGE_SIZE)
    rows = list(db.session.scalars(stmt.limit(LIST_PAGE_SIZE).offset((page - 1) * LIST_PAGE_SIZE)))
    cases, providers, archive_numbers = labels_of(rows)
    why = {i: shown(text) for i, text in subsidies.why_not_payable_many(db.session, rows).items()}
    return render_template(
        "supervision/subsidies/subsidies.html",
        rows=rows,
        filter_form=form,
        cases=cases,
        providers=providers,
        archive_numbers=archive_numbers,
        why=why,
        total=total,
        capped=capped,
        page=page,
        pages=pages,
        query={k: v for k, v in request.args.items() if k != "page"},
        form=ReasonForm(formdata=None),
    )


def _subsidy_detail(subsidy_id: int, **_kw) -> str | None:
    row = db.session.execute(
        sa.select(Subsidy.id, Subsidy.amount_fen, Case.number)
        .join(Case, Case.id == Subsidy.case_id)
        .where(Subsidy.id == subsidy_id)
    ).first()
    if row is None:
        return None
    if row.amount_fen is None:
        return _("Subsidy %(id)s of case %(number)s", id=row.id, number=row.number)
    return _(
        "Subsidy %(id)s of case %(number)s: %(amount)s",
        id=row.id,
        number=row.number,
        amount=yuan(row.amount_fen),
    )


class _Question:
    """The question of the hold page, told by the action in the address (hold or release)."""

    def __init__(self, hold, release):
        self.hold, self.release = hold, release

    def __str__(self) -> str:
        return str(self.release if request.view_args.get("action") == "release" else self.hold)

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))


@bp.route("/supervision/subsidies/<int:subsidy_id>/<action>", methods=["POST"])
@roles_required(*subsidies.HOLDERS)
@asks_first(
    _Question(_l("Hold this subsidy?"), _l("Release this subsidy?")),
    yes=_Question(_l("Yes, hold it"), _l("Yes, release it")),
    detail=_subsidy_detail,
)
def subsidy_hold_page(subsidy_id, action):
    form = ReasonForm()
    back = request.form.get("next") or ""
    target = back if back.startswith("/supervision/subsidies") else url_for("subsidies.subsidy_list_page")
    if action not in ("hold", "release"):
        return redirect(target)
    if form.validate_on_submit():
        change = subsidies.hold_subsidy if action == "hold" else subsidies.release_subsidy
        try:
            subsidy = change(db.session, current_user, subsidy_id, form.reason.data)
            db.session.commit()
            flash(
                _("Subsidy %(id)s is now %(status)s.", id=subsidy.id, status=subsidy_state(subsidy)),
                "success",
            )
        except DomainError as exc:
            _fail(exc)
    else:
        flash(_("Give a reason."), "error")
    return redirect(target), 303


# --- admin: rates ---


def _rate_page(form, correction_forms=None):
    table = rates.rate_table(db.session)
    used = rates.rates_in_use(db.session, [r.id for r in table])
    corrections = correction_forms or {}
    for r in table:
        if r.id not in used and r.id not in corrections:
            corrections[r.id] = RateCorrectionForm(
                formdata=None,
                prefix=f"r{r.id}",
                effective_from=r.effective_from,
                amount=r.amount_fen,
                note=r.note,
            )
    return render_template(
        "supervision/subsidies/rates.html",
        form=form,
        rates=table,
        used=used,
        corrections=corrections,
        case_types={**CASE_TYPE_LABELS, **DUTY_CASE_TYPE_LABELS},
        stages={**STAGE_LABELS, **DUTY_STAGE_LABELS},
        kinds=PROVIDER_KIND_LABELS,
        withdraw_form=FlaskForm(),
    )


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
                amount_fen=form.amount.data,
                note=form.note.data or None,
            )
            db.session.commit()
            flash(_("The new rate is in force from %(date)s.", date=form.effective_from.data), "success")
            return redirect(url_for("subsidies.rates_page")), 303
        except DomainError as exc:
            db.session.rollback()
            _show_field_errors(form, exc)
    return _rate_page(form)


def _show_field_errors(form, exc: DomainError) -> None:
    """A refusal shown beside the field it is about (else as a flash)."""
    placed = False
    for name, problems in exc.shown_fields().items():
        field = getattr(form, "amount" if name == "amount_fen" else name, None)
        if field is not None:
            field.errors = [*field.errors, *problems]
            placed = True
    if not placed:
        flash(exc.shown(), "error")


def _rate_detail(rate_id: int, **_kw) -> str | None:
    rate = db.session.get(SubsidyRate, rate_id)
    if rate is None:
        return None
    return _(
        "%(case_type)s %(stage)s, %(kind)s, from %(date)s: %(amount)s",
        case_type={**CASE_TYPE_LABELS, **DUTY_CASE_TYPE_LABELS}.get(rate.case_type, rate.case_type),
        stage={**STAGE_LABELS, **DUTY_STAGE_LABELS}.get(rate.stage, "") if rate.stage else "",
        kind=PROVIDER_KIND_LABELS.get(rate.provider_kind, rate.provider_kind),
        date=rate.effective_from.isoformat(),
        amount=yuan(rate.amount_fen),
    )


@bp.route("/admin/subsidy-rates/<int:rate_id>", methods=["POST"])
@roles_required("admin")
def rate_correct_page(rate_id):
    form = RateCorrectionForm(prefix=f"r{rate_id}")
    if form.validate_on_submit():
        try:
            rates.correct_rate(
                db.session,
                current_user,
                rate_id,
                effective_from=form.effective_from.data,
                amount_fen=form.amount.data,
                note=form.note.data or None,
            )
            db.session.commit()
            flash(_("The rate is corrected."), "success")
            return redirect(url_for("subsidies.rates_page")), 303
        except DomainError as exc:
            db.session.rollback()
            _show_field_errors(form, exc)
    return _rate_page(RateForm(formdata=None), {rate_id: form})


@bp.route("/admin/subsidy-rates/<int:rate_id>/withdraw", methods=["POST"])
@roles_required("admin")
@asks_first(
    _l("Withdraw this rate?"),
    yes=_l("Yes, withdraw the rate"),
    detail=_rate_detail,
)
def rate_withdraw_page(rate_id):
    if FlaskForm().validate_on_submit():
        try:
            rates.withdraw_rate(db.session, current_user, rate_id)
            db.session.commit()
            flash(_("The rate is withdrawn."), "success")
        except DomainError as exc:
            _fail(exc)
    return redirect(url_for("subsidies.rates_page")), 303
