"""Pages of complaints: the register (the nearest limit first), registering one, the complaint page
with the step its state allows (accept or refuse, ask for a statement, extend, decide, answer), and
the provider's own page of statements asked of them. Thin: each form calls ``services``."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from assignment import queries
from assignment.models import PROVIDER_KINDS, Case, Organization, Provider
from assignment.views import fail
from legalaid import clock, listing
from legalaid.auth import roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError
from supervision.complaints import lists, services
from supervision.complaints.forms import (
    AcceptanceForm,
    AnswerForm,
    ComplaintForm,
    DecisionForm,
    ExtensionForm,
    StatementForm,
    StatementRequestForm,
)
from supervision.complaints.labels import label
from supervision.complaints.services import HANDLERS, READERS

bp = Blueprint("complaint_pages", __name__)


def helpers() -> dict:
    return {"complaint_label": label, "today": clock.today(), "deadlines": services.complaint_deadlines}


def _names(complaints) -> dict:
    """Names of the respondents and numbers of the cases, in two queries."""
    provider_ids = {c.respondent_provider_id for c in complaints if c.respondent_provider_id}
    org_ids = {c.respondent_organization_id for c in complaints if c.respondent_organization_id}
    case_ids = {c.case_id for c in complaints if c.case_id}
    return {
        "providers": dict(
            db.session.execute(
                sa.select(Provider.id, Provider.name).where(Provider.id.in_(provider_ids))
            ).all()
        )
        if provider_ids
        else {},
        "organizations": dict(
            db.session.execute(
                sa.select(Organization.id, Organization.name).where(Organization.id.in_(org_ids))
            ).all()
        )
        if org_ids
        else {},
        "cases": dict(db.session.execute(sa.select(Case.id, Case.number).where(Case.id.in_(case_ids))).all())
        if case_ids
        else {},
    }


@bp.get("/complaints")
@roles_required(*READERS)
def register():
    """The register, paged, sorted and filtered as ``GET /api/v1/complaints``."""
    form, args = listing.load_filter(lists.ComplaintListForm, lists.SORTS, lists.SORT_LABELS)
    if args is None:
        page = listing.empty_page()
    else:
        stmt = services.complaint_list_statement(status=args["status"], overdue=args["overdue"])
        page = listing.read_page(db.session, lists.filter_complaints(stmt, args))
    return render_template(
        "supervision/complaints/list.html",
        form=form,
        rows=page.rows,
        page=page,
        total=page.total,
        names=_names(page.rows),
        identity=services.is_handler(current_user),
        **helpers(),
    ), (200 if args is not None else 422)


RESPONDENT_MATCHES = 50  # each of providers and organisations, as the pool page's member picker


def _organization_matches(text: str, include_id: int | None) -> tuple[list[tuple[int, str]], bool]:
    """Organisations whose name holds the text, by name, at most RESPONDENT_MATCHES (and whether more
    match), with the one just posted kept among them."""
    stmt = sa.select(Organization.id, Organization.name).order_by(Organization.name, Organization.id)
    if text.strip():
        stmt = stmt.where(Organization.name.icontains(text.strip(), autoescape=True))
    found = [tuple(row) for row in db.session.execute(stmt.limit(RESPONDENT_MATCHES + 1))]
    more = len(found) > RESPONDENT_MATCHES
    found = found[:RESPONDENT_MATCHES]
    if include_id is not None and all(oid != include_id for oid, _n in found):
        found += [tuple(row) for row in db.session.execute(stmt.where(Organization.id == include_id))]
    return found, more


def _complaint_form() -> ComplaintForm:
    """The form with its respondent picker: the providers (with their organisation) and organisations
    matching the search typed, bounded like the pool page's member picker; the one chosen stays."""
    form = ComplaintForm()
    text = (form.respondent_q.data or "")[:100]
    kind, _sep, rid = (form.respondent.data or "").partition(":")
    chosen = int(rid) if rid.isdigit() and int(rid) < 2**31 else None
    providers, more = queries.provider_matches(
        db.session,
        text,
        PROVIDER_KINDS,
        limit=RESPONDENT_MATCHES,
        include_id=chosen if kind == "provider" else None,
    )
    orgs, more_orgs = _organization_matches(text, chosen if kind == "organization" else None)
    groups = {
        _("Providers"): [
            SelectChoice(f"provider:{p.id}", f"{p.name} ({p.organization.name})") for p in providers
        ],
        _("Organisations"): [SelectChoice(f"organization:{oid}", name) for oid, name in orgs],
    }
    form.respondent.choices = {None: [SelectChoice("", "—")], **{k: v for k, v in groups.items() if v}}
    form.more_respondents = RESPONDENT_MATCHES if more or more_orgs else 0  # "only the first N"
    return form


@bp.route("/complaints/new", methods=["GET", "POST"])
@roles_required(*HANDLERS)
def new():
    form = _complaint_form()
    if request.method == "GET":
        form.received_on.data = clock.today()
    searched = "find_respondent" in request.form  # the picker's search: the form again, as filled in
    if not searched and form.validate_on_submit():
        kind = form.respondent_kind.data
        chosen = form.respondent.data or ""
        respondent: dict = {"kind": kind}
        if kind != "centre":
            prefix, _sep, rid = chosen.partition(":")
            respondent["id"] = int(rid) if prefix == kind and rid.isdigit() else None
        case_id = None
        number = (form.case_number.data or "").strip()
        if number:
            case_id = db.session.scalar(sa.select(Case.id).where(Case.number == number))
            if case_id is None:
                form.case_number.errors = [_("No case has this number.")]
        if not form.case_number.errors:
            try:
                complaint = services.register_complaint(
                    db.session,
                    {
                        "received_on": form.received_on.data,
                        "complainant": {
                            "name": form.complainant_name.data,
                            "relation": form.complainant_relation.data,
                            "phone": form.complainant_phone.data,
                        },
                        "respondent": respondent,
                        "case_id": case_id,
                        "matter": form.matter.data,
                        "request": form.request.data,
                        "facts": form.facts.data,
                    },
                    current_user,
                )
            except DomainError as exc:
                aliases = {"respondent.id": "respondent", "respondent.kind": "respondent_kind",
                           "complainant.name": "complainant_name", "case_id": "case_number"}  # fmt: skip
                fail(exc, form, aliases)
            else:
                db.session.commit()
                flash(_("Complaint registered."), "success")
                return redirect(url_for(".complaint_page", complaint_id=complaint.id))
    return render_template("supervision/complaints/form.html", form=form), 422 if form.errors else 200


def _page(complaint, status: int = 200, **forms):
    handler = services.is_handler(current_user)
    defaults = {}
    if handler:
        defaults = {
            "acceptance_form": AcceptanceForm(),
            "statement_request_form": StatementRequestForm(),
            "extension_form": ExtensionForm(),
            "decision_form": DecisionForm(),
            "answer_form": AnswerForm(),
        }
        defaults["answer_form"].answered_on.data = defaults["answer_form"].answered_on.data or clock.today()
    defaults.update(forms)
    return render_template(
        "supervision/complaints/complaint.html",
        c=complaint,
        identity=handler,
        handler=handler,
        names=_names([complaint]),
        **defaults,
        **helpers(),
    ), status


@bp.get("/complaints/<int:complaint_id>")
@roles_required(*READERS)
def complaint_page(complaint_id: int):
    return _page(services.get_complaint(db.session, complaint_id, current_user))


def _act(complaint_id: int, form, form_name: str, run, done: str):
    if form.validate_on_submit():
        try:
            run(form)
        except DomainError as exc:
            fail(exc, form)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for(".complaint_page", complaint_id=complaint_id))
    complaint = services.get_complaint(db.session, complaint_id, current_user)
    return _page(complaint, 422, **{form_name: form})


@bp.post("/complaints/<int:complaint_id>/acceptance")
@roles_required(*HANDLERS)
def acceptance(complaint_id: int):
    return _act(
        complaint_id,
        AcceptanceForm(),
        "acceptance_form",
        lambda f: services.decide_acceptance(
            db.session, complaint_id, current_user, accepted=f.decision.data == "accept", reason=f.reason.data
        ),
        _("Acceptance recorded."),
    )


@bp.post("/complaints/<int:complaint_id>/statement-request")
@roles_required(*HANDLERS)
def statement_request(complaint_id: int):
    return _act(
        complaint_id,
        StatementRequestForm(),
        "statement_request_form",
        lambda f: services.request_statement(db.session, complaint_id, current_user, due_on=f.due_on.data),
        _("The provider was asked for a statement."),
    )


@bp.post("/complaints/<int:complaint_id>/extension")
@roles_required(*HANDLERS)
def extension(complaint_id: int):
    return _act(
        complaint_id,
        ExtensionForm(),
        "extension_form",
        lambda f: services.extend_decision(
            db.session, complaint_id, current_user, reason=f.reason.data, new_decide_by=f.new_decide_by.data
        ),
        _("The decision date was extended."),
    )


@bp.post("/complaints/<int:complaint_id>/decision")
@roles_required(*HANDLERS)
@asks_first(
    _l("Record this decision? An upheld complaint holds or zeroes the subsidy, or pauses the provider."),
    yes=_l("Yes, record the decision"),
    detail=lambda complaint_id: _("Complaint no. %(id)s", id=complaint_id),
)
def decision(complaint_id: int):
    return _act(
        complaint_id,
        DecisionForm(),
        "decision_form",
        lambda f: services.decide_complaint(
            db.session,
            complaint_id,
            current_user,
            outcome=f.outcome.data,
            findings=f.findings.data,
            pause_days=f.pause_days.data,
        ),
        _("Decision recorded."),
    )


@bp.post("/complaints/<int:complaint_id>/answer")
@roles_required(*HANDLERS)
def answer(complaint_id: int):
    return _act(
        complaint_id,
        AnswerForm(),
        "answer_form",
        lambda f: services.answer_complaint(
            db.session, complaint_id, current_user, answered_on=f.answered_on.data, method=f.method.data
        ),
        _("Answer recorded."),
    )


# --- the provider's own page ---


@bp.get("/me/complaints")
@roles_required("provider")
def mine():
    rows = (
        services.statements_awaited(db.session, current_user.provider_id) if current_user.provider_id else []
    )
    return render_template("supervision/complaints/mine.html", rows=rows, form=StatementForm(), **helpers())


@bp.post("/me/complaints/<int:complaint_id>/statement")
@roles_required("provider")
def my_statement(complaint_id: int):
    form = StatementForm()
    if form.validate_on_submit():
        try:
            services.submit_statement(db.session, complaint_id, current_user, text=form.text.data)
        except DomainError as exc:
            fail(exc, form)
        else:
            db.session.commit()
            flash(_("Statement sent."), "success")
            return redirect(url_for(".mine"))
    rows = (
        services.statements_awaited(db.session, current_user.provider_id) if current_user.provider_id else []
    )
    return render_template(
        "supervision/complaints/mine.html", rows=rows, form=form, failed_id=complaint_id, **helpers()
    ), 422


def register_pages(app) -> None:
    from legalaid.hooks import add_nav

    app.register_blueprint(bp)
    # The deadlines page (supervision/scheduling) includes the complaint limits through this global.
    from supervision.complaints.digest import due_rows

    app.jinja_env.globals["complaint_deadlines_due"] = lambda: due_rows(db.session, clock.today())
    add_nav(app, "complaint_pages.register", lambda: str(_l("Complaints")), READERS, order=70)
    add_nav(app, "complaint_pages.mine", lambda: str(_l("Complaints about me")), ("provider",), order=40)
