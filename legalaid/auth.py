"""Who is asking: flask-login for pages and the API (session cookie or bearer token), role checks."""

from __future__ import annotations

import functools

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, current_user

from legalaid.api import error_response, is_api_request
from legalaid.db import db
from legalaid.models import User

login_manager = LoginManager()
login_manager.login_view = "shell.login"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


@login_manager.request_loader
def load_user_from_bearer(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    from legalaid.users import user_for_token

    return user_for_token(db.session, header[len("Bearer ") :].strip())


@login_manager.unauthorized_handler
def unauthorized():
    if is_api_request():
        return error_response(401, "not_authenticated", "Sign in first.")
    flash(_("Please sign in to continue."), "info")
    return redirect(url_for("shell.login", next=request.full_path if request.query_string else request.path))


def forbidden():
    if is_api_request():
        return error_response(403, "forbidden", "Your role does not allow this.")
    from legalaid.pages import forbidden_page

    return forbidden_page()


def roles_required(*roles: str):
    """Signed in, and holding at least one of ``roles`` (none given: any signed-in user)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                return forbidden()
            return view(*args, **kwargs)

        wrapper.roles = roles
        return wrapper

    return decorate


login_required = roles_required()


def client_address() -> str:
    return request.remote_addr or "unknown"
