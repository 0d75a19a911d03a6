"""JSON endpoints of the shell: session, tokens, users, the OpenAPI document."""

from __future__ import annotations

from flask import current_app, jsonify
from flask_login import current_user, login_user, logout_user

from legalaid import users
from legalaid.api import api_blueprint, openapi_document, use_body
from legalaid.auth import client_address, login_required, roles_required
from legalaid.db import db
from legalaid.schemas import SessionSchema, UserCreateSchema, dump_user

bp = api_blueprint("shell_api", __name__)


@bp.post("/session")
@use_body(SessionSchema)
def create_session(body):
    """Sign in; sets the session cookie."""
    user = users.authenticate(db.session, body["username"], body["password"], client_address())
    db.session.commit()
    login_user(user)
    return jsonify({"user": dump_user(user)})


@bp.get("/session")
@login_required
def read_session():
    """The signed-in user (session cookie or bearer token)."""
    return jsonify({"user": dump_user(current_user)})


@bp.delete("/session")
def delete_session():
    """Sign out."""
    logout_user()
    return "", 204


@bp.post("/tokens")
@login_required
def create_token():
    """A bearer token for scripts, shown once."""
    token = users.issue_token(db.session, current_user)
    db.session.commit()
    return jsonify({"token": token}), 201


@bp.post("/users")
@roles_required("admin")
@use_body(UserCreateSchema)
def create_user(body):
    """Create a user (admin)."""
    user = users.create_user(
        db.session, current_user, body.pop("username"), body.pop("password"), body.pop("roles"), **body
    )
    db.session.commit()
    return jsonify(dump_user(user)), 201


@bp.get("/openapi.json")
def openapi():
    """This API as OpenAPI 3."""
    return jsonify(openapi_document(current_app))
