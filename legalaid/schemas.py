"""marshmallow schemas of the shell's endpoints."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate

from legalaid.limits import Bool, Int, List
from legalaid.models import ROLES


class SessionSchema(ma.Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UserCreateSchema(ma.Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=8, max=200))
    roles = List(
        fields.String(validate=validate.OneOf(ROLES)),
        required=True,
        validate=validate.Length(min=1),
        max_items=len(ROLES),
        unique=True,
    )
    provider_id = Int(allow_none=True, load_default=None, strict=True)
    display_name = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=120))
    email = fields.Email(allow_none=True, load_default=None, validate=validate.Length(max=254))
    locale = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(["zh_Hans", "en"]))


class UserListArgs(ma.Schema):
    q = fields.String(validate=validate.Length(max=100))
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean()
    sort = fields.String(load_default="username", validate=validate.OneOf(("username", "name", "created")))


class UserUpdateSchema(ma.Schema):
    """Only the keys given change; ``active: false`` disables (sessions end, tokens revoked)."""

    roles = List(
        fields.String(validate=validate.OneOf(ROLES)),
        validate=validate.Length(min=1),
        max_items=len(ROLES),
        unique=True,
    )
    provider_id = Int(allow_none=True, strict=True)
    display_name = fields.String(allow_none=True, validate=validate.Length(max=120))
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    active = Bool()
    # A temporary password; ``must_change_password`` (default true with it) sends its holder to the
    # change-password page at the next sign-in. Given alone, it requires (or waives) that change.
    password = fields.String(validate=validate.Length(min=8, max=200))
    must_change_password = Bool()


class PasswordChangeSchema(ma.Schema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, validate=validate.Length(min=8, max=200))


def dump_user(user) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "roles": user.roles,
        "provider_id": user.provider_id,
        "locale": user.locale,
        "active": user.active,
        "must_change_password": bool(user.must_change_password),
    }


class RegisteredExportKind(validate.OneOf):
    """One of the kinds of export the areas registered (``legalaid.export_jobs``), read when used: this
    schema is declared before the app factory registers the areas."""

    def __init__(self):
        self.labels, self.labels_text, self.error = [], "", self.default_message

    @property
    def choices(self) -> tuple[str, ...]:
        from legalaid.export_jobs import export_kinds

        return tuple(export_kinds())

    @property
    def choices_text(self) -> str:
        return ", ".join(self.choices)


class ExportRequestSchema(ma.Schema):
    """A file to prepare in the background: what (``kind``), as what, and the filters of its direct
    export by their query names (the consultation register's ``from``, ``to``, ``channel``, …; the
    archive list's ``year``)."""

    kind = fields.String(required=True, validate=RegisteredExportKind())
    format = fields.String(load_default="csv", validate=validate.OneOf(("csv", "xlsx")))
    filters = fields.Dict(
        keys=fields.String(validate=validate.Length(max=40)),
        load_default=dict,
        validate=validate.Length(max=20),
    )

    @ma.validates_schema
    def filters_of_the_kind(self, data, **_kwargs):
        from legalaid.export_jobs import export_kinds, load_filters

        kind = export_kinds().get(data.get("kind"))
        if kind is not None:
            load_filters(kind, data.get("filters") or {})
