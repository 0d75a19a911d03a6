"""Configuration from the environment: database URLs, secret key, SQLite settings."""

import pytest
import sqlalchemy as sa

from legalaid import create_app
from legalaid.config import database_url
from legalaid.db import db


def test_postgresql_url_uses_psycopg3():
    assert database_url("postgresql://u@h:5432/d", "/x") == "postgresql+psycopg://u@h:5432/d"
    assert database_url("postgres://u@h/d", "/x") == "postgresql+psycopg://u@h/d"


def test_default_database_is_sqlite_under_instance(tmp_path):
    assert database_url(None, str(tmp_path)) == f"sqlite:///{tmp_path / 'legalaid.sqlite3'}"


def test_missing_secret_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("LEGALAID_DEBUG", raising=False)
    monkeypatch.setenv("LEGALAID_INSTANCE", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})


def test_development_mode_keeps_a_key_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("LEGALAID_DEBUG", "1")
    monkeypatch.setenv("LEGALAID_INSTANCE", str(tmp_path))
    first = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"}).config["SECRET_KEY"]
    second = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"}).config["SECRET_KEY"]
    assert first == second and len(first) >= 32


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite settings")
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_timestamps_come_back_timezone_aware(session, make_user):
    from legalaid.models import User

    make_user(username="chen")
    created = session.scalar(sa.select(User.created_at))
    assert created.tzinfo is not None
