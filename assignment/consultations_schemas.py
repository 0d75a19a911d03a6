"""The front desk's API shapes: marshmallow schemas of the input, dump functions of the output (phone
masked in lists) and the answer schemas of the OpenAPI document (API.md "Front desk")."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from assignment.consultations import CONSULTATION_CAUSES, MAX_DURATION_S
from assignment.consultations_models import CHANNELS, OUTCOMES, STATION_KINDS, Consultation, Station
from assignment.models import APPLICANT_CATEGORIES, CASE_TYPES
from assignment.panel import mask
from assignment.schemas import ApplicantSchema, CaseCreateSchema
from legalaid.limits import Date, DateTime, Int, List
from legalaid.openapi import (
    BOOLEAN,
    DATE,
    DATETIME,
    ID,
    INTEGER,
    STRING,
    array,
    named,
    nullable,
    obj,
    one_of,
)

Str = fields.String


# --- input ---


class PersonSchema(ma.Schema):
    name = Str(allow_none=True, load_default=None, validate=validate.Length(max=120))
    phone = Str(allow_none=True, load_default=None, validate=validate.Length(max=30))
    categories = List(
        Str(validate=validate.OneOf(APPLICANT_CATEGORIES)),
        load_default=list,
        max_items=len(APPLICANT_CATEGORIES),
        unique=True,
    )


class ConsultationSchema(ma.Schema):
    channel = Str(required=True, validate=validate.OneOf(CHANNELS))
    occurred_at = DateTime(required=True, window="past")
    station_id = Int(strict=True, allow_none=True, load_default=None)
    person = fields.Nested(PersonSchema, load_default=dict)
    cause = Str(allow_none=True, load_default=None, validate=validate.OneOf(tuple(CONSULTATION_CAUSES)))
    question = Str(required=True, validate=validate.Length(min=1, max=4000))
    answer = Str(required=True, validate=validate.Length(min=1, max=4000))
    duration_s = Int(
        strict=True, allow_none=True, load_default=None, validate=validate.Range(0, MAX_DURATION_S)
    )
    outcome = Str(required=True, validate=validate.OneOf(OUTCOMES))
    referred_to = Str(allow_none=True, load_default=None, validate=validate.Length(max=200))


class ConsultationListArgs(ma.Schema):
    from_ = Date(data_key="from", load_default=None, window="planning")
    to = Date(load_default=None, window="planning")
    channel = Str(load_default=None, validate=validate.OneOf(CHANNELS))
    outcome = Str(load_default=None, validate=validate.OneOf(OUTCOMES))
    station_id = Int(load_default=None)
    cause = Str(load_default=None, validate=validate.OneOf(tuple(CONSULTATION_CAUSES)))
    phone = Str(load_default=None, validate=validate.Length(max=30))
    q = Str(load_default=None, validate=validate.Length(max=100))


class ConsultationExportArgs(ConsultationListArgs):
    format = Str(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))


class PrefilledApplicantSchema(ApplicantSchema):
    """The applicant as the consultation gave them; the ID number is what the desk adds."""

    name = Str(allow_none=True, load_default=None, validate=validate.Length(min=1, max=120))
    id_number = Str(required=True, validate=validate.Length(min=4, max=40))


class ApplicationFromConsultationSchema(CaseCreateSchema):
    """``POST /cases``' body, every field optional: the consultation fills in what is not given."""

    case_type = Str(load_default=None, validate=validate.OneOf(CASE_TYPES))
    cause = Str(load_default=None, validate=validate.Length(min=1, max=200))
    received_on = Date(load_default=None, window="past")
    applicant = fields.Nested(PrefilledApplicantSchema, required=True)


class StationSchema(ma.Schema):
    name = Str(required=True, validate=validate.Length(min=1, max=200))
    kind = Str(required=True, validate=validate.OneOf(STATION_KINDS))
    area = Str(allow_none=True, load_default=None, validate=validate.Length(max=100))
    address = Str(allow_none=True, load_default=None, validate=validate.Length(max=200))
    hours = Str(allow_none=True, load_default=None, validate=validate.Length(max=200))


# --- output ---


def dump_consultation(c: Consultation, *, full_phone: bool = False) -> dict:
    """A consultation; in lists the phone shows its last 4 digits only (DESIGN.md §5)."""
    return {
        "id": c.id,
        "occurred_at": c.occurred_at.isoformat(),
        "channel": c.channel,
        "station_id": c.station_id,
        "answered_by": c.answered_by,
        "person": {
            "name": c.person_name,
            "phone": c.person_phone if full_phone else mask(c.person_phone),
            "categories": c.person_categories or [],
        },
        "cause": c.cause,
        "question": c.question,
        "answer": c.answer,
        "duration_s": c.duration_s,
        "outcome": c.outcome,
        "referred_to": c.referred_to,
        "case_id": c.case_id,
    }


def dump_station(s: Station) -> dict:
    return {
        "id": s.id,
        "name": s.name,
        "kind": s.kind,
        "area": s.area,
        "address": s.address,
        "hours": s.hours,
        "active": s.active,
    }


# --- answers (OpenAPI) ---

CONSULTATION = named(
    "Consultation",
    obj(
        {
            "id": ID,
            "occurred_at": DATETIME,
            "channel": one_of(CHANNELS),
            "person": obj(
                {"categories": array(one_of(APPLICANT_CATEGORIES))},
                {"name": nullable(STRING), "phone": nullable(STRING)},
            ),
            "question": STRING,
            "answer": STRING,
            "outcome": one_of(OUTCOMES),
        },
        {
            "station_id": nullable(ID),
            "answered_by": nullable(ID),
            "cause": nullable(STRING),
            "duration_s": nullable(INTEGER),
            "referred_to": nullable(STRING),
            "case_id": nullable(ID),
        },
    ),
)

STATION = named(
    "Station",
    obj(
        {"id": ID, "name": STRING, "kind": one_of(STATION_KINDS), "active": BOOLEAN},
        {"area": nullable(STRING), "address": nullable(STRING), "hours": nullable(STRING)},
    ),
)

CASE_REF = obj({"id": ID, "number": STRING, "status": STRING}, {"received_on": DATE, "cause": STRING})
