"""JSON API of complaints (API.md "Front desk"). Thin: validate, one service call, commit, dump."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from legalaid.api import api_blueprint, paginate, use_body
from legalaid.auth import roles_required
from legalaid.db import db
from legalaid.openapi import page_of, responds, use_query
from supervision.complaints import lists, services
from supervision.complaints.schemas import (
    COMPLAINT,
    ComplaintAcceptanceSchema,
    ComplaintAnswerSchema,
    ComplaintDecisionSchema,
    ComplaintExtensionSchema,
    ComplaintSchema,
    ComplaintStatementRequestSchema,
    ComplaintStatementSchema,
    dump_complaint,
)
from supervision.complaints.services import HANDLERS, READERS

bp = api_blueprint("complaints_api", __name__)


def _dump(complaint):
    return dump_complaint(complaint, identity=services.is_handler(current_user))


@bp.post("/complaints")
@roles_required(*HANDLERS)
@use_body(ComplaintSchema)
@responds(201, COMPLAINT, creates="complaint_id")
def register_complaint(body):
    """Register a complaint (``received``, with ``accept_by``: 5 working days)."""
    complaint = services.register_complaint(db.session, body, current_user)
    db.session.commit()
    return jsonify(_dump(complaint)), 201


@bp.get("/complaints")
@roles_required(*READERS)
@use_query(lists.ComplaintPageArgs)
@responds(200, page_of(COMPLAINT))
def list_complaints(args):
    """Complaints, the nearest limit first; ``?overdue=true`` those past their limit; filtered by status,
    matter, received_from / received_to, q (case number or respondent); ``sort`` by due, received_on,
    matter, status or id ("-" first: descending)."""
    stmt = services.complaint_list_statement(status=args["status"], overdue=args["overdue"])
    return jsonify(paginate(db.session, lists.filter_complaints(stmt, args), _dump))


@bp.get("/complaints/<int:complaint_id>")
@roles_required(*READERS, "provider")
@responds(200, COMPLAINT)
def read_complaint(complaint_id):
    """One complaint; the provider complained about sees it once asked for a statement (without the
    complainant's identity)."""
    return jsonify(_dump(services.get_complaint(db.session, complaint_id, current_user)))


@bp.post("/complaints/<int:complaint_id>/acceptance")
@roles_required(*HANDLERS)
@use_body(ComplaintAcceptanceSchema)
@responds(200, COMPLAINT)
def decide_acceptance(complaint_id, body):
    """Accept (``decide_by`` = 45 days) or refuse with a reason; out of order → 409."""
    complaint = services.decide_acceptance(db.session, complaint_id, current_user, **body)
    db.session.commit()
    return jsonify(_dump(complaint))


@bp.post("/complaints/<int:complaint_id>/statement-request")
@roles_required(*HANDLERS)
@use_body(ComplaintStatementRequestSchema)
@responds(200, COMPLAINT)
def request_statement(complaint_id, body):
    """Ask the provider complained about for a statement by ``due_on``."""
    complaint = services.request_statement(db.session, complaint_id, current_user, due_on=body["due_on"])
    db.session.commit()
    return jsonify(_dump(complaint))


@bp.post("/complaints/<int:complaint_id>/statement")
@roles_required("provider")
@use_body(ComplaintStatementSchema)
@responds(200, COMPLAINT)
def submit_statement(complaint_id, body):
    """The provider complained about gives their statement (their own complaint only, else 404)."""
    complaint = services.submit_statement(db.session, complaint_id, current_user, text=body["text"])
    db.session.commit()
    return jsonify(_dump(complaint))


@bp.post("/complaints/<int:complaint_id>/extension")
@roles_required(*HANDLERS)
@use_body(ComplaintExtensionSchema)
@responds(200, COMPLAINT)
def extend_decision(complaint_id, body):
    """The one extension of the decision limit, with a reason and the new date."""
    complaint = services.extend_decision(db.session, complaint_id, current_user, **body)
    db.session.commit()
    return jsonify(_dump(complaint))


@bp.post("/complaints/<int:complaint_id>/decision")
@roles_required(*HANDLERS)
@use_body(ComplaintDecisionSchema)
@responds(200, COMPLAINT)
def decide_complaint(complaint_id, body):
    """Decide (``answer_by`` = 5 working days); an upheld complaint has its effects."""
    complaint = services.decide_complaint(db.session, complaint_id, current_user, **body)
    db.session.commit()
    return jsonify(_dump(complaint))


@bp.post("/complaints/<int:complaint_id>/answer")
@roles_required(*HANDLERS)
@use_body(ComplaintAnswerSchema)
@responds(200, COMPLAINT)
def answer_complaint(complaint_id, body):
    """The complainant was told the decision."""
    complaint = services.answer_complaint(db.session, complaint_id, current_user, **body)
    db.session.commit()
    return jsonify(_dump(complaint))
