"""JSON API of stations beyond the front desk's create and list (API.md "Stations and duty rota"):
correcting or deactivating a station, the stations' forwarding figures, and the centre's receipt of an
application a station took (issue 14). Thin: each route calls a service function."""

from __future__ import annotations

import marshmallow as ma
from flask import jsonify
from flask_login import current_user
from marshmallow import fields, validate

from assignment import intake, station_cases, stations
from assignment.answer_schemas import CASE
from assignment.consultations_models import STATION_KINDS
from assignment.consultations_schemas import STATION, dump_station
from assignment.schemas import CentreReceiptSchema, dump_case
from legalaid.api import api_blueprint, use_body
from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.limits import Bool, Date
from legalaid.openapi import BOOLEAN, ID, INTEGER, STRING, array, obj, responds, use_query

bp = api_blueprint("station_api", __name__)
Str = fields.String

STATION_FIGURES = obj(
    {
        "items": array(
            obj(
                {
                    "station_id": ID,
                    "name": STRING,
                    "taken": INTEGER,
                    "forwarded": INTEGER,
                    "forwarded_late": INTEGER,
                    "awaiting": INTEGER,
                    "overdue": INTEGER,
                },
                {"kind": STRING, "active": BOOLEAN},
            )
        )
    }
)


class StationUpdateSchema(ma.Schema):
    name = Str(validate=validate.Length(min=1, max=200))
    kind = Str(validate=validate.OneOf(STATION_KINDS))
    area = Str(allow_none=True, validate=validate.Length(max=100))
    address = Str(allow_none=True, validate=validate.Length(max=200))
    hours = Str(allow_none=True, validate=validate.Length(max=200))
    active = Bool()


class StationListArgs(ma.Schema):
    kind = Str(validate=validate.OneOf(STATION_KINDS))
    active = fields.Boolean()


class StationFiguresArgs(ma.Schema):
    from_ = Date(data_key="from", load_default=None, window="planning")
    to = Date(load_default=None, window="planning")


@bp.patch("/stations/<int:station_id>")
@roles_required("admin")
@use_body(StationUpdateSchema)
@responds(200, STATION)
def update_station(station_id, body):
    """Correct a station or (de)activate it (``"active": false``); stations are never deleted."""
    station = stations.update_station(db.session, station_id, body, current_user)
    db.session.commit()
    return jsonify(dump_station(station))


@bp.get("/stations/<int:station_id>")
@roles_required("admin", "coordinator", "supervisor", "desk")
@responds(200, STATION)
def get_station(station_id):
    """One station."""
    return jsonify(dump_station(stations.get_station(db.session, station_id)))


@bp.get("/stations/figures")
@roles_required("admin", "coordinator", "supervisor")
@use_query(StationFiguresArgs)
@responds(200, STATION_FIGURES)
def station_figures(args):
    """Per station: applications taken (by the station's receipt, ``from``/``to``), forwarded, forwarded
    late, still at the station, and overdue there."""
    items = station_cases.station_statistics(db.session, args.get("from_"), args.get("to"))
    return jsonify({"items": items})


@bp.post("/cases/<int:case_id>/centre-receipt")
@roles_required("coordinator")
@use_body(CentreReceiptSchema)
@responds(200, CASE)
def centre_receipt(case_id, body):
    """The centre received the application its station took (``received_at``, default now): the
    forwarding ends, on time or late, and the 7-day decision starts."""
    case = intake.get_case(db.session, case_id, current_user, for_update=True)
    station_cases.record_centre_receipt(db.session, case, current_user, body.get("received_at"))
    db.session.commit()
    return jsonify(dump_case(case))
