"""The panel's long lists, providers and organisations, paged, sorted and filtered the same way on the
admin pages and in ``GET /api/v1/providers`` and ``GET /api/v1/organizations`` (legalaid.listing)."""

from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import validate
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from assignment.forms import ORGANIZATION_KIND_LABELS, PROVIDER_KIND_LABELS
from assignment.models import Organization, Provider
from legalaid import limits
from legalaid.listing import Sorts, contains

# --- providers ---

PROVIDER_SORTS = Sorts(
    {
        "name": Provider.name,
        "organization": sa.select(Organization.name)
        .where(Organization.id == Provider.organization_id)
        .scalar_subquery(),
        "kind": Provider.kind,
        "open_cases": Provider.open_cases,
        "practice_since": Provider.practice_since,
        "active": Provider.active,
        "id": Provider.id,
    },
    tie=Provider.id,
    default="name",
)
PROVIDER_SORT_LABELS = {
    "name": _l("Name"),
    "organization": _l("Organisation"),
    "kind": _l("Kind"),
    "open_cases": _l("Open cases"),
    "practice_since": _l("In practice since"),
    "active": _l("State"),
    "id": _l("Number"),
}


class ProviderListArgs(ma.Schema):
    """``GET /providers``: a name or organisation holding ``q``, kind, organisation, active, order."""

    q = ma.fields.String(load_default=None, validate=validate.Length(max=100))
    kind = ma.fields.String(load_default=None, validate=validate.OneOf(tuple(PROVIDER_KIND_LABELS)))
    organization_id = limits.Int(load_default=None)
    active = ma.fields.Boolean(load_default=None)
    sort = PROVIDER_SORTS.field()


def _blank_and(labels: dict, blank) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(code, label) for code, label in labels.items()]


class ProviderFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name or organisation"), validators=[Optional(), Length(max=100)])
    kind = SelectField(
        _l("Kind"), choices=_blank_and(PROVIDER_KIND_LABELS, _l("All kinds")), validators=[Optional()]
    )
    active = SelectField(
        _l("State"),
        choices=[
            SelectChoice("", _l("Active and inactive")),
            SelectChoice("true", _l("active")),
            SelectChoice("false", _l("inactive")),
        ],
        validators=[Optional()],
    )
    sort = PROVIDER_SORTS.select()


def page_args(args: dict) -> dict:
    """The page's ``active`` choice ("true"/"false") as the API's boolean."""
    return {**args, "active": {"true": True, "false": False}.get(args.get("active") or "")}


def providers_statement(args: dict) -> sa.Select:
    stmt = sa.select(Provider)
    q = (args.get("q") or "").strip()
    if q:
        stmt = stmt.where(
            sa.or_(
                contains(Provider.name, q),
                Provider.organization_id.in_(
                    sa.select(Organization.id).where(contains(Organization.name, q))
                ),
            )
        )
    if args.get("kind"):
        stmt = stmt.where(Provider.kind == args["kind"])
    if args.get("organization_id") is not None:
        stmt = stmt.where(Provider.organization_id == args["organization_id"])
    if args.get("active") is not None:
        stmt = stmt.where(Provider.active.is_(args["active"]))
    return PROVIDER_SORTS.apply(stmt, args.get("sort"))


# --- organisations ---

ORGANIZATION_SORTS = Sorts(
    {"name": Organization.name, "kind": Organization.kind, "area": Organization.area, "id": Organization.id},
    tie=Organization.id,
    default="name",
)
ORGANIZATION_SORT_LABELS = {"name": _l("Name"), "kind": _l("Kind"), "area": _l("Area"), "id": _l("Number")}


class OrganizationListArgs(ma.Schema):
    """``GET /organizations``: a name or area holding ``q``, kind, order."""

    q = ma.fields.String(load_default=None, validate=validate.Length(max=100))
    kind = ma.fields.String(load_default=None, validate=validate.OneOf(tuple(ORGANIZATION_KIND_LABELS)))
    sort = ORGANIZATION_SORTS.field()


class OrganizationFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name or area"), validators=[Optional(), Length(max=100)])
    kind = SelectField(
        _l("Kind"), choices=_blank_and(ORGANIZATION_KIND_LABELS, _l("All kinds")), validators=[Optional()]
    )
    sort = ORGANIZATION_SORTS.select()


def organizations_statement(args: dict) -> sa.Select:
    stmt = sa.select(Organization)
    q = (args.get("q") or "").strip()
    if q:
        stmt = stmt.where(sa.or_(contains(Organization.name, q), contains(Organization.area, q)))
    if args.get("kind"):
        stmt = stmt.where(Organization.kind == args["kind"])
    return ORGANIZATION_SORTS.apply(stmt, args.get("sort"))
