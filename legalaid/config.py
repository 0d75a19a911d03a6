"""Settings, read from environment variables (documented in README.md)."""

from __future__ import annotations

import os
from pathlib import Path


def database_url(raw: str | None, instance_path: str) -> str:
    """DATABASE_URL as given, with plain ``postgresql://`` mapped to the psycopg 3 driver."""
    if not raw:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{Path(instance_path) / 'legalaid.sqlite3'}"
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict:
    env = os.environ
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(env.get("DATABASE_URL"), instance_path),
        "SECRET_KEY": env.get("SECRET_KEY"),
        "DEV_MODE": _flag("LEGALAID_DEBUG"),
        "TIMEZONE": env.get("LEGALAID_TIMEZONE", "Asia/Shanghai"),
        "BABEL_DEFAULT_LOCALE": env.get("LEGALAID_DEFAULT_LOCALE", "zh_Hans"),
        "BABEL_DEFAULT_TIMEZONE": env.get("LEGALAID_TIMEZONE", "Asia/Shanghai"),
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE"),
        "PROXY_FIX_COUNT": int(env.get("PROXY_FIX_COUNT", "0")),
        "BANK_ACCOUNT_KEY": env.get("BANK_ACCOUNT_KEY"),
        # legalaid.answers: JSON answers kept per worker until the next state change (0: none kept).
        "ANSWER_CACHE_ENTRIES": int(env.get("LEGALAID_ANSWER_CACHE_ENTRIES", "512")),
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),
        "MAIL_FROM": env.get("MAIL_FROM", "legalaid@localhost"),
        "BASE_URL": env.get("LEGALAID_BASE_URL", "http://127.0.0.1:5000"),
    }


DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "WTF_CSRF_TIME_LIMIT": None,
    "LOGIN_LOCKOUT_FAILURES": 5,
    "LOGIN_LOCKOUT_MINUTES": 15,
    "AUTH_CACHE_SECONDS": 5,
    "ANSWER_CACHE_MAX_BYTES": 1_000_000,
    "LANGUAGES": ["zh_Hans", "en"],
}
