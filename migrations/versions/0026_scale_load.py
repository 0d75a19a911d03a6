"""the pages of the 50-user load off their indexes (issue 16)

``ix_score_file_marking`` (partial: the files still being marked, 54,000 of 890,000 in a province):
the scoring worklist's counts by stage and type and the supervisor's home panel read it alone
(index-only) instead of 12,000 heap pages (43 ms → 5–11 ms).

Revision ID: 0026_scale_load
Revises: 0025_export_jobs
Create Date: 2026-12-06 10:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026_scale_load"
down_revision = "0025_export_jobs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_score_file_marking",
        "score_file",
        ["status", "case_type", "case_id"],
        postgresql_where=sa.text("status <> 'final'"),
        sqlite_where=sa.text("status <> 'final'"),
    )


def downgrade():
    op.drop_index("ix_score_file_marking", table_name="score_file")
