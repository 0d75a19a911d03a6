"""Every state-changing operation of the OpenAPI document has a race, and every race holds (the harness
and its classes: tests/races/harness.py; the races: the ``races_*`` modules). The races run on the
suite's database: SQLite, and PostgreSQL when ``LEGALAID_TEST_DATABASE_URL`` is set."""

from __future__ import annotations

import shutil

import pytest

from legalaid import create_app
from legalaid.answers import close_head_reader
from legalaid.db import db
from tests.conftest import ON_POSTGRES, _config, _reset_to_migrated_state
from tests.races.centre import Centre
from tests.races.harness import load_races

STATE_CHANGING = ("post", "put", "patch", "delete")
RACES = load_races()


@pytest.fixture(scope="module")
def centre(request, migrated_url, tmp_path_factory):
    if ON_POSTGRES:
        url = migrated_url
    else:
        path = tmp_path_factory.mktemp("race_harness") / "races.sqlite3"
        shutil.copyfile(migrated_url.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    app = create_app(_config(url))
    if ON_POSTGRES:
        _reset_to_migrated_state(app)
    yield Centre(app)
    with app.app_context():
        close_head_reader(app)
        db.session.remove()
        db.engine.dispose()


def state_changing_operations(app) -> set[str]:
    from legalaid.openapi import openapi_document

    with app.app_context():
        document = openapi_document(app)
    return {
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in STATE_CHANGING
    }


def test_every_state_changing_operation_has_a_race(centre):
    operations = state_changing_operations(centre.app)
    covered = {op for r in RACES.values() for op in r.ops}
    assert not operations - covered, f"operations without a race: {sorted(operations - covered)}"
    assert not covered - operations, (
        f"races for operations that no longer exist: {sorted(covered - operations)}"
    )
    # Every operation has a race of its own besides any mixed one.
    alone = {op for r in RACES.values() if r.kind != "mixed" for op in r.ops}
    assert not operations - alone, sorted(operations - alone)


@pytest.mark.parametrize("name", sorted(RACES), ids=lambda n: f"{RACES[n].kind}-{n}")
def test_race(centre, name):
    RACES[name].run(centre)
    centre.chain_holds()  # DESIGN.md §5: the audit chain verifies after every race
