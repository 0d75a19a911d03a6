"""Who is asking: flask-login for pages and the API (session cookie or bearer token), role checks."""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user

from legalaid.api import error_response, is_api_request
from legalaid.db import db
from legalaid.models import ApiToken, User, UserRole

login_manager = LoginManager()
login_manager.login_view = "shell.login"
login_manager.session_protection = "basic"


def token_digest(token: str) -> str:
    """Bearer tokens are stored as their SHA-256 only."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal(UserMixin):
    """Who is signed in, as read at authentication: a value object, not a database row.

    Pages and services use ``id``, ``provider_id`` and ``has_role``; a service that changes the user
    loads the ``User`` row itself."""

    id: int
    username: str
    display_name: str | None
    roles: tuple[str, ...]
    provider_id: int | None
    locale: str | None
    active: bool

    @property
    def is_active(self) -> bool:
        return self.active

    def has_role(self, *roles: str) -> bool:
        return any(r in roles for r in self.roles)

    @property
    def label(self) -> str:
        return self.display_name or self.username


def _principal_cache() -> dict:
    return current_app.extensions.setdefault("legalaid_principals", {})


def _cached(key, load) -> Principal | None:
    """Per-worker cache of principals for AUTH_CACHE_SECONDS.

    Loading the user on every request was most of an authenticated request's cost (bench/README.md).
    The price: a change to a user made on another worker (disabled, roles changed) takes effect
    there within AUTH_CACHE_SECONDS; on the worker that made it, at once (``forget_user``)."""
    ttl = current_app.config["AUTH_CACHE_SECONDS"]
    cache = _principal_cache()
    now = time.monotonic()
    hit = cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    principal = load()
    if ttl > 0:
        if len(cache) > 10000:  # bounded: a flood of forged tokens cannot grow it without limit
            cache.clear()
        cache[key] = (now + ttl, principal)
    return principal


def forget_user(user_id: int) -> None:
    """Drop this worker's cached copies of a user after a change to them."""
    cache = _principal_cache()
    for key, (_expires, principal) in list(cache.items()):
        if principal is not None and principal.id == user_id:
            cache.pop(key, None)


_PRINCIPAL_COLUMNS = (
    User.id,
    User.username,
    User.display_name,
    User.provider_id,
    User.locale,
    User.active,
    UserRole.role,
)


def _principal_from_rows(rows) -> Principal | None:
    rows = list(rows)
    if not rows or not rows[0].active:
        return None
    first = rows[0]
    roles = tuple(sorted(r.role for r in rows if r.role))
    return Principal(
        first.id, first.username, first.display_name, roles, first.provider_id, first.locale, first.active
    )


def principal_for_user_id(user_id: int) -> Principal | None:
    stmt = (
        sa.select(*_PRINCIPAL_COLUMNS)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .where(User.id == user_id)
    )
    return _principal_from_rows(db.session.execute(stmt))


def principal_for_token(token: str) -> Principal | None:
    stmt = (
        sa.select(*_PRINCIPAL_COLUMNS)
        .join(ApiToken, ApiToken.user_id == User.id)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .where(ApiToken.token_hash == token_digest(token), ApiToken.revoked_at.is_(None))
    )
    return _principal_from_rows(db.session.execute(stmt))


@login_manager.user_loader
def load_user(user_id: str) -> Principal | None:
    if not user_id.isdigit():
        return None
    return _cached(("user", int(user_id)), lambda: principal_for_user_id(int(user_id)))


@login_manager.request_loader
def load_user_from_bearer(req) -> Principal | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = header[len("Bearer ") :].strip()
    return _cached(("token", token_digest(token)), lambda: principal_for_token(token))


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
