"""The complaint API's shapes: input schemas, dumps (the complainant's identity only for complaint
handlers) and the answer schemas of the OpenAPI document (API.md "Front desk")."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from legalaid.limits import Bool, Date, Int
from legalaid.openapi import DATE, ID, STRING, named, nullable, obj, one_of
from supervision.complaints.models import (
    ANSWER_METHODS,
    MATTERS,
    OUTCOMES,
    RELATIONS,
    RESPONDENT_KINDS,
    STATUSES,
    Complaint,
)
from supervision.complaints.services import MAX_PAUSE_DAYS, complaint_deadlines

Str = fields.String


class ComplainantSchema(ma.Schema):
    name = Str(required=True, validate=validate.Length(min=1, max=120))
    relation = Str(required=True, validate=validate.OneOf(RELATIONS))
    phone = Str(allow_none=True, load_default=None, validate=validate.Length(max=30))


class RespondentSchema(ma.Schema):
    kind = Str(required=True, validate=validate.OneOf(RESPONDENT_KINDS))
    id = Int(strict=True, allow_none=True, load_default=None)


class ComplaintSchema(ma.Schema):
    received_on = Date(required=True, window="past")
    complainant = fields.Nested(ComplainantSchema, required=True)
    respondent = fields.Nested(RespondentSchema, required=True)
    case_id = Int(strict=True, allow_none=True, load_default=None)
    matter = Str(required=True, validate=validate.OneOf(MATTERS))
    request = Str(required=True, validate=validate.Length(min=1, max=2000))
    facts = Str(required=True, validate=validate.Length(min=1, max=4000))


class ComplaintAcceptanceSchema(ma.Schema):
    accepted = Bool(required=True)
    reason = Str(allow_none=True, load_default=None, validate=validate.Length(max=2000))


class ComplaintStatementRequestSchema(ma.Schema):
    due_on = Date(required=True, window="planning")


class ComplaintStatementSchema(ma.Schema):
    text = Str(required=True, validate=validate.Length(min=1, max=4000))


class ComplaintExtensionSchema(ma.Schema):
    reason = Str(required=True, validate=validate.Length(min=1, max=2000))
    new_decide_by = Date(required=True, window="planning")


class ComplaintDecisionSchema(ma.Schema):
    outcome = Str(required=True, validate=validate.OneOf(OUTCOMES))
    findings = Str(required=True, validate=validate.Length(min=1, max=4000))
    pause_days = Int(
        strict=True, allow_none=True, load_default=None, validate=validate.Range(1, MAX_PAUSE_DAYS)
    )


class ComplaintAnswerSchema(ma.Schema):
    answered_on = Date(required=True, window="past")
    method = Str(required=True, validate=validate.OneOf(ANSWER_METHODS))


class ComplaintListArgs(ma.Schema):
    status = Str(load_default=None, validate=validate.OneOf(STATUSES))
    overdue = fields.Boolean(load_default=None)


def _iso(value):
    return value.isoformat() if value is not None else None


def dump_complaint(c: Complaint, *, identity: bool) -> dict:
    """``identity``: the complainant's name and phone (complaint handlers only, DESIGN.md)."""
    deadlines = complaint_deadlines(c)
    return {
        "id": c.id,
        "status": c.status,
        "received_on": c.received_on.isoformat(),
        "complainant": {
            "name": c.complainant_name if identity else None,
            "phone": c.complainant_phone if identity else None,
            "relation": c.complainant_relation,
        },
        "respondent": {
            "kind": c.respondent_kind,
            "id": c.respondent_provider_id or c.respondent_organization_id,
        },
        "case_id": c.case_id,
        "matter": c.matter,
        "request": c.request,
        "facts": c.facts,
        "accept_by": c.accept_by.isoformat(),
        "accepted_on": _iso(c.accepted_on),
        "not_accepted_reason": c.not_accepted_reason,
        "decide_by": _iso(c.decide_by),
        "extended_on": _iso(c.extended_on),
        "extension_reason": c.extension_reason,
        "statement_due_on": _iso(c.statement_due_on),
        "statement": c.statement,
        "statement_on": _iso(c.statement_on),
        "outcome": c.outcome,
        "findings": c.findings,
        "pause_days": c.pause_days,
        "decided_on": _iso(c.decided_on),
        "answer_by": _iso(c.answer_by),
        "answered_on": _iso(c.answered_on),
        "answer_method": c.answer_method,
        "overdue": any(d["state"] == "overdue" for d in deadlines.values()),
    }


COMPLAINT = named(
    "Complaint",
    obj(
        {
            "id": ID,
            "status": one_of(STATUSES),
            "received_on": DATE,
            "matter": one_of(MATTERS),
            "accept_by": DATE,
            "complainant": obj(
                {"relation": one_of(RELATIONS)}, {"name": nullable(STRING), "phone": nullable(STRING)}
            ),
            "respondent": obj({"kind": one_of(RESPONDENT_KINDS)}, {"id": nullable(ID)}),
        },
        {
            "case_id": nullable(ID),
            "decide_by": nullable(DATE),
            "answer_by": nullable(DATE),
            "statement_due_on": nullable(DATE),
            "outcome": one_of(OUTCOMES, null=True),
            "answered_on": nullable(DATE),
        },
    ),
)
