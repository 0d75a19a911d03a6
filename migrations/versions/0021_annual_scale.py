"""the annual report at province scale (issue 15)

* ``ix_legal_case_received``: cases by the day their application was received, then id, with their
  type, status and green channel. The annual report's drill-down lists a figure's cases in that
  order (165,000 a year in a province: a page and its count capped at 10,000 walk the index instead
  of sorting the year, 590 ms before), and the report's and the statistics summary's counts of a
  period's cases by type, status and green channel read the index alone.

Revision ID: 0021_annual_scale
Revises: 0020_scale_lists
Create Date: 2026-12-06 06:30:00.000000
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0021_annual_scale"
down_revision = "0020_scale_lists"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("legal_case") as batch:
        batch.create_index(
            "ix_legal_case_received", ["received_on", "id", "case_type", "status", "green_channel"]
        )


def downgrade():
    with op.batch_alter_table("legal_case") as batch:
        batch.drop_index("ix_legal_case_received")
