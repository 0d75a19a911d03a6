"""Admin pages of the panel: organisations, providers (leave, conflicts, active, cap, bank account
masked), and the CSV import with its per-row error report (the rotation pools' pages, on the same
blueprint, are ``views_pools``).

Thin: each form calls the same service function in ``assignment.panel`` as the API."""

from __future__ import annotations

import datetime as dt
import io

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from assignment import panel, panel_lists, queries
from assignment.forms import (
    ConflictForm,
    EndLeaveForm,
    ImportForm,
    LeaveForm,
    OrganizationForm,
    ProviderForm,
)
from assignment.panel_import import COLUMNS, import_panel_csv, sample_csv
from assignment.views import asks_first_when, fail, page_helpers
from legalaid import clock, listing
from legalaid.auth import roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError, Invalid

bp = Blueprint("panel_pages", __name__, url_prefix="/admin")

LEAVE_ALIASES = {"from": "starts_on", "to": "ends_on"}


def form_status(form: FlaskForm) -> int:
    return 422 if form.errors else 200


# --- organisations ---


@bp.route("/organizations", methods=["GET", "POST"])
@roles_required("admin")
def organizations():
    form = OrganizationForm()
    if form.validate_on_submit():
        try:
            org = panel.create_organization(
                db.session,
                form.name.data,
                form.kind.data,
                current_user,
                area=form.area.data or None,
                bank_account=form.bank_account.data or None,
                bank_name=form.bank_name.data or None,
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            db.session.commit()
            flash(_("Organisation %(name)s added.", name=org.name), "success")
            return redirect(url_for(".organizations"))
    filters, args = listing.load_filter(
        panel_lists.OrganizationFilterForm,
        panel_lists.ORGANIZATION_SORTS,
        panel_lists.ORGANIZATION_SORT_LABELS,
    )
    page = (
        listing.read_page(db.session, panel_lists.organizations_statement(args))
        if args is not None
        else listing.empty_page()
    )
    return render_template(
        "assignment/panel/organizations.html",
        form=form,
        filters=filters,
        page=page,
        organizations=page.rows,
        **page_helpers(),
    ), (form_status(form) if args is not None else 422)


@bp.route("/organizations/<int:organization_id>", methods=["GET", "POST"])
@roles_required("admin")
def organization(organization_id: int):
    org = panel.get_organization(db.session, organization_id)
    form = OrganizationForm(obj=org)
    form.bank_account.label.text = _("Bank account (leave empty to keep)")
    if form.validate_on_submit():
        fields = {
            "name": form.name.data,
            "kind": form.kind.data,
            "area": form.area.data or None,
            "bank_name": form.bank_name.data or None,
        }
        if form.bank_account.data:  # empty keeps the stored account
            fields["bank_account"] = form.bank_account.data
        try:
            panel.update_organization(db.session, org, fields, current_user)
        except DomainError as exc:
            fail(exc, form)
        else:
            db.session.commit()
            flash(_("Organisation %(name)s saved.", name=org.name), "success")
            return redirect(url_for(".organizations"))
    return render_template(
        "assignment/panel/organization.html",
        organization=org,
        form=form,
        masked_account=panel.masked_bank_account(org),
        **page_helpers(),
    ), form_status(form)


# --- providers ---


def _provider_form(**kwargs) -> ProviderForm:
    form = ProviderForm(**kwargs)
    form.organization_id.choices = [(o.id, o.name) for o in queries.organizations(db.session)]
    return form


def _provider_fields(form: ProviderForm) -> dict:
    fields = {
        "name": form.name.data,
        "kind": form.kind.data,
        "organization_id": form.organization_id.data,
        "practice_since": form.practice_since.data,
        "max_open_cases": form.max_open_cases.data,
        "prior_legal_aid_cases": form.prior_legal_aid_cases.data,
        "active": form.active.data,
        "specialties": form.specialties.data,
        "areas": form.areas.data,
        "phone": form.phone.data or None,
        "email": form.email.data or None,
        "bank_name": form.bank_name.data or None,
    }
    if form.bank_account.data:  # empty keeps the stored account
        fields["bank_account"] = form.bank_account.data
    return fields


@bp.route("/providers", methods=["GET", "POST"])
@roles_required("admin")
def providers():
    form = _provider_form()
    if form.validate_on_submit():
        try:
            provider = panel.create_provider(db.session, _provider_fields(form), current_user)
        except DomainError as exc:
            fail(exc, form)
        else:
            db.session.commit()
            flash(_("%(name)s added to the panel.", name=provider.name), "success")
            return redirect(url_for(".provider", provider_id=provider.id))
    filters, args = listing.load_filter(
        panel_lists.ProviderFilterForm, panel_lists.PROVIDER_SORTS, panel_lists.PROVIDER_SORT_LABELS
    )
    page = (
        listing.read_page(db.session, panel_lists.providers_statement(panel_lists.page_args(args)))
        if args is not None
        else listing.empty_page()
    )
    return render_template(
        "assignment/panel/providers.html",
        form=form,
        filters=filters,
        page=page,
        providers=page.rows,
        masked=panel.masked_bank_account,
        **page_helpers(),
    ), (form_status(form) if args is not None else 422)


def _end_leave_form(leave_id: int, **kwargs) -> EndLeaveForm:
    return EndLeaveForm(prefix=f"end-{leave_id}", **kwargs)


def _provider_page(provider, status: int = 200, **forms):
    today = clock.today()
    leaves = queries.provider_leaves(db.session, provider.id)
    # Current and future leaves can be ended early or cancelled; past ones are history.
    end_forms = {
        leave.id: _end_leave_form(leave.id, formdata=None, data={"last_day": today})
        for leave in leaves
        if leave.ends_on >= today
    }
    end_forms.update(forms.pop("end_forms", {}))
    if "form" not in forms:
        forms["form"] = _provider_form(formdata=None, obj=provider)
        forms["form"].bank_account.data = ""
    return render_template(
        "assignment/panel/provider.html",
        provider=provider,
        masked_account=panel.masked_bank_account(provider),
        today=today,
        leaves=leaves,
        end_forms=end_forms,
        conflicts=queries.provider_conflicts(db.session, provider.id),
        withdraw_form=FlaskForm(formdata=None),
        leave_form=forms.pop("leave_form", None) or LeaveForm(prefix="leave", formdata=None),
        conflict_form=forms.pop("conflict_form", None) or ConflictForm(prefix="conflict", formdata=None),
        **forms,
        **page_helpers(),
    ), status


@bp.route("/providers/<int:provider_id>", methods=["GET", "POST"])
@roles_required("admin")
def provider(provider_id: int):
    provider = panel.get_provider(db.session, provider_id)
    if request.method == "GET":
        return _provider_page(provider)
    form = _provider_form()
    if form.validate_on_submit():
        try:
            panel.update_provider(db.session, provider, _provider_fields(form), current_user)
        except DomainError as exc:
            fail(exc, form)
        else:
            db.session.commit()
            flash(_("Provider saved."), "success")
            return redirect(url_for(".provider", provider_id=provider_id))
    return _provider_page(provider, 422, form=form)


@bp.post("/providers/<int:provider_id>/leave")
@roles_required("admin")
def add_leave(provider_id: int):
    provider = panel.get_provider(db.session, provider_id)
    form = LeaveForm(prefix="leave")
    if form.validate_on_submit():
        try:
            panel.add_leave(
                db.session,
                provider,
                form.starts_on.data,
                form.ends_on.data,
                current_user,
                note=form.note.data or None,
            )
        except DomainError as exc:
            fail(exc, form, LEAVE_ALIASES)
        else:
            db.session.commit()
            flash(_("Leave recorded."), "success")
            return redirect(url_for(".provider", provider_id=provider_id))
    return _provider_page(provider, 422, leave_form=form)


@bp.post("/providers/<int:provider_id>/conflicts")
@roles_required("admin")
def add_conflict(provider_id: int):
    provider = panel.get_provider(db.session, provider_id)
    form = ConflictForm(prefix="conflict")
    if form.validate_on_submit():
        try:
            panel.declare_conflict(
                db.session, provider, form.party_name.data, current_user, note=form.note.data or None
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            db.session.commit()
            flash(_("Conflict recorded: rotation skips this provider for that party's cases."), "success")
            return redirect(url_for(".provider", provider_id=provider_id))
    return _provider_page(provider, 422, conflict_form=form)


def _a_last_day_given(form) -> bool:
    """Ask only about a date that can be saved; a missing or malformed one gets its field error."""
    try:
        return any(key.endswith("-last_day") and dt.date.fromisoformat(value) for key, value in form.items())
    except ValueError:
        return False


def _leave_detail(provider_id: int, leave_id: int) -> str:
    provider = panel.get_provider(db.session, provider_id)
    leave = panel.get_leave(db.session, provider, leave_id)
    return _(
        "%(name)s, leave %(first)s – %(last)s",
        name=provider.name,
        first=leave.starts_on.isoformat(),
        last=leave.ends_on.isoformat(),
    )


@bp.post("/providers/<int:provider_id>/leave/<int:leave_id>/end")
@roles_required("admin")
@asks_first_when(
    _a_last_day_given,
    _l("End or cancel this leave?"),
    yes=_l("Yes, change the leave"),
    detail=_leave_detail,
)
def end_leave(provider_id: int, leave_id: int):
    provider = panel.get_provider(db.session, provider_id)
    leave = panel.get_leave(db.session, provider, leave_id)
    form = _end_leave_form(leave_id)
    if form.validate_on_submit():
        try:
            shortened = panel.end_leave(db.session, leave, form.last_day.data, current_user)
        except DomainError as exc:
            fail(exc, form)
        else:
            db.session.commit()
            flash(
                _("Leave now ends on %(day)s.", day=shortened.ends_on.isoformat())
                if shortened
                else _("Leave cancelled."),
                "success",
            )
            return redirect(url_for(".provider", provider_id=provider_id))
    return _provider_page(provider, 422, end_forms={leave_id: form})


def _conflict_detail(provider_id: int, conflict_id: int) -> str:
    provider = panel.get_provider(db.session, provider_id)
    conflict = panel.get_conflict(db.session, provider, conflict_id)
    return _("%(name)s, conflict with %(party)s", name=provider.name, party=conflict.party_name)


@bp.post("/providers/<int:provider_id>/conflicts/<int:conflict_id>/withdraw")
@roles_required("admin")
@asks_first(
    _l("Withdraw this conflict? Rotation will offer this provider that party's cases again."),
    yes=_l("Yes, withdraw it"),
    detail=_conflict_detail,
)
def withdraw_conflict(provider_id: int, conflict_id: int):
    provider = panel.get_provider(db.session, provider_id)
    conflict = panel.get_conflict(db.session, provider, conflict_id)
    party = conflict.party_name
    if FlaskForm().validate_on_submit():
        try:
            panel.withdraw_conflict(db.session, conflict, current_user)
        except DomainError as exc:
            fail(exc)
        else:
            db.session.commit()
            flash(_("Conflict with %(party)s withdrawn.", party=party), "success")
    return redirect(url_for(".provider", provider_id=provider_id))


# --- CSV import ---


@bp.route("/panel-import", methods=["GET", "POST"])
@roles_required("admin")
def panel_import():
    """Every row is checked first; one bad row and nothing is imported (the report lists them all)."""
    form = ImportForm()
    report: dict | None = None
    if form.validate_on_submit():
        try:
            text = form.file.data.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors = [*form.file.errors, _("The file is not UTF-8 text.")]
        else:
            try:
                result = import_panel_csv(db.session, io.StringIO(text, newline=""), current_user)
            except Invalid as exc:
                report = _import_report(exc.shown_fields())
                fail(exc)
            except DomainError as exc:
                fail(exc)
            else:
                db.session.commit()
                flash(
                    _(
                        "Imported %(providers)s providers and %(organizations)s new organisations.",
                        providers=result["providers"],
                        organizations=result["organizations"],
                    ),
                    "success",
                )
                return redirect(url_for(".providers"))
    status = 422 if form.errors or report is not None else 200
    return render_template(
        "assignment/panel/import.html", form=form, report=report, columns=COLUMNS, **page_helpers()
    ), status


def _import_report(fields: dict) -> list[tuple[str, list[str]]]:
    """The import's problems as people read them: "第 3 行" / "Line 3", in the file's order."""
    rows = []
    for key, problems in fields.items():
        where = key
        if key.startswith("row ") and key[4:].isdigit():
            where = _("Line %(line)s", line=int(key[4:]))
        elif key == "columns":
            where = _("Column headings")
        elif key == "rows":
            where = _("Rows")
        rows.append((int(key[4:]) if key[4:].isdigit() else 0, where, list(problems)))
    return [(where, problems) for _line, where, problems in sorted(rows, key=lambda r: r[0])]


@bp.get("/panel-import/sample.csv")
@roles_required("admin")
def panel_import_sample():
    """A file to fill in: the headings in the reader's language and one example row."""
    from legalaid.i18n import current_locale

    chinese = current_locale() == "zh_Hans"
    return Response(
        sample_csv(chinese),
        mimetype="text/csv",
        headers={
            "Content-Disposition": "attachment; filename*=UTF-8''"
            + ("panel-sample-zh.csv" if chinese else "panel-sample.csv")
        },
    )
