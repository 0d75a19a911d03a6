"""Pages of intake and assignment: the coordinator's queue, application form and case page (decide,
materials, withdraw, assign, reassign). The provider's own assignments: ``views_my_assignments``.

Thin: each form calls the same service function as the API (assignment/api.py)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from assignment import intake, queries, rotation
from assignment.forms import (
    CaseForm,
    DecisionForm,
    DesignateForm,
    MaterialsRequestForm,
    QueueSearchForm,
    ReasonForm,
    WindowForm,
    WithdrawForm,
    cause_choices,
)
from assignment.models import Case
from assignment.station_forms import station_choices, station_data
from assignment.views import (
    STAFF,
    asks_first_when,
    case_detail,
    explanation_provider_ids,
    fail,
    filled,
    page_helpers,
)
from legalaid import audit, clock
from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.errors import DomainError, Invalid
from legalaid.i18n import current_locale

bp = Blueprint("assignment_pages", __name__)

CASE_FIELD_ALIASES = {
    "applicant.name": "applicant_name",
    "applicant.id_number": "applicant_id_number",
    "applicant.phone": "applicant_phone",
    "applicant.categories": "categories",
    "previous_case_id": "previous_case",
    "opposing_case_id": "opposing_case",
    "station_id": "station_id",
    "station_received_at": "station_received_at",
    "centre_received_at": "centre_received_at",
}


# --- the coordinator's queue and application form ---


@bp.get("/cases")
@roles_required(*STAFF)
def queue():
    """Every section searched and filtered alike, and paged on its own (``?decision_page=2``) so no
    case in the queue is out of reach. A page number that is not a whole number is the first page."""
    form = QueueSearchForm(request.args)
    if not form.validate():
        return render_template("assignment/queue.html", form=form, sections={}, query={}), 422
    filters = {"case_type": form.case_type.data or None, "q": (form.q.data or "").strip() or None}
    per_page = current_app.config.get("QUEUE_PAGE_SIZE", queries.QUEUE_LIMIT)
    sections = {
        key: queries.queue_page(
            db.session, statuses, request.args.get(f"{key}_page", 1, type=int), per_page, **filters
        )
        for key, statuses in queries.QUEUE_SECTIONS.items()
    }
    # What a section's page links keep: the filters and the other sections' pages.
    query = {k: v for k, v in filters.items() if v}
    query |= {f"{key}_page": s.page for key, s in sections.items() if s.page > 1}
    return render_template(
        "assignment/queue.html",
        form=form,
        sections=sections,
        query=query,
        today=clock.today(),
        **page_helpers(),
    )


def _case_form(**kwargs) -> CaseForm:
    form = CaseForm(**kwargs)
    form.cause.choices = cause_choices(current_locale() == "zh_Hans")
    form.station_id.choices = station_choices(db.session)
    return form


def _case_data(form: CaseForm) -> dict:
    criminal = form.case_type.data == "criminal"
    return {
        "case_type": form.case_type.data,
        "cause": (form.charge.data if criminal else form.cause.data) or "",
        "received_on": form.received_on.data,
        "source": form.source.data,
        "intake_point": form.intake_point.data or None,
        **station_data(form),
        "applicant": {
            "name": form.applicant_name.data,
            "id_number": form.applicant_id_number.data,
            "phone": form.applicant_phone.data or None,
            "sex": form.applicant_sex.data or None,
            "categories": form.categories.data or [],
        },
        "contact": {"name": form.contact_name.data or None, "phone": form.contact_phone.data or None},
        "opposing_party": form.opposing_party.data or None,
        "group_size": form.group_size.data,
        "major": form.major.data,
        "max_sentence": form.max_sentence.data or None,
        "juvenile": form.juvenile.data,
        "stage": form.stage.data or None,
    }


def _linked_case_ids(form: CaseForm) -> dict | None:
    """Case numbers typed on the form as ids; None (with the field errors set) when unknown."""
    out, ok = {}, True
    for field, key in ((form.previous_case, "previous_case_id"), (form.opposing_case, "opposing_case_id")):
        number = (field.data or "").strip()
        out[key] = queries.case_id_by_number(db.session, number) if number else None
        if number and out[key] is None:
            field.errors = [*field.errors, _("No case has this number.")]
            ok = False
    return out if ok else None


@bp.route("/cases/new", methods=["GET", "POST"])
@roles_required("coordinator")
def register():
    form = _case_form()
    if request.method == "GET":
        form.received_on.data = clock.today()
    if form.validate_on_submit():
        linked = _linked_case_ids(form)
        if linked is not None:
            try:
                case = intake.register_case(db.session, {**_case_data(form), **linked}, current_user)
            except DomainError as exc:
                aliases = {
                    **CASE_FIELD_ALIASES,
                    "cause": "charge" if form.case_type.data == "criminal" else "cause",
                }
                fail(exc, form, aliases)
            else:
                db.session.commit()
                flash(_("Case %(number)s registered.", number=case.number), "success")
                return redirect(url_for(".case_page", case_id=case.id))
    status = 422 if form.errors else 200
    return render_template("assignment/case_form.html", form=form, today=clock.today()), status


# --- the case page and its actions ---


DESIGNATE_MATCHES = 50


def _designate_form(case: Case, form: DesignateForm | None = None) -> DesignateForm | None:
    """The designation form offers the members of the pool serving the case (None: no pool)."""
    if case.status != "accepted":
        return None
    try:
        pool = rotation.pool_for_case(db.session, case)
    except DomainError:
        return None
    form = form or DesignateForm(prefix="designate")
    form.provider_id.choices = [
        (m.provider_id, m.provider.name) for m in queries.pool_members(db.session, pool.id)
    ]
    return form


def _designate_picker(case: Case, text: str) -> dict:
    """The pool's members a coordinator picks from, as they decide: organisation, kind, open cases
    and years of practice; those matching the search (name or organisation), at most 50 shown."""
    pool = rotation.pool_for_case(db.session, case)
    today = clock.today()
    words = text.strip().lower()
    rows = []
    for member in queries.pool_members(db.session, pool.id):
        p = member.provider
        if words and words not in p.name.lower() and words not in p.organization.name.lower():
            continue
        rows.append(
            {
                "id": p.id,
                "name": p.name,
                "organization": p.organization.name,
                "kind": p.kind,
                "open_cases": p.open_cases,
                "max_open_cases": p.max_open_cases,
                "years": max(0, (today - p.practice_since).days * 4 // 1461),
                "active": p.active,
            }
        )
    rows.sort(key=lambda r: (r["name"], r["id"]))
    return {"rows": rows[:DESIGNATE_MATCHES], "total": len(rows), "q": text}


def _case_page(case: Case, status: int = 200, *, full_id: bool = False, **forms):
    assignments = queries.case_assignments(db.session, case.id)
    history = queries.case_history(db.session, case.id, [a.id for a in assignments])
    provider_ids = explanation_provider_ids(assignments)
    provider_ids |= {e.after.get("provider_id") for e in history if e.after and e.after.get("provider_id")}
    context = {
        "decision_form": DecisionForm(prefix="decision", formdata=None),
        "materials_form": MaterialsRequestForm(prefix="materials", formdata=None),
        "withdraw_form": WithdrawForm(prefix="withdraw", formdata=None),
        "reassign_form": ReasonForm(prefix="reassign", formdata=None),
        **forms,
    }
    context["designate_form"] = _designate_form(case, forms.get("designate_form"))
    picker = None
    if context["designate_form"] is not None:
        picker = _designate_picker(case, request.args.get("designate_q", "")[:100])
    return render_template(
        "assignment/case.html",
        case=case,
        full_id=full_id,
        assignments=assignments,
        current=next((a for a in assignments if a.live), None),
        history=history,
        names=queries.provider_names(db.session, provider_ids),
        users=queries.user_names(db.session, [e.actor_id for e in history]),
        numbers=queries.case_numbers(db.session, [case.previous_case_id, case.opposing_case_id]),
        picker=picker,
        action_form=FlaskForm(),
        today=clock.today(),
        **context,
        **page_helpers(),
    ), status


def _back(case_id: int):
    return redirect(url_for(".case_page", case_id=case_id))


def _act(case: Case, form: FlaskForm, form_name: str, action, done: str):
    """Run one transition from a case-page form: bad input → the page again (422) with the
    messages; a refused transition → flashed, back to the case; success → committed, flashed."""
    if not form.validate_on_submit():
        return _case_page(case, 422, **({form_name: form} if form_name else {}))
    try:
        action()
    except Invalid as exc:
        fail(exc, form)
        return _case_page(case, 422, **({form_name: form} if form_name else {}))
    except DomainError as exc:
        fail(exc)
        return _back(case.id)
    db.session.commit()
    flash(done, "success")
    return _back(case.id)


@bp.get("/cases/<int:case_id>")
@roles_required(*STAFF)
def case_page(case_id: int):
    return _case_page(intake.get_case(db.session, case_id, current_user))


@bp.post("/cases/<int:case_id>/reveal-id")
@roles_required("coordinator")
def reveal_id(case_id: int):
    """Showing the full ID number is an audited action (as the API's ``?reveal=id_number``)."""
    case = intake.get_case(db.session, case_id, current_user)
    if not FlaskForm().validate_on_submit():
        return _back(case_id)
    audit.record(db.session, current_user, "case.view_id_number", "case", case.id)
    db.session.commit()
    return _case_page(case, full_id=True)


def _rejecting(form) -> bool:
    return form.get("decision-decision") == "reject" and filled("decision-reason")(form)


@bp.post("/cases/<int:case_id>/decision")
@roles_required("coordinator")
@asks_first_when(_rejecting, _l("Reject this application?"), yes=_l("Yes, reject it"), detail=case_detail)
def decide(case_id: int):
    case = intake.get_case(db.session, case_id, current_user, for_update=True)
    form = DecisionForm(prefix="decision")

    def run():
        approved = form.decision.data == "approve"
        intake.decide_application(
            db.session,
            case,
            current_user,
            approved=approved,
            means_test=(form.means_test.data or None) if approved else None,
            means_test_proof=(form.means_test_proof.data or None) if approved else None,
            reason=None if approved else form.reason.data,
        )

    return _act(case, form, "decision_form", run, _("Decision recorded."))


@bp.post("/cases/<int:case_id>/materials-request")
@roles_required("coordinator")
def request_materials(case_id: int):
    case = intake.get_case(db.session, case_id, current_user, for_update=True)
    form = MaterialsRequestForm(prefix="materials")

    def run():
        intake.request_materials(db.session, case, form.items(), current_user, supply_by=form.supply_by.data)

    return _act(
        case, form, "materials_form", run, _("Missing materials requested; the decision clock pauses.")
    )


@bp.post("/cases/<int:case_id>/materials")
@roles_required("coordinator")
def supply_materials(case_id: int):
    case = intake.get_case(db.session, case_id, current_user, for_update=True)
    return _act(
        case,
        FlaskForm(),
        "",
        lambda: intake.supply_materials(db.session, case, current_user),
        _("Materials supplied; the decision clock resumes."),
    )


@bp.post("/cases/<int:case_id>/withdraw")
@roles_required("coordinator")
@asks_first_when(
    lambda form: True,
    _l("Withdraw this application?"),
    yes=_l("Yes, withdraw it"),
    detail=case_detail,
)
def withdraw(case_id: int):
    case = intake.get_case(db.session, case_id, current_user, for_update=True)
    form = WithdrawForm(prefix="withdraw")

    def run():
        intake.withdraw_case(db.session, case, current_user, reason=form.reason.data or None)

    return _act(case, form, "withdraw_form", run, _("The application is withdrawn."))


def _assigned_message(case: Case) -> str:
    current = case.current_assignment
    name = current.provider.name if current is not None else ""
    return _("Case %(number)s assigned to %(name)s.", number=case.number, name=name)


@bp.post("/cases/<int:case_id>/assign")
@roles_required("coordinator")
def assign(case_id: int):
    case = intake.get_case(db.session, case_id, current_user)
    form = FlaskForm()
    if not form.validate_on_submit():
        return _case_page(case, 422)
    try:
        assignment = rotation.assign_by_rotation(db.session, case, current_user)
    except DomainError as exc:
        fail(exc)
        return _back(case_id)
    db.session.commit()
    flash(_assigned_message(assignment.case), "success")
    return _back(case_id)


@bp.route("/cases/<int:case_id>/window", methods=["GET", "POST"])
@roles_required("coordinator")
def window(case_id: int):
    """Choose any of the next 5 eligible members, with a reason code; it counts as their turn."""
    case = intake.get_case(db.session, case_id, current_user)
    try:
        line = rotation.next_in_line(db.session, case)
    except DomainError as exc:
        fail(exc)
        return _back(case_id)
    db.session.commit()  # members found unavailable on the way are parked
    names = queries.provider_names(db.session, [row["provider_id"] for row in line])
    form = WindowForm()
    form.provider_id.choices = [(row["provider_id"], names.get(row["provider_id"], "")) for row in line]
    if form.validate_on_submit():
        try:
            rotation.assign_within_window(
                db.session, case, form.provider_id.data, form.reason_code.data, current_user
            )
        except Invalid as exc:
            fail(exc, form)
        except DomainError as exc:
            fail(exc)
            return _back(case_id)
        else:
            db.session.commit()
            flash(_assigned_message(case), "success")
            return _back(case_id)
    return render_template(
        "assignment/window.html", case=case, line=line, names=names, form=form, **page_helpers()
    ), (422 if form.errors else 200)


@bp.post("/cases/<int:case_id>/designate")
@roles_required("coordinator")
def designate(case_id: int):
    case = intake.get_case(db.session, case_id, current_user)
    form = _designate_form(case, DesignateForm(prefix="designate"))
    if form is None:
        flash(_("Only an accepted case served by a pool can be designated."), "error")
        return _back(case_id)

    def run():
        rotation.assign_designated(db.session, case, form.provider_id.data, form.reason.data, current_user)

    return _act(case, form, "designate_form", run, _("Designated assignment recorded as an override."))


@bp.post("/cases/<int:case_id>/reassign")
@roles_required("coordinator")
@asks_first_when(
    filled("reassign-reason"),
    _l("Take this case from its provider and give it to the next in line?"),
    yes=_l("Yes, reassign it"),
    detail=case_detail,
)
def reassign(case_id: int):
    case = intake.get_case(db.session, case_id, current_user)
    form = ReasonForm(prefix="reassign")

    def run():
        rotation.reassign_case(db.session, case, form.reason.data, current_user, asked_at=clock.asked_at())

    return _act(
        case, form, "reassign_form", run, _("The provider is replaced; the case went to the next in line.")
    )
