"""The ``legalaid`` command: the Flask CLI of this app plus users, audit, demo and serve."""

from __future__ import annotations

import os
import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from legalaid.db import db
from legalaid.errors import DomainError


def main() -> None:
    # ``legalaid serve`` is the development server: it may keep its secret key in the instance folder.
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        os.environ.setdefault("LEGALAID_DEBUG", "1")
    from legalaid import create_app

    FlaskGroup(create_app=create_app, help="Legal aid service (the Flask CLI of this app).")(
        prog_name="legalaid"
    )


def _fail(exc: DomainError):
    db.session.rollback()
    detail = ""
    if exc.fields:
        detail = " " + "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
    raise click.ClickException(exc.message + detail)


users_cli = click.Group("users", help="Manage users.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="May repeat.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--provider-id", type=int, default=None, help="Link the user to a provider.")
@click.option("--email", default=None)
@with_appcontext
def users_create(username, roles, password_stdin, provider_id, email):
    """Create a user with one or more roles."""
    from legalaid.users import create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            db.session, None, username, password, list(roles), provider_id=provider_id, email=email
        )
        db.session.commit()
    except DomainError as exc:
        _fail(exc)
    click.echo(f"created user {user.username} (id {user.id}) with roles {', '.join(user.roles)}")


@users_cli.command("list")
@with_appcontext
def users_list():
    """List users with their roles."""
    from legalaid.models import User

    for user in db.session.scalars(sa.select(User).order_by(User.username)):
        state = "active" if user.active else "disabled"
        click.echo(f"{user.id:>5}  {user.username:<24} {','.join(user.roles):<32} {state}")


@users_cli.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True)
@with_appcontext
def users_set_password(username, password_stdin):
    """Set a user's password."""
    from legalaid.users import get_user_by_name, set_password

    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else click.prompt("New password", hide_input=True, confirmation_prompt=True)
    )
    try:
        set_password(db.session, None, get_user_by_name(db.session, username), password)
        db.session.commit()
    except DomainError as exc:
        _fail(exc)
    click.echo(f"password changed for {username}")


@users_cli.command("disable")
@click.argument("username")
@with_appcontext
def users_disable(username):
    """Disable a user (they can no longer sign in; their tokens are revoked)."""
    from legalaid.users import disable_user, get_user_by_name

    try:
        disable_user(db.session, None, get_user_by_name(db.session, username))
        db.session.commit()
    except DomainError as exc:
        _fail(exc)
    click.echo(f"{username} disabled")


@users_cli.command("enable")
@click.argument("username")
@with_appcontext
def users_enable(username):
    """Let a disabled user sign in again (their old API tokens stay revoked)."""
    from legalaid.users import enable_user, get_user_by_name

    try:
        enable_user(db.session, None, get_user_by_name(db.session, username))
        db.session.commit()
    except DomainError as exc:
        _fail(exc)
    click.echo(f"{username} enabled")


audit_cli = click.Group("audit", help="The audit log.")


@audit_cli.command("verify")
@with_appcontext
def audit_verify():
    """Walk the hash chain and report the first broken link."""
    from legalaid.audit import verify_chain

    result = verify_chain(db.session, progress=lambda n: click.echo(f"  {n} entries checked…", err=True))
    if result.ok:
        click.echo(f"audit chain intact: {result.checked} entries")
    else:
        click.echo(
            f"audit chain BROKEN at entry {result.seq}: {result.problem} "
            f"({result.checked} entries verified before it)",
            err=True,
        )
        sys.exit(1)


@click.command("demo")
@with_appcontext
def demo_command():
    """Fill an empty database with a realistic demo district and print the logins."""
    from legalaid.demo import DemoRefused, run_demo

    try:
        logins = run_demo(db.session, progress=lambda msg: click.echo(msg, err=True))
    except DemoRefused as exc:
        raise click.ClickException(str(exc)) from exc
    print_logins(logins)


def print_logins(logins) -> None:
    from legalaid.demo import DEMO_PASSWORD

    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for username, roles in logins:
        click.echo(f"  {username:<14} {roles}")


@click.command("serve")
@click.option("--demo", is_flag=True, help="Upgrade the database and load the demo data if it is empty.")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def serve_command(demo, host, port):
    """Development server (production: gunicorn, see README)."""
    from flask_migrate import upgrade

    from legalaid.demo import DemoRefused, demo_logins, run_demo

    if demo:
        click.echo("Bringing the database schema up to date…", err=True)
        upgrade()
        try:
            run_demo(db.session, progress=lambda msg: click.echo(msg, err=True))
        except DemoRefused:
            click.echo("The database already has data; keeping it.", err=True)
        print_logins(demo_logins())
    db.session.remove()
    click.echo(f"\nThe service is at http://{host}:{port}/  (stop with Ctrl+C)\n")
    from werkzeug.serving import run_simple

    # app.run() refuses to block inside a Flask CLI command; run_simple is what it would call.
    run_simple(host, port, current_app._get_current_object(), threaded=True)


def register(app) -> None:
    from legalaid.translations_tool import translations_cli

    app.cli.add_command(translations_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(serve_command)
