"""The complaints register as a long list (legalaid.listing): the same filters and order on the page
and in ``GET /api/v1/complaints``, the nearest limit first unless another order is asked."""

from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from marshmallow import validate
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from assignment.forms import choices
from assignment.models import Case, Organization, Provider
from legalaid import limits
from legalaid.listing import Sorts, contains
from supervision.complaints.forms import ComplaintFilterForm
from supervision.complaints.labels import MATTER_LABELS
from supervision.complaints.models import MATTERS, Complaint
from supervision.complaints.schemas import ComplaintListArgs
from supervision.complaints.services import _due_column

SORTS = Sorts(
    {
        "due": _due_column(),
        "received_on": Complaint.received_on,
        "matter": Complaint.matter,
        "status": Complaint.status,
        "id": Complaint.id,
    },
    tie=Complaint.id,
    default="due",
)
SORT_LABELS = {
    "due": _l("Next limit"),
    "received_on": _l("Received"),
    "matter": _l("Matter"),
    "status": _l("Status"),
    "id": _l("No."),
}


class ComplaintPageArgs(ComplaintListArgs):
    """``GET /complaints``: status, overdue, matter, the days received, a case number or respondent
    holding ``q``, and the order."""

    matter = ma.fields.String(load_default=None, validate=validate.OneOf(MATTERS))
    received_from = limits.Date(load_default=None, window="past")
    received_to = limits.Date(load_default=None, window="past")
    q = ma.fields.String(load_default=None, validate=validate.Length(max=100))
    sort = SORTS.field()


class ComplaintListForm(ComplaintFilterForm):
    q = StringField(_l("Case number or respondent"), validators=[Optional(), Length(max=100)])
    matter = SelectField(_l("Matter"), choices=choices(MATTER_LABELS, blank=True), validators=[Optional()])
    received_from = DateField(_l("Received from"), validators=[Optional(), limits.InWindow("past")])
    received_to = DateField(_l("Received to"), validators=[Optional(), limits.InWindow("past")])
    sort = SORTS.select()


def filter_complaints(stmt: sa.Select, args: dict) -> sa.Select:
    """The register's statement (status, overdue) narrowed by the other filters and ordered."""
    clauses = []
    if args.get("matter"):
        clauses.append(Complaint.matter == args["matter"])
    if args.get("received_from"):
        clauses.append(Complaint.received_on >= args["received_from"])
    if args.get("received_to"):
        clauses.append(Complaint.received_on <= args["received_to"])
    q = (args.get("q") or "").strip()
    if q:
        clauses.append(
            sa.or_(
                Complaint.case_id.in_(sa.select(Case.id).where(contains(Case.number, q))),
                Complaint.respondent_provider_id.in_(
                    sa.select(Provider.id).where(contains(Provider.name, q))
                ),
                Complaint.respondent_organization_id.in_(
                    sa.select(Organization.id).where(contains(Organization.name, q))
                ),
            )
        )
    if clauses:
        stmt = stmt.where(*clauses)
    return SORTS.apply(stmt, args.get("sort"))
