"""The rows the migrations seed, kept to reset a PostgreSQL test database to its migrated state.

pytest loads tests/conftest.py as ``conftest``; a test that imports ``tests.conftest`` gets a second
copy of that module. Both copies import this one module by the same name, so both see the rows the
session's migration seeded (a copy with an empty dict would reset PostgreSQL to no rates at all)."""

SEEDED_ROWS: dict[str, list[dict]] = {}
