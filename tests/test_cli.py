"""The ``legalaid`` command: users, demo."""

import sqlalchemy as sa

from legalaid.db import db
from legalaid.models import User


def test_create_user_from_stdin_with_several_roles(runner, app):
    result = runner.invoke(
        args=["users", "create", "chen", "--role", "coordinator", "--role", "supervisor", "--password-stdin"],
        input="Long-enough-1\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.username == "chen")).roles == [
            "coordinator",
            "supervisor",
        ]


def test_create_user_refuses_unknown_role_and_short_password(runner):
    assert (
        runner.invoke(
            args=["users", "create", "x", "--role", "pope", "--password-stdin"], input="Long-enough-1\n"
        ).exit_code
        != 0
    )
    result = runner.invoke(
        args=["users", "create", "x", "--role", "admin", "--password-stdin"], input="short\n"
    )
    assert result.exit_code != 0 and "8 characters" in result.output


def test_list_set_password_and_disable(runner, client, make_user):
    make_user(username="chen")
    assert "chen" in runner.invoke(args=["users", "list"]).output
    assert (
        runner.invoke(
            args=["users", "set-password", "chen", "--password-stdin"], input="Brand-new-pw1\n"
        ).exit_code
        == 0
    )
    assert (
        client.post("/api/v1/session", json={"username": "chen", "password": "Brand-new-pw1"}).status_code
        == 200
    )
    assert runner.invoke(args=["users", "disable", "chen"]).exit_code == 0
    again = runner.invoke(args=["users", "disable", "chen"])
    assert again.exit_code != 0 and "already disabled" in again.output


def test_demo_fills_an_empty_database_and_prints_logins(runner, app):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "admin" in result.output and "demo-pass-2026" in result.output
    with app.app_context():
        roles = {r for u in db.session.scalars(sa.select(User)) for r in u.roles}
    assert roles == {"admin", "coordinator", "supervisor", "provider", "finance", "desk"}
    assert "desk" in result.output  # the front desk's login is printed with the others
    assert runner.invoke(args=["demo"]).exit_code != 0  # never on a database with data
