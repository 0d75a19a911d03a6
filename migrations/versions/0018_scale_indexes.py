"""indexes for province scale (issue 16)

The case list's order (green channel first, then by receipt) and its search (case-number prefix,
phone prefix, names by their pairs of characters), and the archive page's closed cases by number.
The PostgreSQL-only ones (a DESC key, pattern operator classes, a GIN index over
``legalaid_char_pairs`` of migration 0010) are declared in ``assignment/case_indexes.py`` with
``ddl_if(dialect="postgresql")``, so the models and the migrations agree on both databases.

Revision ID: 0018_scale_indexes
Revises: 0017_annual_report
Create Date: 2026-12-05 23:00:00.000000
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018_scale_indexes"
down_revision = "0017_annual_report"
branch_labels = None
depends_on = None

POSTGRESQL_INDEXES = {
    # GET /cases: ORDER BY green_channel DESC, received_on, id (the old listing index has green_channel
    # ascending, which a backward scan cannot turn into DESC, ASC).
    "ix_legal_case_list_order": "ON legal_case (green_channel DESC, received_on, id)",
    "ix_legal_case_status_order": "ON legal_case (status, green_channel DESC, received_on, id)",
    # q=: names, by the pairs of adjacent characters (a 2-character name like 王伟 has one pair; a
    # trigram index cannot serve it).
    "ix_legal_case_name_pairs": (
        "ON legal_case USING gin "
        "(legalaid_char_pairs(coalesce(applicant_name, '') || ' ' || coalesce(opposing_party, '')))"
    ),
}


def upgrade():
    with op.batch_alter_table("legal_case") as batch:
        batch.create_index("ix_legal_case_status_number", ["status", "number"])
        # q=: a case number or a phone number by its beginning (LIKE 'x%' needs the pattern classes).
        batch.create_index(
            "ix_legal_case_number_prefix", ["number"], postgresql_ops={"number": "varchar_pattern_ops"}
        )
        batch.create_index(
            "ix_legal_case_phone_prefix",
            ["applicant_phone"],
            postgresql_ops={"applicant_phone": "varchar_pattern_ops"},
        )
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, definition in POSTGRESQL_INDEXES.items():
        op.execute(f"CREATE INDEX {name} {definition}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in POSTGRESQL_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table("legal_case") as batch:
        batch.drop_index("ix_legal_case_phone_prefix")
        batch.drop_index("ix_legal_case_number_prefix")
        batch.drop_index("ix_legal_case_status_number")
