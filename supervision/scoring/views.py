"""Pages of closing and scoring: the provider's closing form and scores, the supervisors' worklist,
file and score sheet, the checklist admin, and the quality report. Views are thin: each POST calls
one service function; a domain error becomes a flashed message."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from assignment import intake
from assignment.models import Assignment, Case, Organization, Provider
from legalaid import clock, limits
from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.errors import DomainError, Invalid, NotFound, say, shown
from legalaid.hooks import add_home_panel, add_nav
from legalaid.models import User
from supervision.scoring import checklists, closing, reports, scoring
from supervision.scoring.defaults import OUTCOMES, TERMINATION_GROUNDS
from supervision.scoring.forms import (
    ActionForm,
    AppealDecisionForm,
    AppealForm,
    ChecklistMetaForm,
    ClosingForm,
    DocumentsForm,
    QualityForm,
)
from supervision.scoring.labels import (
    document_label,
    grade_label,
    ground_label,
    item_label,
    outcome_label,
    reason_text,
    role_label,
    status_label,
)
from supervision.scoring.models import CASE_TYPES, CaseClosing, Checklist, ScoreFile, ScoreSheet

bp = Blueprint("scoring", __name__, url_prefix="/scoring")


def _flash_error(exc: DomainError) -> None:
    db.session.rollback()
    flash(exc.shown(), "error")


def _case_numbers(case_ids) -> dict[int, Case]:
    ids = list(set(case_ids))
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(sa.select(Case).where(Case.id.in_(ids)))}


def _provider_names(provider_ids) -> dict[int, str]:
    ids = list(set(provider_ids))
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Provider.id, Provider.name).where(Provider.id.in_(ids))).all())


# --- the provider: closing ------------------------------------------------------------------------


def _own_case(case_id: int) -> Case:
    """The case, when the signed-in provider holds its live assignment (the rule of intake.get_case)."""
    return intake.get_case(db.session, case_id, current_user)


@bp.route("/cases/<int:case_id>/close", methods=["GET", "POST"])
@roles_required("provider")
def close_case(case_id):
    case = _own_case(case_id)
    report = db.session.get(CaseClosing, case.id)
    docs = closing.closing_documents(case.case_type)
    choices = [(d["code"], d["label"] + ("" if d["required"] else " " + _("(optional)"))) for d in docs]
    if report is not None:
        form = DocumentsForm()
        held = {d.code for d in report.documents}
        form.documents.choices = [c for c in choices if c[0] not in held]
        if form.validate_on_submit():
            try:
                closing.hand_in_documents(db.session, case, current_user, form.documents.data)
                db.session.commit()
                flash(_("The materials are recorded."), "success")
                return redirect(url_for("scoring.close_case", case_id=case.id))
            except DomainError as exc:
                _flash_error(exc)
        return render_template(
            "supervision/scoring/closed.html",
            case=case,
            report=report,
            form=form,
            status=closing.hand_in_status(report, case.case_type),
            docs=docs,
            held={d.code: d for d in report.documents},
        )
    form = ClosingForm()
    form.outcome.choices = [(o, outcome_label(o)) for o in OUTCOMES]
    form.termination_ground.choices = [("", "—")] + [(g, ground_label(g)) for g in TERMINATION_GROUNDS]
    form.documents.choices = choices
    if request.method == "GET":
        form.ended_on.data = clock.today()
        form.documents.data = []
    errors: dict = {}
    if form.validate_on_submit():
        try:
            closing.close_case(
                db.session,
                case,
                current_user,
                ended_on=form.ended_on.data,
                outcome=form.outcome.data,
                terminated=form.terminated.data,
                termination_ground=form.termination_ground.data or None,
                termination_note=form.termination_note.data or None,
                retainer_signed_on=form.retainer_signed_on.data,
                documents=form.documents.data or [],
            )
            db.session.commit()
            flash(_("The case is closed. Hand in missing materials within 30 days."), "success")
            return redirect(url_for("scoring.close_case", case_id=case.id))
        except DomainError as exc:
            errors = exc.shown_fields()
            _flash_error(exc)
    status = 422 if (form.errors or errors) else 200
    return render_template("supervision/scoring/close.html", case=case, form=form, errors=errors), status


# --- the provider: scores -------------------------------------------------------------------------


@bp.get("/my-scores")
@roles_required("provider")
def my_scores():
    files = db.session.scalars(
        sa.select(ScoreFile)
        .where(ScoreFile.provider_id == current_user.provider_id, ScoreFile.status.in_(("final", "appealed")))
        .order_by(ScoreFile.finalised_on.desc(), ScoreFile.case_id.desc())
        .limit(500)
    ).all()
    report = reports.quality_report(db.session, provider_id=current_user.provider_id)
    chart = reports.months_chart(report["months"], _("My scores by month"))
    mine = next((p for p in report["providers"] if p["provider_id"] == current_user.provider_id), None)
    return render_template(
        "supervision/scoring/my_scores.html",
        files=files,
        cases=_case_numbers(f.case_id for f in files),
        chart=chart,
        mine=mine,
        today=clock.today(),
    )


@bp.route("/my-scores/<int:case_id>", methods=["GET", "POST"])
@roles_required("provider")
def my_score(case_id):
    file = scoring.own_file(db.session, case_id, current_user)
    if not scoring.visible_to_provider(file):
        raise NotFound(say("The score of this case is not final yet."))
    accept_form, appeal_form = ActionForm(prefix="accept"), AppealForm(prefix="appeal")
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "accept" and accept_form.validate_on_submit():
                scoring.accept_score(db.session, case_id, current_user)
                db.session.commit()
                flash(_("You accepted the score."), "success")
                return redirect(url_for("scoring.my_score", case_id=case_id))
            if action == "appeal" and appeal_form.validate_on_submit():
                scoring.appeal_score(db.session, case_id, current_user, appeal_form.reason.data)
                db.session.commit()
                flash(_("Your appeal has been sent to a supervisor who has not marked this file."), "success")
                return redirect(url_for("scoring.my_score", case_id=case_id))
            flash(_("Please check the form."), "error")
        except DomainError as exc:
            _flash_error(exc)
    return render_template(
        "supervision/scoring/my_score.html",
        file=file,
        case=intake.get_case(db.session, case_id, current_user),
        checklist=scoring.pinned_checklist(db.session, file),
        sheets=file.submitted(),
        accept_form=accept_form,
        appeal_form=appeal_form,
        today=clock.today(),
        settled=scoring.score_settled(file),
    )


# --- supervisors: worklist, file, sheet -------------------------------------------------------------


@bp.get("/")
@roles_required("supervisor", "admin")
def worklist():
    files = db.session.scalars(
        sa.select(ScoreFile)
        .where(ScoreFile.status != "final")
        .order_by(ScoreFile.ended_on, ScoreFile.case_id)
        .limit(500)
    ).all()
    excluded = scoring.scorer_exclusions(db.session, files, current_user)
    sections = {"open": [], "second_review": [], "third_review": [], "appealed": []}
    for f in files:
        if f.case_id in excluded:
            continue
        if current_user.has_role("supervisor") and scoring.marking_refusal(db.session, f, current_user):
            mine = [s for s in f.sheets if s.scorer_id == current_user.id and s.status == "draft"]
            if not mine:
                continue
        sections[f.status].append(f)
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
        sections=sections,
        drafts=drafts,
        cases=_case_numbers(all_ids),
        providers=_provider_names(f.provider_id for f in files),
        closings=closings,
        today=clock.today(),
    )


@bp.route("/cases/<int:case_id>", methods=["GET", "POST"])
@roles_required("supervisor", "admin")
def file(case_id):
    score_file = scoring.get_file(db.session, case_id)
    case = intake.get_case(db.session, case_id, current_user)
    report = closing.get_closing(db.session, case_id)
    start_form = ActionForm(prefix="start")
    decision_form = AppealDecisionForm(prefix="decide")
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "start" and start_form.validate_on_submit():
                sheet = scoring.create_score_sheet(db.session, case_id, current_user)
                db.session.commit()
                return redirect(url_for("scoring.sheet", sheet_id=sheet.id))
            if action == "uphold" and decision_form.validate_on_submit():
                scoring.decide_appeal(
                    db.session, case_id, current_user, outcome="upheld", reason=decision_form.reason.data
                )
                db.session.commit()
                flash(_("The appeal is decided: the score stands."), "success")
                return redirect(url_for("scoring.file", case_id=case_id))
            flash(_("Please check the form."), "error")
        except DomainError as exc:
            _flash_error(exc)
    refusal = (
        shown(scoring.marking_refusal(db.session, score_file, current_user))
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
    )


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


@bp.route("/sheets/<int:sheet_id>", methods=["GET", "POST"])
@roles_required("supervisor", "admin")
def sheet(sheet_id):
    score_sheet, _as_provider = scoring.readable_sheet(db.session, sheet_id, current_user)
    editable = score_sheet.scorer_id == current_user.id and score_sheet.status == "draft"
    score_file = score_sheet.file
    checklist = scoring.pinned_checklist(db.session, score_file)
    form = ActionForm()
    decision_form = AppealDecisionForm(prefix="decide")
    errors: dict = {}
    typed = None
    status = 200
    if request.method == "POST" and editable:
        action = request.form.get("action", "recalculate")
        if not form.validate_on_submit():
            flash(_("The form has expired; please try again."), "error")
            return redirect(url_for("scoring.sheet", sheet_id=sheet_id))
        items = _form_items(checklist)
        vetoes = request.form.getlist("veto")
        try:
            scoring.update_score_sheet(
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
            score_sheet = scoring.get_sheet(db.session, sheet_id)
            # Show what the scorer typed, not what is stored, so nothing is lost after a refusal.
            typed = {
                "items": {i["code"]: i for i in items},
                "vetoes": vetoes,
                "veto_note": request.form.get("veto_note", ""),
            }
            action = None
        try:
            if action == "submit":
                result = scoring.submit_score_sheet(db.session, score_sheet, current_user)
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
                scoring.decide_appeal(
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
            score_sheet = scoring.get_sheet(db.session, sheet_id)
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


# --- admin: checklists ------------------------------------------------------------------------------


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


@bp.route("/checklists/<int:checklist_id>", methods=["GET", "POST"])
@roles_required("admin", "supervisor")
def checklist(checklist_id):
    version = checklists.get_checklist(db.session, checklist_id)
    form = ActionForm()
    if request.method == "POST":
        if not current_user.has_role("admin"):
            from legalaid.auth import forbidden

            return forbidden()
        action = request.form.get("action")
        if form.validate_on_submit():
            try:
                if action == "publish":
                    checklists.publish_checklist(db.session, version, current_user)
                    db.session.commit()
                    flash(_("Version %(v)s is published.", v=version.version), "success")
                elif action == "discard":
                    checklists.discard_checklist_draft(db.session, version, current_user)
                    db.session.commit()
                    flash(_("The draft is discarded."), "success")
                    return redirect(url_for("scoring.checklist_list"))
            except DomainError as exc:
                _flash_error(exc)
        return redirect(url_for("scoring.checklist", checklist_id=checklist_id))
    total = sum((e.max_points for e in version.items), Decimal(0))
    return render_template("supervision/scoring/checklist.html", version=version, form=form, total=total)


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
        _flash_error(exc)
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
            _flash_error(exc)
            errors = exc.shown_fields()
            status = exc.status
            entries = [e | {"kind": "item"} for e in items] + [e | {"kind": "veto"} for e in vetoes]
    elif form.errors:
        status = 422
    entries += [{"kind": "item"} for _i in range(3)]
    return render_template(
        "supervision/scoring/checklist_edit.html", version=version, form=form, entries=entries, errors=errors
    ), status


# --- quality ------------------------------------------------------------------------------------------


def _quality_args():
    form = QualityForm(request.args)
    form.validate()
    date_from = form.date_from.data if not form.date_from.errors else None
    date_to = form.date_to.data if not form.date_to.errors else None
    provider_id = limits.int_arg(request.args, "provider_id")
    organization_id = limits.int_arg(request.args, "organization_id")
    return form, date_from, date_to, provider_id, organization_id


@bp.get("/quality")
@roles_required("supervisor", "admin")
def quality():
    form, date_from, date_to, provider_id, organization_id = _quality_args()
    report = reports.quality_report(
        db.session, date_from, date_to, provider_id=provider_id, organization_id=organization_id
    )
    subject = _("All providers")
    if provider_id:
        subject = _provider_names([provider_id]).get(provider_id, subject)
    elif organization_id:
        org = db.session.get(Organization, organization_id)
        subject = org.name if org else subject
    return render_template(
        "supervision/scoring/quality.html",
        form=form,
        report=report,
        chart=reports.months_chart(report["months"], _("Grades and average by month: %(s)s", s=subject)),
        subject=subject,
        args={k: v for k, v in request.args.items() if k in ("date_from", "date_to")},
    )


@bp.get("/quality.csv")
@roles_required("supervisor", "admin")
def quality_csv():
    _form, date_from, date_to, _p, _o = _quality_args()
    report = reports.quality_report(db.session, date_from, date_to)
    return Response(
        reports.quality_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=quality.csv"},
    )


# --- home panels and navigation --------------------------------------------------------------------------


def _supervisor_panel(user) -> Markup | None:
    counts = dict(
        db.session.execute(
            sa.select(ScoreFile.status, sa.func.count())
            .where(ScoreFile.status != "final")
            .group_by(ScoreFile.status)
        ).all()
    )
    drafts = db.session.scalar(
        sa.select(sa.func.count()).where(ScoreSheet.scorer_id == user.id, ScoreSheet.status == "draft")
    )
    if not counts and not drafts:
        return None
    return Markup(render_template("supervision/scoring/panel_supervisor.html", counts=counts, drafts=drafts))


def _provider_panel(user) -> Markup | None:
    if user.provider_id is None:
        return None
    to_close = db.session.scalars(
        sa.select(Case)
        .join(Assignment, sa.and_(Assignment.case_id == Case.id, Assignment.live.is_(True)))
        .where(Assignment.provider_id == user.provider_id, Case.status == "in_progress")
        .order_by(Case.received_on)
        .limit(20)
    ).all()
    today = clock.today()
    to_read = db.session.scalars(
        sa.select(ScoreFile)
        .where(
            ScoreFile.provider_id == user.provider_id,
            ScoreFile.status.in_(("final", "appealed")),
            ScoreFile.accepted_at.is_(None),
            ScoreFile.appeal_decided_at.is_(None),
            sa.or_(ScoreFile.status == "appealed", ScoreFile.appeal_by >= today),
        )
        .order_by(ScoreFile.appeal_by)
        .limit(20)
    ).all()
    late = db.session.scalars(
        sa.select(CaseClosing).where(
            CaseClosing.provider_id == user.provider_id,
            CaseClosing.documents_complete_on.is_(None),
        )
    ).all()
    late = [c for c in late if closing.missing_documents(c, _case_numbers([c.case_id])[c.case_id].case_type)]
    if not (to_close or to_read or late):
        return None
    return Markup(
        render_template(
            "supervision/scoring/panel_provider.html",
            to_close=to_close,
            to_read=to_read,
            missing=late,
            cases=_case_numbers([f.case_id for f in to_read] + [c.case_id for c in late]),
            today=today,
        )
    )


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        grade_label=grade_label,
        score_status_label=status_label,
        sheet_role_label=role_label,
        outcome_label=outcome_label,
        ground_label=ground_label,
        item_label=item_label,
        reason_text=reason_text,
        document_label=document_label,
    )
    add_nav(app, "scoring.worklist", lambda: _("Scoring"), ("supervisor",), order=40)
    add_nav(app, "scoring.quality", lambda: _("Quality"), ("supervisor", "admin"), order=45)
    add_nav(app, "scoring.checklist_list", lambda: _("Checklists"), ("admin",), order=46)
    add_nav(app, "scoring.my_scores", lambda: _("My scores"), ("provider",), order=40)
    add_home_panel(app, ("supervisor",), _supervisor_panel, order=40)
    add_home_panel(app, ("provider",), _provider_panel, order=40)
