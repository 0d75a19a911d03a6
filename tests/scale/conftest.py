"""Issue 16's scale tests: a small set made by bench/generate.py on the test database (PostgreSQL)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = str(Path(__file__).resolve().parents[2] / "bench")


def generate_into(app, providers: int, cases: int, seed: int = 16) -> None:
    """Fill the test database (already migrated and reset by the ``app`` fixture) with the generator."""
    if BENCH not in sys.path:
        sys.path.insert(0, BENCH)
    import generate

    from legalaid.db import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # the generator drops and re-creates indexes: no idle transaction in the way
    generate.generate(
        app.config["SQLALCHEMY_DATABASE_URI"], providers=providers, cases=cases, seed=seed, prepare=False
    )


@pytest.fixture
def generated(app):
    """A small centre: 60 providers, 1,500 cases, every stage."""
    generate_into(app, providers=60, cases=1500)
    return app
