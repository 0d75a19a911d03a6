"""JSON API of the front desk (API.md "Front desk"; stations of "Stations and duty rota").

Thin: validate, call one service function, commit, dump."""

from __future__ import annotations

from flask import Response, jsonify, send_file, stream_with_context
from flask_login import current_user

from assignment import consultations, stations
from assignment.answer_schemas import CASE
from assignment.consultations import READERS, REGISTRARS
from assignment.consultations_schemas import (
    CONSULTATION,
    STATION,
    ApplicationFromConsultationSchema,
    ConsultationExportArgs,
    ConsultationListArgs,
    ConsultationSchema,
    StationSchema,
    dump_consultation,
    dump_station,
)
from assignment.schemas import dump_case
from assignment.station_api import StationListArgs
from legalaid import listing
from legalaid.api import PageArgs, api_blueprint, paginate, query_args, use_body
from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.openapi import BOOLEAN, CSV, INTEGER, XLSX, Page, array, obj, page_of, responds, use_query

bp = api_blueprint("consultations_api", __name__)

STATION_READERS = ("admin", "coordinator", "supervisor", "desk")


@bp.post("/consultations")
@roles_required(*REGISTRARS)
@use_body(ConsultationSchema)
@responds(201, CONSULTATION, creates="consultation_id")
def register_consultation(body):
    """Record a consultation answered at the front desk (hotline, visit, letter, online, workstation)."""
    consultation = consultations.register_consultation(db.session, body, current_user)
    db.session.commit()
    return jsonify(dump_consultation(consultation, full_phone=True)), 201


@bp.get("/consultations")
@roles_required(*READERS)
@use_query(ConsultationListArgs)
@responds(200, Page(obj({"items": array(CONSULTATION), "total": INTEGER, "total_capped": BOOLEAN})))
def list_consultations(args):
    """The register, newest first: search by phone or text, filter by period, channel, outcome,
    station and cause; phones masked to the last 4 digits. ``total`` counts up to 10,000 (with ``q``:
    up to the end of the asked page); past that ``total_capped`` is true: there are more."""
    stmt = consultations.consultation_list_statement(**args)
    page = query_args(PageArgs)
    rows = db.session.scalars(stmt.limit(page["per_page"]).offset((page["page"] - 1) * page["per_page"]))
    items = [dump_consultation(row) for row in rows]
    cap = listing.count_cap(args.get("q"), page["page"] * page["per_page"])
    total, capped = listing.capped_count(db.session, stmt, cap)
    return jsonify({"items": items, "total": total, "total_capped": capped})


@bp.get("/consultations/export")
@roles_required(*READERS)
@use_query(ConsultationExportArgs)
@responds(200, None, media=(CSV, XLSX))
def export_consultations(args):
    """The register as filtered, as CSV or XLSX (phones masked); the export is audited."""
    fmt = args.pop("format")
    payload = consultations.export_register(db.session, current_user, fmt, args)
    db.session.commit()
    name = "consultations"
    if fmt == "xlsx":
        return send_file(payload, mimetype=XLSX, as_attachment=True, download_name=f"{name}.xlsx")
    return Response(
        stream_with_context(payload),
        mimetype=CSV,
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@bp.get("/consultations/<int:consultation_id>")
@roles_required(*READERS)
@responds(200, CONSULTATION)
def read_consultation(consultation_id):
    """One consultation, its phone in full (the desk calls back)."""
    consultation = consultations.get_consultation(db.session, consultation_id)
    return jsonify(dump_consultation(consultation, full_phone=True))


@bp.post("/consultations/<int:consultation_id>/application")
@roles_required(*REGISTRARS)
@use_body(ApplicationFromConsultationSchema)
@responds(201, CASE)
def register_application(consultation_id, body):
    """Register an application from a consultation: the body of ``POST /cases``, prefilled from the
    consultation (name, phone, categories, cause, station); the two are linked both ways."""
    case = consultations.register_application(db.session, consultation_id, body, current_user)
    db.session.commit()
    return jsonify(dump_case(case)), 201


# --- stations ---


@bp.post("/stations")
@roles_required("admin")
@use_body(StationSchema)
@responds(201, STATION)
def create_station(body):
    """Add a station (township workstation, acceptance point, court, detention centre …)."""
    station = stations.create_station(db.session, body, current_user)
    db.session.commit()
    return jsonify(dump_station(station)), 201


@bp.get("/stations")
@roles_required(*STATION_READERS)
@use_query(StationListArgs)
@responds(200, page_of(STATION))
def list_stations(args):
    """The stations, by name (``kind``, ``active`` filter them)."""
    stmt = stations.station_list_statement(kind=args.get("kind"), active=args.get("active"))
    return jsonify(paginate(db.session, stmt, dump_station))
