"""Settings, read from environment variables (documented in README.md)."""

from __future__ import annotations

import datetime as dt
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
        # legalaid.limits: a larger body is refused with 413 (the panel CSV import is the largest).
        "MAX_CONTENT_LENGTH": int(env.get("LEGALAID_MAX_CONTENT_LENGTH", str(1024 * 1024))),
        "INPUT_LIMITS": input_limits(env),
    }


# The input boundary's limits (legalaid.limits; README "Input limits"); dates are measured from the
# centre's clock when a request comes in.
INPUT_LIMITS = {
    "max_json_depth": 32,
    # Nothing a centre recorded happened before this day (a centre importing older paper records
    # moves it back with LEGALAID_EARLIEST_DATE).
    "earliest_date": dt.date(2000, 1, 1),
    # A provider may have started practising long before the centre's records begin.
    "earliest_practice_date": dt.date(1950, 1, 1),
    # Plans (leave, rates, checklists, supply dates, report periods) reach this many years ahead.
    "years_ahead": 5,
    # Hearings are recorded within this many years before or after today.
    "hearing_years": 5,
}


def input_limits(env) -> dict:
    limits = dict(INPUT_LIMITS)
    if env.get("LEGALAID_EARLIEST_DATE"):
        limits["earliest_date"] = dt.date.fromisoformat(env["LEGALAID_EARLIEST_DATE"])
    if env.get("LEGALAID_YEARS_AHEAD"):
        limits["years_ahead"] = int(env["LEGALAID_YEARS_AHEAD"])
    return limits


DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "WTF_CSRF_TIME_LIMIT": None,
    "LOGIN_LOCKOUT_FAILURES": 5,
    "LOGIN_LOCKOUT_MINUTES": 15,
    "ANSWER_CACHE_MAX_BYTES": 1_000_000,
    "LANGUAGES": ["zh_Hans", "en"],
}
