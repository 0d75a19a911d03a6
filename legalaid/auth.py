"""Who is asking: flask-login for pages and the API (session cookie or bearer token), role checks.

Sessions live on the server. Each sign-in opens a ``UserSession`` row and puts a random key in the
signed cookie; a cookie signs a request in only while that row is open, so signing out ends it for
every copy of the cookie on every worker (a signed cookie alone cannot be taken back). Bearer tokens
are rows too (``ApiToken``). What a request finds is kept per worker only while the audit chain's
head stands still (``_cached``).
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import threading
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import LoginManager, UserMixin, current_user, user_logged_in, user_logged_out

from legalaid import audit, clock
from legalaid.answers import request_head_state
from legalaid.api import error_response, is_api_request
from legalaid.db import db
from legalaid.models import CASE_STAFF, ApiToken, User, UserRole, UserSession

login_manager = LoginManager()
login_manager.login_view = "shell.login"
login_manager.session_protection = "basic"


def sees_provider_work(actor, provider_id: int | None) -> bool:
    """DESIGN.md §5: staff (or the service itself, ``actor`` None) see every provider's work; a provider
    sees only their own. Whoever may not see an object is told it does not exist (404)."""
    if actor is None or actor.has_role(*CASE_STAFF):
        return True
    return actor.provider_id is not None and actor.provider_id == provider_id


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
    must_change_password: bool = False

    @property
    def is_active(self) -> bool:
        return self.active

    def has_role(self, *roles: str) -> bool:
        return any(r in roles for r in self.roles)

    @property
    def label(self) -> str:
        return self.display_name or self.username


class _PrincipalCache:
    """The principals this worker found at one audit head: ``(kind, ...) -> Principal | None``."""

    MAX_ENTRIES = 10000  # a flood of forged tokens cannot grow it without limit

    def __init__(self) -> None:
        self.head: tuple[int, str] | None = None
        self.entries: dict[tuple, Principal | None] = {}
        self.lock = threading.Lock()  # the development server answers from threads


def _principal_cache() -> _PrincipalCache:
    return current_app.extensions.setdefault("legalaid_principals", _PrincipalCache())


def _cached(key: tuple, load) -> Principal | None:
    """``load()``, kept in this worker until the audit chain's head moves.

    Loading the user on every request was most of an authenticated request's cost (bench/README.md),
    so the principal is kept, but only under the head it was read at (the idea of
    ``legalaid.answers``): every change to who may do what (signing out, disabling a user, new roles,
    a revoked token) writes an audit entry and so moves the head, and the next request on every
    worker, reading the moved head, loads the principal afresh. The head is read before the
    principal, so a kept principal is never older than its head. A change made behind the services'
    back (SQL by hand, no audit entry) is seen at the next audited change or worker restart."""
    head = request_head_state()
    cache = _principal_cache()
    with cache.lock:
        if cache.head != head:
            cache.entries.clear()
            cache.head = head
        elif key in cache.entries:
            return cache.entries[key]
    principal = load()
    with cache.lock:
        if cache.head == head:
            if len(cache.entries) >= cache.MAX_ENTRIES:
                cache.entries.clear()
            cache.entries[key] = principal
    return principal


def forget_user(user_id: int) -> None:
    """Drop this worker's kept copies of a user after an unaudited change to them (their language)."""
    cache = _principal_cache()
    with cache.lock:
        for key, principal in list(cache.entries.items()):
            if principal is not None and principal.id == user_id:
                cache.entries.pop(key, None)


_PRINCIPAL_COLUMNS = (
    User.id,
    User.username,
    User.display_name,
    User.provider_id,
    User.locale,
    User.active,
    User.must_change_password,
    UserRole.role,
)


def _principal_from_rows(rows) -> Principal | None:
    rows = list(rows)
    if not rows or not rows[0].active:
        return None
    first = rows[0]
    roles = tuple(sorted(r.role for r in rows if r.role))
    return Principal(
        first.id,
        first.username,
        first.display_name,
        roles,
        first.provider_id,
        first.locale,
        first.active,
        bool(first.must_change_password),
    )


def principal_for_user_id(user_id: int) -> Principal | None:
    stmt = (
        sa.select(*_PRINCIPAL_COLUMNS)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .where(User.id == user_id)
    )
    return _principal_from_rows(db.session.execute(stmt))


def principal_for_session(user_id: int, key_digest: str) -> Principal | None:
    """The user of an open session (None once it ended or the user was disabled)."""
    stmt = (
        sa.select(*_PRINCIPAL_COLUMNS)
        .join(UserSession, UserSession.user_id == User.id)
        .outerjoin(UserRole, UserRole.user_id == User.id)
        .where(User.id == user_id, UserSession.key_hash == key_digest, UserSession.ended_at.is_(None))
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


# The cookie's entry naming this sign-in's server-side session (flask-login keeps ``_user_id``).
SESSION_KEY = "_session_key"


@login_manager.user_loader
def load_user(user_id: str) -> Principal | None:
    key = session.get(SESSION_KEY)
    if not user_id.isdigit() or not isinstance(key, str):
        return None  # a cookie from before server-side sessions, or a forged one
    digest = token_digest(key)
    return _cached(("session", int(user_id), digest), lambda: principal_for_session(int(user_id), digest))


@login_manager.request_loader
def load_user_from_bearer(req) -> Principal | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    token = header[len("Bearer ") :].strip()
    return _cached(("token", token_digest(token)), lambda: principal_for_token(token))


def end_session(db_session, key: str) -> bool:
    """End the server-side session ``key`` names; False when it had already ended (or never was).
    A guarded update, so two sign-outs with one cookie at once write one audit entry."""
    row = db_session.execute(
        sa.update(UserSession)
        .where(UserSession.key_hash == token_digest(key), UserSession.ended_at.is_(None))
        .values(ended_at=clock.now())
        .returning(UserSession.id, UserSession.user_id)
    ).first()
    if row is None:
        return False
    audit.record(db_session, row.user_id, "session.end", "user_session", row.id)
    return True


def end_sessions_of(db_session, user_id: int) -> int:
    """End every open session of a user (disabled: no copy of any of their cookies works)."""
    return db_session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=clock.now())
    ).rowcount


SESSION_KEEP_DAYS = 30


def prune_sessions(db_session, now=None) -> int:
    """Delete the session rows that ended more than ``USER_SESSION_KEEP_DAYS`` (30) days ago: signed
    out, or ended by a disable or a password reset. An ended row signs nothing in; the audit keeps
    each sign-in and sign-out. Open sessions stay. The scheduler runs it once a day."""
    import datetime as dt

    keep = dt.timedelta(days=current_app.config.get("USER_SESSION_KEEP_DAYS", SESSION_KEEP_DAYS))
    cutoff = (now or clock.now()) - keep
    return db_session.execute(
        sa.delete(UserSession).where(UserSession.ended_at.is_not(None), UserSession.ended_at < cutoff)
    ).rowcount


@user_logged_in.connect
def _sign_in_opens_a_server_session(app, user, **_extra) -> None:
    """Every ``login_user`` (the sign-in page, ``POST /api/v1/session``) opens a session row; a
    session this cookie held before (another user signing in on the same browser) ends first."""
    previous = session.pop(SESSION_KEY, None)
    if isinstance(previous, str):
        end_session(db.session, previous)
    key = secrets.token_urlsafe(32)
    row = UserSession(user_id=user.id, key_hash=token_digest(key))
    db.session.add(row)
    db.session.flush()
    audit.record(db.session, user.id, "session.start", "user_session", row.id)
    db.session.commit()
    session[SESSION_KEY] = key


@user_logged_out.connect
def _sign_out_ends_the_server_session(app, user, **_extra) -> None:
    """Every ``logout_user`` (the sign-out button, ``DELETE /api/v1/session``) ends the session row,
    so a copy of the cookie taken before is refused afterwards."""
    key = session.pop(SESSION_KEY, None)
    if isinstance(key, str) and end_session(db.session, key):
        db.session.commit()


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
            user = current_user._get_current_object()  # once: each proxy access costs a lookup
            if not user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not user.has_role(*roles):
                return forbidden()
            return view(*args, **kwargs)

        wrapper.roles = roles
        return wrapper

    return decorate


login_required = roles_required()


def client_address() -> str:
    return request.remote_addr or "unknown"
