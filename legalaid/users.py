"""People, roles and sign-in: the service functions behind the pages, the API and the CLI."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from legalaid import audit, clock
from legalaid.auth import end_sessions_of, forget_user, token_digest
from legalaid.db import lock_row
from legalaid.errors import DomainError, Invalid, NotAllowed, NotFound, TooManyAttempts, say
from legalaid.models import ROLES, ApiToken, LoginFailure, User, UserRole

MIN_PASSWORD_LENGTH = 8


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def _check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            say("A password needs at least %(count)s characters.", count=MIN_PASSWORD_LENGTH),
            fields={"password": [say("At least %(count)s characters.", count=MIN_PASSWORD_LENGTH)]},
        )


def _check_roles(roles: list[str]) -> None:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not roles:
        raise Invalid(
            say("Unknown or missing role."),
            fields={"roles": [say("Choose from %(roles)s.", roles=", ".join(ROLES))]},
        )


def create_user(
    session: Session,
    actor: User | None,
    username: str,
    password: str,
    roles: list[str],
    *,
    provider_id: int | None = None,
    display_name: str | None = None,
    email: str | None = None,
    locale: str | None = None,
    must_change_password: bool = False,
) -> User:
    """A new login; an admin giving an initial password usually asks for it to be changed at the first
    sign-in (``must_change_password``)."""
    username = username.strip()
    if not username:
        raise Invalid(say("A username is required."), fields={"username": [say("Required.")]})
    _check_roles(roles)
    _check_password_rules(password)
    # Unique regardless of case, as the index on lower(username) has it (the database's lower()).
    if session.scalar(sa.select(User.id).where(sa.func.lower(User.username) == sa.func.lower(username))):
        raise Invalid(say("That username is taken."), fields={"username": [say("Already taken.")]})
    if provider_id is not None:
        if not _provider_exists(session, provider_id):
            raise Invalid(say("No such provider."), fields={"provider_id": [say("Unknown provider.")]})
        if session.scalar(sa.select(User.id).where(User.provider_id == provider_id)):
            raise Invalid(
                say("That provider already has a login."), fields={"provider_id": [say("Already linked.")]}
            )
    user = User(
        username=username,
        password_hash=hash_password(password),
        provider_id=provider_id,
        display_name=display_name,
        email=email,
        locale=locale,
        must_change_password=must_change_password,
        role_rows=[UserRole(role=r) for r in sorted(set(roles))],
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor,
        "user.create",
        "user",
        user.id,
        None,
        {
            "username": username,
            "roles": sorted(set(roles)),
            "provider_id": provider_id,
            "must_change_password": must_change_password,
        },
    )
    return user


def get_user_by_name(session: Session, username: str) -> User:
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFound(say("No user named %(username)s.", username=repr(username)))
    return user


def set_password(session: Session, actor, user: User, password: str) -> None:
    """The person's own password: any "change it at the next sign-in" requirement is met."""
    _check_password_rules(password)
    user.password_hash = hash_password(password)
    before = {"must_change_password": True} if user.must_change_password else None
    user.must_change_password = False
    forget_user(user.id)
    audit.record(
        session,
        actor,
        "user.set_password",
        "user",
        user.id,
        before,
        {"must_change_password": False} if before else None,
    )


def change_own_password(session: Session, actor, current: str, new: str) -> None:
    """Current password, then the new one (the password rules; not the same as the current one)."""
    user = _locked(session, actor) if actor is not None else None
    if user is None or not check_password_hash(user.password_hash, current):
        raise Invalid(
            say("The current password is wrong."), fields={"current_password": [say("Wrong password.")]}
        )
    if new == current:
        raise Invalid(
            say("Choose a new password, not the one you have now."),
            fields={"new_password": [say("The same as the current password.")]},
        )
    set_password(session, actor, user, new)


def _locked(session: Session, user: User) -> User:
    """The user's row under a lock, read afresh: of two admins acting at once, the second sees the
    first one's change and is refused (409), never doubles it."""
    locked = lock_row(session, User, user.id)
    if locked is None:
        raise NotFound(say("No such user."))
    return locked


def disable_user(session: Session, actor: User | None, user: User) -> None:
    """No more sign-ins; every session of theirs ends and every API token is revoked, at once."""
    user = _locked(session, user)
    if not user.active:
        raise NotAllowed(say("%(username)s is already disabled.", username=user.username))
    if actor is not None and actor.id == user.id:
        raise NotAllowed(say("You cannot disable yourself."))
    user.active = False
    end_sessions_of(session, user.id)
    session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    audit.record(session, actor, "user.disable", "user", user.id, {"active": True}, {"active": False})


def enable_user(session: Session, actor: User | None, user: User) -> None:
    """A disabled user may sign in again (with their password; their old tokens stay revoked)."""
    user = _locked(session, user)
    if user.active:
        raise NotAllowed(say("%(username)s can already sign in.", username=user.username))
    user.active = True
    forget_user(user.id)
    audit.record(session, actor, "user.enable", "user", user.id, {"active": False}, {"active": True})


def reset_password(
    session: Session, actor: User | None, user: User, password: str, *, must_change: bool = True
) -> None:
    """An admin sets a temporary password and tells the person. With ``must_change`` (the default)
    they must pick their own at the next sign-in before anything else. Their open sessions end:
    whoever held the old password is signed out."""
    _check_password_rules(password)
    _not_oneself(actor, user)
    user = _locked(session, user)
    user.password_hash = hash_password(password)
    before = user.must_change_password
    user.must_change_password = bool(must_change)
    end_sessions_of(session, user.id)
    forget_user(user.id)
    audit.record(
        session,
        actor,
        "user.reset_password",
        "user",
        user.id,
        {"must_change_password": before},
        {"must_change_password": user.must_change_password},
    )


def _not_oneself(actor, user: User) -> None:
    """An admin's own password is changed with the current one (the account page), not reset: a
    reset would sign them out, and a required change would lock them out of their own session."""
    if actor is not None and actor.id == user.id:
        raise NotAllowed(say("Change your own password on your account page."))


def require_password_change(session: Session, actor: User | None, user: User, required: bool) -> None:
    """Require (or stop requiring) that ``user`` picks a new password before anything else."""
    _not_oneself(actor, user)
    user = _locked(session, user)
    if user.must_change_password == required:
        return
    user.must_change_password = required
    forget_user(user.id)
    audit.record(
        session,
        actor,
        "user.require_password_change",
        "user",
        user.id,
        {"must_change_password": not required},
        {"must_change_password": required},
    )


def update_profile(
    session: Session, actor: User | None, user: User, *, display_name: str | None, email: str | None
) -> None:
    """Name and e-mail address (reminders go to it)."""
    user = _locked(session, user)
    before = {"display_name": user.display_name, "email": user.email}
    after = {"display_name": (display_name or "").strip() or None, "email": (email or "").strip() or None}
    if before == after:
        return
    user.display_name, user.email = after["display_name"], after["email"]
    forget_user(user.id)
    audit.record(session, actor, "user.update", "user", user.id, before, after)


def _provider_exists(session: Session, provider_id: int) -> bool:
    return bool(
        session.scalar(sa.select(sa.text("1")).select_from(_PROVIDER).where(_PROVIDER.c.id == provider_id))
    )


def link_provider(session: Session, actor: User | None, user: User, provider_id: int | None) -> None:
    """Make ``user`` the login of a panel provider (a lawyer or adviser sees their own cases through
    it), or unlink them (None). A provider has at most one login."""
    user = _locked(session, user)
    if user.provider_id == provider_id:
        return
    if provider_id is not None:
        if not _provider_exists(session, provider_id):
            raise Invalid(say("No such provider."), fields={"provider_id": [say("Unknown provider.")]})
        taken = session.scalar(
            sa.select(User.username).where(User.provider_id == provider_id, User.id != user.id)
        )
        if taken:
            raise Invalid(
                say("That provider already has a login: %(username)s.", username=taken),
                fields={"provider_id": [say("Already linked.")]},
            )
    before = user.provider_id
    user.provider_id = provider_id
    forget_user(user.id)
    audit.record(
        session,
        actor,
        "user.link_provider",
        "user",
        user.id,
        {"provider_id": before},
        {"provider_id": provider_id},
    )


# The panel belongs to the assignment area; the shell reads the two columns it needs by name only.
_PROVIDER = sa.table(
    "provider",
    sa.column("id"),
    sa.column("name"),
    sa.column("organization_id"),
    sa.column("active"),
)
_ORGANIZATION = sa.table("organization", sa.column("id"), sa.column("name"))


def find_providers(session: Session, text: str | None, limit: int = 30, *, ids=()) -> list[dict]:
    """Providers whose name or organisation contains ``text`` (all when empty), with the login linked
    to each: ``{"id", "name", "organization", "active", "username"}``, by name."""
    stmt = (
        sa.select(
            _PROVIDER.c.id,
            _PROVIDER.c.name,
            _PROVIDER.c.active,
            _ORGANIZATION.c.name.label("organization"),
            User.username,
        )
        .join(_ORGANIZATION, _ORGANIZATION.c.id == _PROVIDER.c.organization_id)
        .outerjoin(User, User.provider_id == _PROVIDER.c.id)
        .order_by(_PROVIDER.c.name, _PROVIDER.c.id)
    )
    if ids:
        stmt = stmt.where(_PROVIDER.c.id.in_(list(ids)))
    elif text and text.strip():
        pattern = f"%{_escape_like(text.strip().lower())}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(_PROVIDER.c.name).like(pattern, escape="\\"),
                sa.func.lower(_ORGANIZATION.c.name).like(pattern, escape="\\"),
            )
        )
    return [dict(row._mapping) for row in session.execute(stmt.limit(limit))]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


USER_SORTS = {
    "username": (User.username,),
    "name": (sa.func.coalesce(User.display_name, User.username), User.username),
    "created": (User.created_at.desc(), User.id.desc()),
}


@dataclass
class UserPage:
    users: list[User]
    total: int
    page: int
    pages: int


def users_statement(
    q: str | None = None, role: str | None = None, active: bool | None = None, sort: str = "username"
) -> sa.Select:
    """Users filtered (a word of the username, name or e-mail; a role; can sign in or not) and sorted:
    the users page and ``GET /api/v1/users`` page through it."""
    stmt = sa.select(User)
    if q and q.strip():
        pattern = f"%{_escape_like(q.strip().lower())}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(User.username).like(pattern, escape="\\"),
                sa.func.lower(sa.func.coalesce(User.display_name, "")).like(pattern, escape="\\"),
                sa.func.lower(sa.func.coalesce(User.email, "")).like(pattern, escape="\\"),
            )
        )
    if role:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    return stmt.order_by(*USER_SORTS.get(sort, USER_SORTS["username"]))


def users_page(session: Session, *, page: int = 1, per_page: int = 50, **filters) -> UserPage:
    """One page of ``users_statement(**filters)``; a page past the end shows the last page."""
    stmt = users_statement(**filters)
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return UserPage(list(rows), total, page, pages)


def update_user(session: Session, actor: User | None, user: User, changes: dict) -> None:
    """``PATCH /api/v1/users/{id}``: each given key through its own audited change (roles,
    provider link, name and e-mail, a temporary password and whether it must be changed at the next
    sign-in, disabled or enabled)."""
    if "roles" in changes:
        set_roles(session, actor, user, changes["roles"])
    if "provider_id" in changes:
        link_provider(session, actor, user, changes["provider_id"])
    if "display_name" in changes or "email" in changes:
        update_profile(
            session,
            actor,
            user,
            display_name=changes.get("display_name", user.display_name),
            email=changes.get("email", user.email),
        )
    if "password" in changes:
        reset_password(
            session, actor, user, changes["password"], must_change=changes.get("must_change_password", True)
        )
    elif "must_change_password" in changes:
        require_password_change(session, actor, user, changes["must_change_password"])
    # Declarative, as PATCH is: asking for the state a user is already in changes nothing (checked
    # under the lock, so of two admins disabling at once one disables and one finds it done).
    if "active" in changes and changes["active"] != _locked(session, user).active:
        (enable_user if changes["active"] else disable_user)(session, actor, user)


def users_needing_attention(session: Session) -> dict:
    """What an admin should look at: logins with the provider role linked to no provider, active panel
    providers without a login, and how many users are disabled."""
    unlinked = session.scalars(
        sa.select(User)
        .where(User.active, User.provider_id.is_(None))
        .where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == "provider")))
        .order_by(User.username)
        .limit(20)
    ).all()
    without_login = session.scalar(
        sa.select(sa.func.count())
        .select_from(_PROVIDER)
        .where(_PROVIDER.c.active.is_(True))
        .where(~sa.exists().where(User.provider_id == _PROVIDER.c.id))
    )
    disabled = session.scalar(sa.select(sa.func.count()).select_from(User).where(User.active.is_(False)))
    return {"unlinked": list(unlinked), "providers_without_login": without_login, "disabled": disabled}


def set_roles(session: Session, actor: User | None, user: User, roles: list[str]) -> None:
    """Replace a user's roles. Audited, so every worker sees the new roles at its next request."""
    _check_roles(roles)
    user = _locked(session, user)
    before = sorted(user.roles)
    after = sorted(set(roles))
    if before == after:
        return
    # Keep the rows that stay: deleting and inserting one (user, role) key in a flush would collide.
    user.role_rows = [r for r in user.role_rows if r.role in after] + [
        UserRole(role=r) for r in after if r not in before
    ]
    audit.record(session, actor, "user.set_roles", "user", user.id, {"roles": before}, {"roles": after})


def revoke_token(session: Session, actor: User | None, token_id: int) -> None:
    """Revoke one bearer token; it is refused from the next request on, on every worker."""
    revoked = session.execute(
        sa.update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    ).rowcount
    if not revoked:
        raise NotFound(say("No live token %(id)s.", id=token_id))
    audit.record(session, actor, "token.revoke", "api_token", token_id)


def set_locale(session: Session, actor, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise Invalid(say("Unknown language."), fields={"locale": [say("Unknown language.")]})
    session.get(User, actor.id).locale = locale
    forget_user(actor.id)


def _recent_failures(session: Session, username: str, address: str) -> int:
    window = dt.timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    return session.scalar(
        sa.select(sa.func.count()).where(
            LoginFailure.username == username,
            LoginFailure.address == address,
            LoginFailure.at > clock.now() - window,
        )
    )


def authenticate(session: Session, username: str, password: str, address: str) -> User:
    """Check a sign-in. Five failures for a username from one address lock it for 15 minutes.

    A failure is committed at once (it must survive the request's rollback)."""
    if _recent_failures(session, username, address) >= current_app.config["LOGIN_LOCKOUT_FAILURES"]:
        raise TooManyAttempts(say("Too many failed sign-ins. Try again in 15 minutes."))
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        session.add(LoginFailure(username=username[:80], address=address[:64]))
        session.commit()
        raise NotAuthenticated(say("Wrong username or password."))
    session.execute(
        sa.delete(LoginFailure).where(LoginFailure.username == username, LoginFailure.address == address)
    )
    return user


def issue_token(session: Session, user: User) -> str:
    """A new bearer token; only its hash is kept, so it is shown once."""
    token = "la_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=token_digest(token))
    session.add(row)
    session.flush()
    audit.record(session, user, "token.issue", "api_token", row.id)
    return token
