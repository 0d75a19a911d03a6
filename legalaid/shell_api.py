"""JSON endpoints of the shell: session, tokens, users, the OpenAPI document."""

from __future__ import annotations

from flask import current_app, jsonify
from flask_login import current_user, login_user, logout_user

from legalaid import users
from legalaid.api import api_blueprint, paginate, use_body
from legalaid.auth import client_address, login_required, roles_required
from legalaid.db import db
from legalaid.errors import NotFound, say
from legalaid.models import User
from legalaid.openapi import (
    OPENAPI,
    SIGNED_IN_USER,
    TOKEN,
    USER,
    no_content,
    openapi_document,
    page_of,
    responds,
    use_query,
)
from legalaid.schemas import (
    PasswordChangeSchema,
    SessionSchema,
    UserCreateSchema,
    UserListArgs,
    UserUpdateSchema,
    dump_user,
)

bp = api_blueprint("shell_api", __name__)


@bp.post("/session")
@use_body(SessionSchema)
@responds(200, SIGNED_IN_USER, errors=(401, 429))
def create_session(body):
    """Sign in; sets the session cookie."""
    user = users.authenticate(db.session, body["username"], body["password"], client_address())
    db.session.commit()
    login_user(user)
    return jsonify({"user": dump_user(user)})


@bp.get("/session")
@login_required
@responds(200, SIGNED_IN_USER)
def read_session():
    """The signed-in user (session cookie or bearer token)."""
    return jsonify({"user": dump_user(current_user._get_current_object())})


@bp.delete("/session")
@responds(204)
def delete_session():
    """Sign out."""
    logout_user()
    return no_content()


@bp.post("/me/password")
@login_required
@use_body(PasswordChangeSchema)
@responds(204, errors=(422,))
def change_own_password(body):
    """Change your own password (the current one, then the new one). A user who must change their
    password (an admin set a temporary one) is answered 403 ``password_change_required`` everywhere
    else until they do."""
    users.change_own_password(db.session, current_user, body["current_password"], body["new_password"])
    db.session.commit()
    return no_content()


@bp.post("/tokens")
@login_required
@responds(201, TOKEN)
def create_token():
    """A bearer token for scripts, shown once."""
    token = users.issue_token(db.session, current_user)
    db.session.commit()
    return jsonify({"token": token}), 201


@bp.post("/users")
@roles_required("admin")
@use_body(UserCreateSchema)
@responds(201, USER)
def create_user(body):
    """Create a user (admin)."""
    user = users.create_user(
        db.session, current_user, body.pop("username"), body.pop("password"), body.pop("roles"), **body
    )
    db.session.commit()
    return jsonify(dump_user(user)), 201


@bp.get("/users")
@roles_required("admin")
@use_query(UserListArgs)
@responds(200, page_of(USER))
def list_users(args):
    """Users (admin), filtered by ``q`` (username, name, e-mail), ``role`` and ``active``; sorted by
    ``sort`` (username, name, created: newest first)."""
    return jsonify(paginate(db.session, users.users_statement(**args), dump_user))


@bp.patch("/users/<int:user_id>")
@roles_required("admin")
@use_body(UserUpdateSchema)
@responds(200, USER, errors=(404, 409, 422))
def update_user(user_id, body):
    """Change a user (admin): roles, the linked provider, name, e-mail, ``active`` (false disables:
    their sessions end and their tokens are revoked; true enables again). Each change is audited."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(say("No such user."))
    users.update_user(db.session, current_user, user, body)
    db.session.commit()
    return jsonify(dump_user(user))


@bp.get("/openapi.json")
@responds(200, OPENAPI)
def openapi():
    """This API as OpenAPI 3."""
    return jsonify(openapi_document(current_app))
