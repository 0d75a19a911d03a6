"""The schema exists only through the migrations; they and the models must agree."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from legalaid.db import db


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_db_check_command_passes(runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_one_head(app):
    from alembic.script import ScriptDirectory

    migrate = app.extensions["migrate"]
    with app.app_context():
        config = migrate.migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
