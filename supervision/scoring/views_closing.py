"""The provider's pages of closing and scoring: the closing report and materials, their scores, and
accepting or appealing a final score."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from assignment import intake
from assignment.models import Case
from legalaid import clock, listing
from legalaid.auth import roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError, NotFound, say
from supervision.scoring import appeals, closing, files, reports, vetoes
from supervision.scoring.blueprint import bp, case_numbers, flash_error, visible_case_number
from supervision.scoring.defaults import OUTCOMES, TERMINATION_GROUNDS
from supervision.scoring.forms import (
    ActionForm,
    AppealForm,
    ClosingForm,
    DocumentsForm,
)
from supervision.scoring.labels import (
    ground_label,
    outcome_label,
)
from supervision.scoring.models import CaseClosing, ScoreFile


def _own_case(case_id: int) -> Case:
    """The case, when the signed-in provider holds its live assignment (the rule of intake.get_case)."""
    return intake.get_case(db.session, case_id, current_user)


@bp.route("/cases/<int:case_id>/close", methods=["GET", "POST"])
@roles_required("provider")
@asks_first(
    _l("Close this case? It cannot be reopened."),
    yes=_l("Yes, close the case"),
    detail=lambda case_id: visible_case_number(case_id),
)
def close_case(case_id):
    case = _own_case(case_id)
    report = db.session.get(CaseClosing, case.id)
    docs = closing.closing_documents(case.case_type)
    if report is not None:
        return _closed_page(case, report, docs, DocumentsForm(formdata=None))
    choices = [(d["code"], d["label"] + ("" if d["required"] else " " + _("(optional)"))) for d in docs]
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
                recovered_fen=form.recovered.data,
                documents=form.documents.data or [],
            )
            db.session.commit()
            flash(_("The case is closed. Hand in missing materials within 30 days."), "success")
            return redirect(url_for("scoring.close_case", case_id=case.id))
        except DomainError as exc:
            errors = exc.shown_fields()
            flash_error(exc)
    status = 422 if (form.errors or errors) else 200
    return render_template("supervision/scoring/close.html", case=case, form=form, errors=errors), status


def _material_choices(docs: list[dict], held: set[str]) -> list[tuple[str, str]]:
    """What is still to hand in: required materials (still missing) first, then optional ones."""
    return [
        (d["code"], d["label"] + (" " + _("(required, missing)") if d["required"] else " " + _("(optional)")))
        for d in docs
        if d["code"] not in held
    ]


def _closed_page(case: Case, report: CaseClosing, docs: list[dict], form: DocumentsForm, status: int = 200):
    form.documents.choices = _material_choices(docs, {d.code for d in report.documents})
    return render_template(
        "supervision/scoring/closed.html",
        case=case,
        report=report,
        form=form,
        status=closing.hand_in_status(report, case.case_type),
        docs=docs,
        held={d.code: d for d in report.documents},
    ), status


@bp.post("/cases/<int:case_id>/materials")
@roles_required("provider")
def hand_in(case_id):
    """Materials handed in after the closing report: only what the provider ticks, nothing more."""
    case = _own_case(case_id)
    report = db.session.get(CaseClosing, case.id)
    if report is None:
        return redirect(url_for("scoring.close_case", case_id=case.id))
    docs = closing.closing_documents(case.case_type)
    form = DocumentsForm()
    form.documents.choices = _material_choices(docs, {d.code for d in report.documents})
    if form.validate_on_submit():
        try:
            closing.hand_in_documents(db.session, case, current_user, form.documents.data)
            db.session.commit()
            flash(_("The materials are recorded."), "success")
            return redirect(url_for("scoring.close_case", case_id=case.id))
        except DomainError as exc:
            flash_error(exc)
            report = db.session.get(CaseClosing, case.id)
    return _closed_page(case, report, docs, form, 422)


# --- the provider: scores -------------------------------------------------------------------------


@bp.get("/my-scores")
@roles_required("provider")
def my_scores():
    """The provider's own final scores, paged, newest first, and their months: read off their own files
    by ``ix_score_file_provider`` (a fixed number of statements, whatever the size of the service)."""
    page = listing.read_page(
        db.session,
        sa.select(ScoreFile)
        .where(ScoreFile.provider_id == current_user.provider_id, ScoreFile.status.in_(("final", "appealed")))
        .order_by(ScoreFile.finalised_on.desc(), ScoreFile.case_id.desc()),
    )
    months, mine = reports.provider_series(db.session, current_user.provider_id)
    return render_template(
        "supervision/scoring/my_scores.html",
        files=page.rows,
        page=page,
        cases=case_numbers(f.case_id for f in page.rows),
        chart=reports.months_chart(months, _("My scores by month")),
        mine=mine,
        today=clock.today(),
    )


@bp.get("/my-scores/<int:case_id>")
@roles_required("provider")
def my_score(case_id, accept_form=None, appeal_form=None, status=200):
    file = files.own_file(db.session, case_id, current_user)
    if not files.visible_to_provider(file):
        raise NotFound(say("The score of this case is not final yet."))
    return render_template(
        "supervision/scoring/my_score.html",
        file=file,
        case=intake.get_case(db.session, case_id, current_user),
        checklist=files.pinned_checklist(db.session, file),
        sheets=file.submitted(),
        accept_form=accept_form or ActionForm(prefix="accept", formdata=None),
        appeal_form=appeal_form or AppealForm(prefix="appeal", formdata=None),
        today=clock.today(),
        settled=files.score_settled(file),
        veto=vetoes.confirmed_took_money(db.session, case_id),
    ), status


@bp.post("/my-scores/<int:case_id>/accept")
@roles_required("provider")
@asks_first(
    _l("Accept this score? You give up your right to appeal it."),
    yes=_l("Yes, accept the score"),
    detail=lambda case_id: visible_case_number(case_id),
)
def accept_my_score(case_id):
    form = ActionForm(prefix="accept")
    if not form.validate_on_submit():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for("scoring.my_score", case_id=case_id))
    try:
        appeals.accept_score(db.session, case_id, current_user)
        db.session.commit()
        flash(_("You accepted the score."), "success")
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("scoring.my_score", case_id=case_id))


@bp.post("/my-scores/<int:case_id>/appeal")
@roles_required("provider")
@asks_first(
    _l("Send this appeal? A score can be appealed only once."),
    yes=_l("Yes, send the appeal"),
    detail=lambda case_id: visible_case_number(case_id),
)
def appeal_my_score(case_id):
    form = AppealForm(prefix="appeal")
    if not form.validate_on_submit():
        flash(_("Please check the form."), "error")
        return my_score(case_id, appeal_form=form, status=422)
    try:
        appeals.appeal_score(db.session, case_id, current_user, form.reason.data)
        db.session.commit()
        flash(_("Your appeal has been sent to a supervisor who has not marked this file."), "success")
    except DomainError as exc:
        flash_error(exc)
    return redirect(url_for("scoring.my_score", case_id=case_id))
