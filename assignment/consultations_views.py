"""Pages of the front desk: the desk form (one caller after another, keyboard only), a person's
earlier consultations and cases by phone, the register (search, filters, paging, export), one
consultation, and the application registered from it (the intake form, prefilled).

Thin: each form calls the same service function as the API (assignment/consultations_api.py)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from assignment import consultations
from assignment import guidance as notices
from assignment import stations as station_service
from assignment.consultations import READERS, REGISTRARS
from assignment.consultations_forms import (
    CHANNEL_LABELS,
    OUTCOME_LABELS,
    STATION_KIND_LABELS,
    ConsultationForm,
    GuidanceChoiceForm,
    MaterialForm,
    RegisterSearchForm,
    RemoveForm,
    StationForm,
    cause_choices,
    cause_label,
)
from assignment.consultations_models import Station
from assignment.forms import CATEGORY_LABELS
from assignment.views import fail, label
from assignment.views_intake import CASE_FIELD_ALIASES, _case_data, _case_form
from legalaid import clock, listing
from legalaid.auth import roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError
from legalaid.i18n import current_locale
from legalaid.limits import int_arg

bp = Blueprint("consultation_pages", __name__)

PER_PAGE = 50
# What the desk remembers between callers (this browser's session).
REMEMBERED = ("desk_channel", "desk_station")
FORM_FIELD_ALIASES = {
    "person.phone": "phone",
    "person.name": "name",
    "person.categories": "categories",
    "station_id": "station",
}


def _zh() -> bool:
    return current_locale() == "zh_Hans"


def _station_choices(blank) -> list[SelectChoice]:
    return [SelectChoice("", str(blank))] + [
        SelectChoice(str(s.id), s.name) for s in station_service.active_stations(db.session)
    ]


def page_helpers() -> dict:
    zh = _zh()
    return {
        "channel_label": lambda code: str(CHANNEL_LABELS.get(code, code)),
        "outcome_label": lambda code: str(OUTCOME_LABELS.get(code, code)),
        "category_label": lambda code: str(CATEGORY_LABELS.get(code, code)),
        "consultation_cause": lambda code: cause_label(code, zh),
        "label": label,
    }


def _desk_form(*, empty: bool = False) -> ConsultationForm:
    form = ConsultationForm(formdata=None) if empty else ConsultationForm()
    form.station.choices = _station_choices(_l("the centre"))
    form.cause.choices = cause_choices(_zh())
    return form


def _earlier(phone: str | None) -> dict:
    return consultations.earlier_by_phone(db.session, phone)


@bp.route("/desk", methods=["GET", "POST"])
@roles_required(*REGISTRARS)
def desk():
    """The desk form. Saved, it comes back empty for the next caller with the channel and station
    of the last one. "Show earlier" (or ``?phone=``) shows that person's history, keeping what was typed."""
    if request.method == "POST":
        form = _desk_form()
        if request.form.get("lookup"):  # "show earlier": the form stays as typed, nothing is saved
            return _desk_page(form, form.phone.data)
        if form.validate_on_submit():
            try:
                consultation = consultations.register_consultation(db.session, _data(form), current_user)
            except DomainError as exc:
                fail(exc, form, FORM_FIELD_ALIASES)
            else:
                db.session.commit()
                session["desk_channel"], session["desk_station"] = form.channel.data, form.station.data or ""
                flash(_("Consultation saved (no. %(id)s). Next caller.", id=consultation.id), "success")
                return redirect(url_for(".desk"))
        status = 422 if form.errors else 200
        return _desk_page(form, form.phone.data, status)
    form = _desk_form(empty=True)
    form.channel.data = session.get("desk_channel") or "hotline"
    form.station.data = session.get("desk_station") or ""
    form.outcome.data = "answered"
    form.phone.data = request.args.get("phone", "")[:30] or None
    return _desk_page(form, form.phone.data)


def _data(form: ConsultationForm) -> dict:
    return {
        "channel": form.channel.data,
        "occurred_at": clock.now(),
        "station_id": int(form.station.data) if form.station.data else None,
        "person": {
            "name": form.name.data or None,
            "phone": form.phone.data or None,
            "categories": form.categories.data or [],
        },
        "cause": form.cause.data or None,
        "question": form.question.data,
        "answer": form.answer.data,
        "duration_s": form.minutes.data * 60 if form.minutes.data is not None else None,
        "outcome": form.outcome.data,
        "referred_to": form.referred_to.data or None,
    }


def _desk_page(form: ConsultationForm, phone: str | None, status: int = 200):
    today = clock.today()
    mine_today = db.session.scalars(
        consultations.consultation_list_statement(from_=today, to=today).limit(10)
    ).all()
    return render_template(
        "assignment/consultations/desk.html",
        form=form,
        earlier=_earlier(phone),
        phone=consultations.normalise_phone(phone),
        recent=mine_today,
        **page_helpers(),
    ), status


@bp.get("/desk/earlier")
@roles_required(*REGISTRARS)
def earlier():
    """The person's earlier consultations and cases, as a fragment the desk page's script puts in
    place while the phone number is typed (without the script, the desk page shows the same)."""
    phone = request.args.get("phone", "")[:30]
    return render_template(
        "assignment/consultations/_earlier.html",
        earlier=_earlier(phone),
        phone=consultations.normalise_phone(phone),
        **page_helpers(),
    )


# --- the register ---


def _filters(form: RegisterSearchForm) -> dict:
    station = form.station.data
    return {
        "q": (form.q.data or "").strip() or None,
        "phone": (form.phone.data or "").strip() or None,
        "channel": form.channel.data or None,
        "outcome": form.outcome.data or None,
        "station_id": int(station) if station and station.isdigit() else None,
        "cause": form.cause.data or None,
        "from_": form.from_.data,
        "to": form.to.data,
    }


@bp.get("/consultations")
@roles_required(*READERS)
def register():
    form = RegisterSearchForm(request.args)
    form.station.choices = _station_choices("—")
    form.cause.choices = cause_choices(_zh())
    if not form.validate():
        return render_template(
            "assignment/consultations/register.html", form=form, rows=[], total=0, page=1, pages=1,
            query={}, export={}, **page_helpers(),
        ), 422  # fmt: skip
    filters = _filters(form)
    stmt = consultations.consultation_list_statement(**filters)
    asked = int_arg(request.args, "page", 1, minimum=1)
    cap = listing.count_cap(filters["q"], asked * PER_PAGE)
    total, capped = listing.capped_count(db.session, stmt, cap)
    pages = max(1, -(-total // PER_PAGE)) + (1 if capped else 0)  # "more": one page further
    page = min(asked, pages)
    rows = db.session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    query = {k: v for k, v in request.args.items() if k != "page" and v}
    export = {("from" if k == "from_" else k): v for k, v in query.items() if k != "csrf_token"}
    stations = {s.id: s.name for s in db.session.scalars(sa.select(Station))}
    # More than the list counts (10,000, no text search): written in a request it took 12 s for
    # 500,000 rows, so the page offers it prepared in the background only (legalaid.export_jobs).
    direct_export = not (capped and not filters["q"])
    return render_template(
        "assignment/consultations/register.html",
        direct_export=direct_export,
        form=form,
        rows=rows,
        total=total,
        capped=capped,
        page=page,
        pages=pages,
        query=query,
        export=export,
        stations=stations,
        **page_helpers(),
    )


@bp.get("/consultations/<int:consultation_id>")
@roles_required(*READERS)
def consultation_page(consultation_id: int):
    consultation = consultations.get_consultation(db.session, consultation_id)
    station = db.session.get(Station, consultation.station_id) if consultation.station_id else None
    case = None
    if consultation.case_id:
        from assignment.models import Case

        case = db.session.get(Case, consultation.case_id)
    return render_template(
        "assignment/consultations/consultation.html",
        c=consultation,
        station=station,
        case=case,
        station_kind_label=lambda code: str(STATION_KIND_LABELS.get(code, code)),
        **page_helpers(),
    )


@bp.route("/consultations/<int:consultation_id>/application", methods=["GET", "POST"])
@roles_required(*REGISTRARS)
def application(consultation_id: int):
    """The intake form, prefilled from the consultation; registering links the two both ways."""
    consultation = consultations.get_consultation(db.session, consultation_id)
    if consultation.case_id is not None:
        flash(_("An application was already registered from this consultation."), "error")
        return redirect(url_for(".consultation_page", consultation_id=consultation.id))
    form = _case_form()
    if request.method == "GET":
        prefill = consultations.application_prefill(consultation)
        form.case_type.data = prefill["case_type"]
        form.cause.data = prefill["cause"] or ""
        form.received_on.data = prefill["received_on"]
        form.source.data = "application"
        form.intake_point.data = prefill["intake_point"]
        form.applicant_name.data = prefill["applicant"]["name"]
        form.applicant_phone.data = prefill["applicant"]["phone"]
        form.categories.data = prefill["applicant"]["categories"]
    elif form.validate_on_submit():
        try:
            case = consultations.register_application(
                db.session, consultation.id, _case_data(form), current_user
            )
        except DomainError as exc:
            aliases = {
                **CASE_FIELD_ALIASES,
                "cause": "charge" if form.case_type.data == "criminal" else "cause",
            }
            fail(exc, form, aliases)
        else:
            db.session.commit()
            flash(_("Case %(number)s registered.", number=case.number), "success")
            if current_user.has_role("coordinator"):
                return redirect(url_for("assignment_pages.case_page", case_id=case.id))
            return redirect(url_for(".consultation_page", consultation_id=consultation_id))
    status = 422 if form.errors else 200
    return render_template(
        "assignment/consultations/application.html", form=form, c=consultation, **page_helpers()
    ), status


# --- "application guided": the notice of every material to bring, and the admin's table ---


def _notice(cause: str | None, categories, name: str | None, consultation=None):
    return render_template(
        "assignment/consultations/guidance.html",
        items=notices.materials_for(db.session, cause, categories),
        cause=cause,
        categories=categories,
        name=name,
        consultation=consultation,
        today=clock.today(),
        **page_helpers(),
    )


@bp.get("/guidance")
@roles_required(*READERS)
def guidance():
    """Choose a cause and the applicant's categories; the notice follows, ready to print."""
    form = GuidanceChoiceForm(request.args)
    form.cause.choices = cause_choices(_zh())
    if not form.validate():
        return render_template(
            "assignment/consultations/guidance_choice.html", form=form, **page_helpers()
        ), 422
    if not request.args:
        return render_template("assignment/consultations/guidance_choice.html", form=form, **page_helpers())
    return _notice(form.cause.data or None, form.categories.data or [], form.name.data or None)


@bp.get("/consultations/<int:consultation_id>/guidance")
@roles_required(*READERS)
def consultation_guidance(consultation_id: int):
    c = consultations.get_consultation(db.session, consultation_id)
    return _notice(c.cause, c.person_categories or [], c.person_name, consultation=c)


def _material_form() -> MaterialForm:
    form = MaterialForm()
    form.cause.choices = cause_choices(_zh(), blank=str(_l("every cause")))
    form.category.choices = [SelectChoice("", _l("every applicant"))] + [
        SelectChoice(code, text) for code, text in CATEGORY_LABELS.items()
    ]
    return form


@bp.route("/admin/guidance", methods=["GET", "POST"])
@roles_required("admin")
def guidance_table():
    form = _material_form()
    if form.validate_on_submit():
        try:
            notices.add_material(
                db.session,
                {"cause": form.cause.data, "category": form.category.data, "item": form.item.data},
                current_user,
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            db.session.commit()
            flash(_("Material added."), "success")
            return redirect(url_for(".guidance_table"))
    return render_template(
        "assignment/consultations/guidance_table.html",
        form=form,
        rows=notices.guidance_table(db.session),
        remove_form=RemoveForm(),
        **page_helpers(),
    ), 422 if form.errors else 200


@bp.post("/admin/guidance/<int:material_id>/remove")
@roles_required("admin")
@asks_first(
    _l("Remove this material from the notice?"),
    yes=_l("Yes, remove it"),
    detail=lambda material_id: _material_text(material_id),
)
def remove_material(material_id: int):
    RemoveForm().validate_on_submit()
    try:
        notices.remove_material(db.session, material_id, current_user)
    except DomainError as exc:
        fail(exc)
    else:
        db.session.commit()
        flash(_("Material removed."), "success")
    return redirect(url_for(".guidance_table"))


def _material_text(material_id: int) -> str | None:
    from assignment.consultations_models import GuidanceMaterial

    material = db.session.get(GuidanceMaterial, material_id)
    return material.item if material else None


@bp.route("/admin/stations", methods=["GET", "POST"])
@roles_required("admin")
def stations():
    """The stations outside the centre (kind, area, address, hours)."""
    form = StationForm()
    if form.validate_on_submit():
        try:
            station_service.create_station(
                db.session,
                {k: getattr(form, k).data for k in ("name", "kind", "area", "address", "hours")},
                current_user,
            )
        except DomainError as exc:
            fail(exc, form)
        else:
            db.session.commit()
            flash(_("Station added."), "success")
            return redirect(url_for(".stations"))
    from assignment.station_views import station_list_context  # filters, pages, forwarding figures

    return render_template(
        "assignment/consultations/stations.html",
        form=form,
        **station_list_context(db.session),
        station_kind_label=lambda code: str(STATION_KIND_LABELS.get(code, code)),
    ), 422 if form.errors else 200


def desk_home_panel(user) -> Markup:
    """The desk's home: straight to the form, with today's count."""
    today = clock.today()
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            consultations.consultation_list_statement(from_=today, to=today).order_by(None).subquery()
        )
    )
    return Markup(render_template("assignment/consultations/_home_panel.html", count=count))


def register_pages(app) -> None:
    from legalaid.hooks import add_home_panel, add_nav

    app.register_blueprint(bp)
    # The case page shows the consultation a case was registered from (the link's other way).
    app.jinja_env.globals["consultation_of_case"] = lambda case_id: consultations.consultation_of_case(
        db.session, case_id
    )
    add_nav(app, "consultation_pages.desk", lambda: str(_l("Front desk")), ("desk",), order=5)
    add_nav(app, "consultation_pages.register", lambda: str(_l("Consultations")), READERS, order=15)
    add_nav(
        app, "consultation_pages.guidance_table", lambda: str(_l("Materials to bring")), ("admin",), order=805
    )
    add_nav(app, "consultation_pages.stations", lambda: str(_l("Stations")), ("admin",), order=806)
    add_home_panel(app, ("desk",), desk_home_panel, order=5)
