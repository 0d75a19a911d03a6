"""The provider's assignment pages: their assignments, one assignment, accepting it, and declining it
with a reason (asks first). On the intake pages' blueprint (``assignment_pages.*``)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm.attributes import set_committed_value

from assignment import queries, rotation
from assignment.forms import (
    DECLINE_REASON_LABELS,
    DeclineForm,
)
from assignment.views import (
    asks_first_when,
    explanation_provider_ids,
    fail,
    page_helpers,
)
from assignment.views_intake import bp
from legalaid import clock, listing
from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.errors import DomainError, Invalid

MY_ASSIGNMENTS_PAGE = 20  # cards, each with its deadlines


@bp.get("/me/assignments")
@roles_required("provider")
def my_assignments():
    """The provider's assignments, a page at a time (a lawyer of many years has hundreds: live ones
    first, newest first), each with its case in the same statement."""
    page = listing.read_capped_page(
        db.session, queries.my_assignments_statement(current_user.provider_id), MY_ASSIGNMENTS_PAGE
    )
    for assignment in page.rows:  # the case's live assignment is this one: not read again per card
        set_committed_value(assignment.case, "current_assignment", assignment if assignment.live else None)
    names = queries.provider_names(db.session, explanation_provider_ids(page.rows))
    return render_template(
        "assignment/my_assignments.html",
        assignments=page.rows,
        page=page,
        names=names,
        today=clock.today(),
        action_form=FlaskForm(),
        **page_helpers(),
    )


def _assignment_page(assignment, decline_form: DeclineForm | None = None, status: int = 200):
    names = queries.provider_names(db.session, explanation_provider_ids([assignment]))
    return render_template(
        "assignment/assignment.html",
        a=assignment,
        names=names,
        today=clock.today(),
        action_form=FlaskForm(),
        decline_form=decline_form or DeclineForm(),
        **page_helpers(),
    ), status


@bp.get("/me/assignments/<int:assignment_id>")
@roles_required("provider")
def assignment_page(assignment_id: int):
    # get_assignment answers 404 for another provider's assignment (DESIGN.md §5).
    return _assignment_page(rotation.get_assignment(db.session, assignment_id, current_user))


@bp.post("/me/assignments/<int:assignment_id>/accept")
@roles_required("provider")
def accept(assignment_id: int):
    assignment = rotation.get_assignment(db.session, assignment_id, current_user)
    if not FlaskForm().validate_on_submit():
        flash(_("The form has expired; please try again."), "error")
        return redirect(url_for(".assignment_page", assignment_id=assignment_id))
    try:
        rotation.accept_assignment(db.session, assignment, current_user)
    except DomainError as exc:
        fail(exc)
        return redirect(url_for(".assignment_page", assignment_id=assignment_id))
    db.session.commit()
    flash(_("You accepted case %(number)s.", number=assignment.case.number), "success")
    return redirect(url_for(".my_assignments"))


def _assignment_detail(assignment_id: int) -> str:
    # get_assignment answers 404 for another provider's assignment: the question names only yours.
    assignment = rotation.get_assignment(db.session, assignment_id, current_user)
    return _("Case %(number)s", number=assignment.case.number)


@bp.post("/me/assignments/<int:assignment_id>/decline")
@roles_required("provider")
@asks_first_when(
    lambda form: form.get("reason_code") in DECLINE_REASON_LABELS,
    _l("Decline this case?"),
    yes=_l("Yes, decline it"),
    detail=_assignment_detail,
)
def decline(assignment_id: int):
    assignment = rotation.get_assignment(db.session, assignment_id, current_user)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _assignment_page(assignment, form, 422)
    try:
        rotation.decline_assignment(
            db.session, assignment, form.reason_code.data, current_user, note=form.note.data or None
        )
    except Invalid as exc:
        fail(exc, form)
        return _assignment_page(assignment, form, 422)
    except DomainError as exc:
        fail(exc)
        return redirect(url_for(".assignment_page", assignment_id=assignment_id))
    db.session.commit()
    flash(_("You declined case %(number)s.", number=assignment.case.number), "success")
    return redirect(url_for(".my_assignments"))
