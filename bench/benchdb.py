"""The benchmarks' database: which one, recreating it, and bringing its schema up with the migrations.

A PostgreSQL database whose name starts with ``bench_`` belongs to the benchmarks: it is dropped and
created again on every run. Any other database is only upgraded and used as it is.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parent.parent
LEGALAID = str(Path(sys.executable).with_name("legalaid"))


def database_url(given: str | None, default_name: str) -> str:
    """``given``, else $DATABASE_URL, else a local PostgreSQL database named ``default_name``."""
    return given or os.environ.get("DATABASE_URL") or f"postgresql://postgres@127.0.0.1:5432/{default_name}"


def libpq_url(url: str) -> str:
    """The URL without SQLAlchemy's ``+driver`` part, for psycopg."""
    scheme, rest = url.split("://", 1)
    base = scheme.split("+", 1)[0]
    return f"{'postgresql' if base == 'postgres' else base}://{rest}"


def is_bench_owned(url: str) -> bool:
    parts = urlsplit(libpq_url(url))
    return parts.scheme == "postgresql" and parts.path.lstrip("/").startswith("bench_")


def recreate(url: str) -> None:
    """Drop and create a ``bench_`` database (refuses any other)."""
    if not is_bench_owned(url):
        raise SystemExit(f"refusing to drop {url!r}: only PostgreSQL databases named bench_* are recreated")
    parts = urlsplit(libpq_url(url))
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def app_environment(url: str, secret_key: str | None = None) -> dict[str, str]:
    """Environment for ``legalaid`` subprocesses and gunicorn: this database, a production-like config."""
    env = dict(os.environ)
    env["DATABASE_URL"] = url
    env["SECRET_KEY"] = secret_key or secrets.token_hex(32)
    env.pop("LEGALAID_DEBUG", None)
    return env


def prepare(url: str, env: dict[str, str]) -> None:
    """Recreate the database if it is a bench one, then ``legalaid db upgrade``."""
    if is_bench_owned(url):
        recreate(url)
    subprocess.run([LEGALAID, "db", "upgrade"], env=env, cwd=REPO, check=True, capture_output=True)


def create_user(env: dict[str, str], username: str, password: str, role: str = "coordinator") -> None:
    subprocess.run(
        [LEGALAID, "users", "create", username, "--role", role, "--password-stdin"],
        input=password + "\n",
        text=True,
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
    )
