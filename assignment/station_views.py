"""Pages of stations beyond the front desk's list and add form (``consultations_views.stations``):
the list's filters, pages and forwarding figures, editing a station, (de)activating it (asked first),
and the coordinator's "received at the centre" on a case taken at a station (issue 14).

Thin: each form calls the same service function as the API."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from assignment import intake, station_cases, stations
from assignment.consultations_forms import STATION_KIND_LABELS
from assignment.consultations_models import Station
from assignment.station_forms import StationEditForm, StationFilterForm
from assignment.views import fail
from legalaid import clock
from legalaid.auth import roles_required
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError

bp = Blueprint("station_pages", __name__)

PER_PAGE = 50


def station_list_context(session) -> dict:
    """The stations list's rows (filtered by kind and active, one page) with each one's figures."""
    filters = StationFilterForm(request.args)
    if not filters.validate():
        filters.kind.data = filters.active.data = None
    active = {"yes": True, "no": False}.get(filters.active.data or "")
    stmt = stations.station_list_statement(kind=filters.kind.data or None, active=active)
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    rows = session.scalars(stmt.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    figures = {f["station_id"]: f for f in station_cases.station_statistics(session)}
    query = {k: v for k, v in (("kind", filters.kind.data), ("active", filters.active.data)) if v}
    return {
        "rows": rows,
        "filters": filters,
        "page": page,
        "pages": pages,
        "total": total,
        "figures": figures,
        "query": query,
    }


def _recent_months() -> list[str]:
    """Last month and this one, ``YYYY-MM``: the duty months a station's page links to for review."""
    first = clock.today().replace(day=1)
    return [(first - dt.timedelta(days=1)).strftime("%Y-%m"), first.strftime("%Y-%m")]


def _station_name(station_id: int) -> str | None:
    station = db.session.get(Station, station_id)
    return station.name if station else None


@bp.route("/admin/stations/<int:station_id>", methods=["GET", "POST"])
@roles_required("admin")
def station_page(station_id: int):
    station = stations.get_station(db.session, station_id)
    form = StationEditForm(obj=station)
    if form.validate_on_submit():
        fields = {k: getattr(form, k).data for k in ("name", "kind", "area", "address", "hours")}
        try:
            stations.update_station(db.session, station_id, fields, current_user)
        except DomainError as exc:
            fail(exc, form)
        else:
            db.session.commit()
            flash(_("Station %(name)s saved.", name=station.name), "success")
            return redirect(url_for("consultation_pages.stations"))
    return render_template(
        "assignment/station.html",
        station=station,
        form=form,
        action_form=FlaskForm(),
        figures=station_cases.station_statistics(db.session, station_id=station.id)[0],
        station_kind_label=lambda code: str(STATION_KIND_LABELS.get(code, code)),
        months=_recent_months(),
    ), 422 if form.errors else 200


@bp.post("/admin/stations/<int:station_id>/deactivate")
@roles_required("admin")
@asks_first(
    _l("Deactivate this station? It can no longer be chosen for new applications or consultations."),
    yes=_l("Deactivate"),
    detail=lambda station_id: _station_name(station_id),
)
def deactivate_station(station_id: int):
    if FlaskForm().validate_on_submit():
        station = stations.update_station(db.session, station_id, {"active": False}, current_user)
        db.session.commit()
        flash(_("Station %(name)s deactivated.", name=station.name), "success")
    return redirect(url_for(".station_page", station_id=station_id))


@bp.post("/admin/stations/<int:station_id>/activate")
@roles_required("admin")
def activate_station(station_id: int):
    if FlaskForm().validate_on_submit():
        station = stations.update_station(db.session, station_id, {"active": True}, current_user)
        db.session.commit()
        flash(_("Station %(name)s is active again.", name=station.name), "success")
    return redirect(url_for(".station_page", station_id=station_id))


@bp.post("/cases/<int:case_id>/centre-receipt")
@roles_required("coordinator")
def centre_receipt(case_id: int):
    """The centre received the application its station took: now."""
    if FlaskForm().validate_on_submit():
        case = intake.get_case(db.session, case_id, current_user, for_update=True)
        try:
            station_cases.record_centre_receipt(db.session, case, current_user)
        except DomainError as exc:
            fail(exc)
        else:
            db.session.commit()
            flash(_("Case %(number)s received at the centre.", number=case.number), "success")
    return redirect(url_for("assignment_pages.case_page", case_id=case_id))


def register_pages(app) -> None:
    app.register_blueprint(bp)
