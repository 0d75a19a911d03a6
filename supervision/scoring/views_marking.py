"""The supervisors' marking pages: the worklist, a case's score file (start a sheet, uphold an appeal)
and a score sheet (save, submit, revise on appeal)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from assignment import intake
from assignment.models import Organization, Provider
from legalaid import clock, listing
from legalaid.auth import roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError, Invalid, say, shown
from legalaid.models import User
from supervision.scoring import appeals, closing, files, lists, sheets, vetoes, who_may_mark
from supervision.scoring.blueprint import bp, case_numbers, flash_error, provider_names, visible_case_number
from supervision.scoring.forms import (
    ActionForm,
    AppealDecisionForm,
)
from supervision.scoring.labels import role_label, status_label
from supervision.scoring.models import CaseClosing, Checklist, ScoreSheet


@bp.get("/")
@roles_required("supervisor", "admin")
def worklist():
    """The files the reader may mark now (or has a draft on), counted by stage, paged, sorted and
    filtered as ``GET /api/v1/score-files``."""
    form, args = listing.load_filter(lists.WorklistFilterForm, lists.SORTS, lists.SORT_LABELS)
    stmt = lists.worklist_statement(current_user)
    by_type = lists.worklist_counts(db.session, current_user)
    counts = lists.stage_counts(by_type)
    page = lists.worklist_page(db.session, stmt, args, by_type) if args is not None else listing.empty_page()
    files = page.rows
    drafts = db.session.scalars(
        sa.select(ScoreSheet).where(ScoreSheet.scorer_id == current_user.id, ScoreSheet.status == "draft")
    ).all()
    all_ids = [f.case_id for f in files] + [s.case_id for s in drafts]
    closings = {
        c.case_id: c
        for c in db.session.scalars(sa.select(CaseClosing).where(CaseClosing.case_id.in_(all_ids)))
    }
    return render_template(
        "supervision/scoring/worklist.html",
        files=files,
        page=page,
        filters=form,
        counts=counts,
        drafts=drafts,
        cases=case_numbers(all_ids),
        providers=provider_names(f.provider_id for f in files),
        closings=closings,
        today=clock.today(),
    ), (200 if args is not None else 422)


@bp.route("/cases/<int:case_id>", methods=["GET", "POST"])
@roles_required("supervisor", "admin")
def file(case_id):
    """The file; its own POST starts a score sheet (deciding an appeal asks first, below)."""
    start_form = ActionForm(prefix="start")
    if request.method == "POST":
        try:
            if request.form.get("action") == "start" and start_form.validate_on_submit():
                sheet = sheets.create_score_sheet(db.session, case_id, current_user)
                db.session.commit()
                return redirect(url_for("scoring.sheet", sheet_id=sheet.id))
            flash(_("Please check the form."), "error")
        except DomainError as exc:
            flash_error(exc)
    return _file_page(case_id, start_form)


def _file_page(case_id: int, start_form=None, decision_form=None, status: int = 200):
    score_file = files.get_file(db.session, case_id)
    case = intake.get_case(db.session, case_id, current_user)
    report = closing.get_closing(db.session, case_id)
    start_form = start_form or ActionForm(prefix="start", formdata=None)
    decision_form = decision_form or AppealDecisionForm(prefix="decide", formdata=None)
    refusal = (
        shown(who_may_mark.marking_refusal(db.session, score_file, current_user))
        if current_user.has_role("supervisor")
        else _("Only supervisors score files.")
    )
    return render_template(
        "supervision/scoring/file.html",
        file=score_file,
        case=case,
        report=report,
        status=closing.hand_in_status(report, case.case_type),
        provider=db.session.get(Provider, score_file.provider_id),
        organization=db.session.get(Organization, score_file.organization_id),
        refusal=refusal,
        start_form=start_form,
        decision_form=decision_form,
        scorers=dict(
            db.session.execute(
                sa.select(User.id, sa.func.coalesce(User.display_name, User.username)).where(
                    User.id.in_([s.scorer_id for s in score_file.sheets])
                )
            ).all()
        ),
        veto=vetoes.confirmed_took_money(db.session, case_id),
    ), status


@bp.post("/cases/<int:case_id>/uphold")
@roles_required("supervisor")
@asks_first(
    _l("Reject the appeal and uphold the score? The decision is final."),
    yes=_l("Yes, uphold the score"),
    detail=lambda case_id: visible_case_number(case_id),
)
def uphold_appeal(case_id):
    form = AppealDecisionForm(prefix="decide")
    if not form.validate_on_submit():
        flash(_("Please check the form."), "error")
        return _file_page(case_id, decision_form=form, status=422)
    try:
        appeals.decide_appeal(db.session, case_id, current_user, outcome="upheld", reason=form.reason.data)
        db.session.commit()
        flash(_("The appeal is decided: the score stands."), "success")
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("scoring.file", case_id=case_id))


def _form_items(checklist: Checklist) -> list[dict]:
    items = []
    for item in checklist.items:
        points = request.form.get(f"points-{item.code}", "").strip()
        items.append(
            {
                "code": item.code,
                "na": request.form.get(f"na-{item.code}") == "1",
                "points": None if request.form.get(f"na-{item.code}") == "1" or points == "" else points,
                "note": request.form.get(f"note-{item.code}", ""),
            }
        )
    return items


def _sheet_detail(sheet_id: int) -> str | None:
    """The case and the marker's role a question about a sheet names, when the reader may see it."""
    try:
        score_sheet, _as_provider = files.readable_sheet(db.session, sheet_id, current_user)
    except DomainError:
        return None
    number = visible_case_number(score_sheet.case_id)
    return f"{number} · {role_label(score_sheet.role)}" if number else None


@bp.route("/sheets/<int:sheet_id>", methods=["GET", "POST"])
@roles_required("supervisor", "admin")
def sheet(sheet_id):
    """The sheet; its own POST recalculates or saves the draft (submitting asks first, below)."""
    action = request.form.get("action", "recalculate")
    return _sheet_page(sheet_id, action if action in ("recalculate", "save") else "save")


@bp.post("/sheets/<int:sheet_id>/submit")
@roles_required("supervisor")
@asks_first(
    _l("Submit this score sheet? It cannot be changed afterwards."),
    yes=_l("Yes, submit the sheet"),
    detail=lambda sheet_id: _sheet_detail(sheet_id),
)
def submit_sheet(sheet_id):
    return _sheet_page(sheet_id, "submit")


@bp.post("/sheets/<int:sheet_id>/revise")
@roles_required("supervisor")
@asks_first(
    _l("Accept the appeal and decide it with this sheet? The revised score is final."),
    yes=_l("Yes, revise the score"),
    detail=lambda sheet_id: _sheet_detail(sheet_id),
)
def revise_with_sheet(sheet_id):
    return _sheet_page(sheet_id, "revise")


def _sheet_page(sheet_id: int, action: str):
    score_sheet, _as_provider = files.readable_sheet(db.session, sheet_id, current_user)
    editable = score_sheet.scorer_id == current_user.id and score_sheet.status == "draft"
    score_file = score_sheet.file
    checklist = files.pinned_checklist(db.session, score_file)
    form = ActionForm()
    decision_form = AppealDecisionForm(prefix="decide")
    errors: dict = {}
    typed = None
    status = 200
    if request.method == "POST" and editable:
        if not form.validate_on_submit():
            flash(_("The form has expired; please try again."), "error")
            return redirect(url_for("scoring.sheet", sheet_id=sheet_id))
        items = _form_items(checklist)
        vetoes = request.form.getlist("veto")
        try:
            sheets.update_score_sheet(
                db.session,
                score_sheet,
                current_user,
                items=items,
                vetoes=vetoes,
                veto_note=request.form.get("veto_note"),
            )
            db.session.commit()  # the draft is kept even when the submission below is refused
        except DomainError as exc:
            db.session.rollback()
            errors, status = exc.shown_fields(), exc.status
            flash(exc.shown(), "error")
            score_sheet = files.get_sheet(db.session, sheet_id)
            # Show what the scorer typed, not what is stored, so nothing is lost after a refusal.
            typed = {
                "items": {i["code"]: i for i in items},
                "vetoes": vetoes,
                "veto_note": request.form.get("veto_note", ""),
            }
            action = None
        try:
            if action == "submit":
                result = sheets.submit_score_sheet(db.session, score_sheet, current_user)
                db.session.commit()
                flash(
                    _("Sheet submitted. The file is now: %(status)s.", status=status_label(result.status)),
                    "success",
                )
                return redirect(url_for("scoring.file", case_id=score_file.case_id))
            if action == "revise":
                if not decision_form.reason.data:
                    raise Invalid(
                        say("Give the reasons for the decision."), fields={"reason": [say("Required.")]}
                    )
                appeals.decide_appeal(
                    db.session,
                    score_file.case_id,
                    current_user,
                    outcome="revised",
                    reason=decision_form.reason.data,
                    sheet=score_sheet,
                )
                db.session.commit()
                flash(_("The appeal is decided with your revised sheet."), "success")
                return redirect(url_for("scoring.file", case_id=score_file.case_id))
            if action == "save":
                flash(_("Draft saved."), "success")
        except DomainError as exc:
            db.session.rollback()
            errors, status = exc.shown_fields(), exc.status
            flash(exc.shown(), "error")
            score_sheet = files.get_sheet(db.session, sheet_id)
    return render_template(
        "supervision/scoring/sheet.html",
        sheet=score_sheet,
        file=score_file,
        case=intake.get_case(db.session, score_file.case_id, current_user),
        checklist=checklist,
        editable=editable,
        form=form,
        decision_form=decision_form,
        errors=errors,
        typed=typed,
        provider=db.session.get(Provider, score_file.provider_id),
    ), status
