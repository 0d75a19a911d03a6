"""The checklist pages: versions by case type, a version, a new draft and its editor (admins change,
supervisors read)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from legalaid import clock, limits
from legalaid.auth import roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError, Invalid, say
from supervision.scoring import checklists
from supervision.scoring.blueprint import bp, flash_error
from supervision.scoring.forms import (
    ActionForm,
    ChecklistMetaForm,
)
from supervision.scoring.models import CASE_TYPES, Checklist


@bp.get("/checklists")
@roles_required("admin", "supervisor")
def checklist_list():
    rows = db.session.scalars(
        sa.select(Checklist).order_by(Checklist.case_type, Checklist.version.desc())
    ).all()
    today = clock.today()
    in_force = {t: checklists.checklist_in_force(db.session, t, today) for t in CASE_TYPES}
    return render_template(
        "supervision/scoring/checklists.html",
        rows=rows,
        in_force={t: c.id for t, c in in_force.items() if c},
        case_types=CASE_TYPES,
        form=ActionForm(),
    )


def _version_detail(checklist_id: int) -> str | None:
    try:
        version = checklists.get_checklist(db.session, checklist_id)
    except DomainError:
        return None
    return f"{version.name} · v{version.version}"


@bp.get("/checklists/<int:checklist_id>")
@roles_required("admin", "supervisor")
def checklist(checklist_id):
    version = checklists.get_checklist(db.session, checklist_id)
    total = sum((e.max_points for e in version.items), Decimal(0))
    return render_template(
        "supervision/scoring/checklist.html", version=version, form=ActionForm(), total=total
    )


@bp.post("/checklists/<int:checklist_id>/publish")
@roles_required("admin")
@asks_first(
    _l("Publish this checklist? Files of cases ending from its date on are scored with it."),
    yes=_l("Yes, publish it"),
    detail=lambda checklist_id: _version_detail(checklist_id),
)
def checklist_publish(checklist_id):
    version = checklists.get_checklist(db.session, checklist_id)
    if ActionForm().validate_on_submit():
        try:
            checklists.publish_checklist(db.session, version, current_user)
            db.session.commit()
            flash(_("Version %(v)s is published.", v=version.version), "success")
        except DomainError as exc:
            flash_error(exc)
    return redirect(url_for("scoring.checklist", checklist_id=checklist_id))


@bp.post("/checklists/<int:checklist_id>/discard")
@roles_required("admin")
@asks_first(
    _l("Discard this draft checklist?"),
    yes=_l("Yes, discard the draft"),
    detail=lambda checklist_id: _version_detail(checklist_id),
)
def checklist_discard(checklist_id):
    version = checklists.get_checklist(db.session, checklist_id)
    if ActionForm().validate_on_submit():
        try:
            checklists.discard_checklist_draft(db.session, version, current_user)
            db.session.commit()
            flash(_("The draft is discarded."), "success")
            return redirect(url_for("scoring.checklist_list"))
        except DomainError as exc:
            flash_error(exc)
    return redirect(url_for("scoring.checklist", checklist_id=checklist_id))


@bp.post("/checklists/new")
@roles_required("admin")
def checklist_new():
    """A new draft version, copied from the version in force for the case type."""
    form = ActionForm()
    case_type = request.form.get("case_type")
    if not form.validate_on_submit() or case_type not in CASE_TYPES:
        flash(_("Please check the form."), "error")
        return redirect(url_for("scoring.checklist_list"))
    base = checklists.checklist_in_force(db.session, case_type, clock.today())
    source = (
        checklists.checklist_as_draft_input(base)
        if base
        else {"case_type": case_type, "items": [], "veto_items": []}
    )
    try:
        if not source["items"]:
            raise Invalid(say("There is no version to start from."))
        draft = checklists.draft_checklist(
            db.session,
            current_user,
            effective_from=clock.today() + dt.timedelta(days=1),
            **source,
        )
        db.session.commit()
    except DomainError as exc:
        flash_error(exc)
        return redirect(url_for("scoring.checklist_list"))
    return redirect(url_for("scoring.checklist_edit", checklist_id=draft.id))


ENTRY_FIELDS = ("code", "kind", "label_zh", "label_en", "max_points", "guidance", "evidence", "auto")


def _entries_from_form() -> tuple[list[dict], list[dict]]:
    items, vetoes = [], []
    rows = limits.int_arg(request.form, "rows", 0)
    for i in range(min(rows, 100)):
        entry = {f: (request.form.get(f"{f}-{i}") or "").strip() for f in ENTRY_FIELDS}
        if not entry["code"] and not entry["label_zh"] and not entry["label_en"]:
            continue
        entry["auto"] = entry["auto"] or None
        if entry.pop("kind") == "veto":
            vetoes.append(entry)
        else:
            items.append(entry)
    return items, vetoes


@bp.route("/checklists/<int:checklist_id>/edit", methods=["GET", "POST"])
@roles_required("admin")
def checklist_edit(checklist_id):
    version = checklists.get_checklist(db.session, checklist_id)
    if version.status != "draft":
        flash(_("A published checklist cannot be changed; draft a new version instead."), "error")
        return redirect(url_for("scoring.checklist", checklist_id=checklist_id))
    form = ChecklistMetaForm(obj=version)
    entries = [checklists._entry_dict(e) | {"kind": e.kind} for e in version.entries]
    errors: dict = {}
    status = 200
    if form.validate_on_submit():
        items, vetoes = _entries_from_form()
        try:
            checklists.revise_checklist_draft(
                db.session,
                version,
                current_user,
                effective_from=form.effective_from.data,
                items=items,
                veto_items=vetoes,
                name=form.name.data,
                grade_bands=version.grade_bands,
                notes=form.notes.data or None,
            )
            db.session.commit()
            flash(_("The draft is saved."), "success")
            return redirect(url_for("scoring.checklist", checklist_id=checklist_id))
        except DomainError as exc:
            flash_error(exc)
            errors = exc.shown_fields()
            status = exc.status
            entries = [e | {"kind": "item"} for e in items] + [e | {"kind": "veto"} for e in vetoes]
    elif form.errors:
        status = 422
    entries += [{"kind": "item"} for _i in range(3)]
    return render_template(
        "supervision/scoring/checklist_edit.html", version=version, form=form, entries=entries, errors=errors
    ), status
