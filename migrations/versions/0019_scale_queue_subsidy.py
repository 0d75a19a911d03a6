"""indexes for province scale, second part (issue 16)

* ``ix_legal_case_queue_order`` (PostgreSQL, partial): the queue's few cases still to decide, assign
  or accept, in the list's order. The home page's and /cases' sections took 300-400 ms walking the
  order's index through a million decided cases to find five undecided ones.
* ``ix_subsidy_archived_order``: the subsidy list's default order (archived, then id).
* ``ix_subsidy_rate`` (PostgreSQL): the rate a subsidy was computed with, as its breakdown names it;
  the rate table asks which rates are in use (they can no longer be edited), one probe per rate
  instead of reading 900,000 breakdowns (4.3 s).

Revision ID: 0019_scale_queue_subsidy
Revises: 0018_scale_indexes
Create Date: 2026-12-06 03:10:00.000000
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_scale_queue_subsidy"
down_revision = "0018_scale_indexes"
branch_labels = None
depends_on = None

QUEUE = "status IN ('applied', 'pending_materials', 'accepted', 'assigned')"
POSTGRESQL_INDEXES = {
    "ix_legal_case_queue_order": f"ON legal_case (green_channel DESC, received_on, id) WHERE {QUEUE}",
    "ix_subsidy_rate": "ON subsidy (((breakdown ->> 'rate_id')::integer))",
}


def upgrade():
    with op.batch_alter_table("subsidy") as batch:
        batch.create_index("ix_subsidy_archived_order", ["archived_on", "id"])
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, definition in POSTGRESQL_INDEXES.items():
        op.execute(f"CREATE INDEX {name} {definition}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in POSTGRESQL_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table("subsidy") as batch:
        batch.drop_index("ix_subsidy_archived_order")
