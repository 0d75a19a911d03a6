"""People, roles and sign-in: the service functions behind the pages, the API and the CLI."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from legalaid import audit, clock
from legalaid.auth import end_sessions_of, forget_user, token_digest
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
) -> User:
    username = username.strip()
    if not username:
        raise Invalid(say("A username is required."), fields={"username": [say("Required.")]})
    _check_roles(roles)
    _check_password_rules(password)
    # Unique regardless of case, as the index on lower(username) has it (the database's lower()).
    if session.scalar(sa.select(User.id).where(sa.func.lower(User.username) == sa.func.lower(username))):
        raise Invalid(say("That username is taken."), fields={"username": [say("Already taken.")]})
    if provider_id is not None:
        if not session.scalar(
            sa.select(sa.text("1"))
            .select_from(sa.table("provider", sa.column("id")))
            .where(sa.column("id") == provider_id)
        ):
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
        {"username": username, "roles": sorted(set(roles)), "provider_id": provider_id},
    )
    return user


def get_user_by_name(session: Session, username: str) -> User:
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFound(say("No user named %(username)s.", username=repr(username)))
    return user


def set_password(session: Session, actor, user: User, password: str) -> None:
    _check_password_rules(password)
    user.password_hash = hash_password(password)
    audit.record(session, actor, "user.set_password", "user", user.id)


def change_own_password(session: Session, actor, current: str, new: str) -> None:
    user = session.get(User, actor.id)
    if user is None or not check_password_hash(user.password_hash, current):
        raise Invalid(
            say("The current password is wrong."), fields={"current_password": [say("Wrong password.")]}
        )
    set_password(session, actor, user, new)


def disable_user(session: Session, actor: User | None, user: User) -> None:
    if not user.active:
        raise NotAllowed(say("%(username)s is already disabled.", username=user.username))
    user.active = False
    end_sessions_of(session, user.id)
    session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )
    audit.record(session, actor, "user.disable", "user", user.id, {"active": True}, {"active": False})


def set_roles(session: Session, actor: User | None, user: User, roles: list[str]) -> None:
    """Replace a user's roles. Audited, so every worker sees the new roles at its next request."""
    _check_roles(roles)
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
