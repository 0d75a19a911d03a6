"""indexes for province scale, third part (issue 16): the deadlines, calls and scoring lists

* ``ix_case_closing_materials_due`` / ``ix_case_closing_review_due`` (partial): the deadlines list
  reads closing materials still to hand in, and handed-in files to review, in the order of their
  start (274 ms and 0.6-1.8 s a page at 1,000,000 cases; about 1 and 14 ms with them).
* ``ix_follow_up_call_due_order``: the follow-up calls list's order (256 ms → 0.2 ms).
* ``ix_score_file_ended``: the score-files list's order (183 ms → 1 ms).
* ``ix_assignment_assigned_by``: the scorer's worklist (three sequential scans of the assignments).

Revision ID: 0020_scale_lists
Revises: 0019_scale_queue_subsidy
Create Date: 2026-12-06 03:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020_scale_lists"
down_revision = "0019_scale_queue_subsidy"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("case_closing") as batch:
        batch.create_index(
            "ix_case_closing_materials_due",
            ["ended_on", "case_id"],
            sqlite_where=sa.text("documents_complete_on IS NULL"),
            postgresql_where=sa.text("documents_complete_on IS NULL"),
        )
        batch.create_index(
            "ix_case_closing_review_due",
            ["documents_complete_on", "case_id"],
            sqlite_where=sa.text("documents_complete_on IS NOT NULL"),
            postgresql_where=sa.text("documents_complete_on IS NOT NULL"),
        )
    with op.batch_alter_table("follow_up_call") as batch:
        batch.create_index("ix_follow_up_call_due_order", ["due_on", "id"])
    with op.batch_alter_table("score_file") as batch:
        batch.create_index("ix_score_file_ended", ["ended_on", "case_id"])
    with op.batch_alter_table("assignment") as batch:
        batch.create_index("ix_assignment_assigned_by", ["assigned_by"])


def downgrade():
    with op.batch_alter_table("assignment") as batch:
        batch.drop_index("ix_assignment_assigned_by")
    with op.batch_alter_table("score_file") as batch:
        batch.drop_index("ix_score_file_ended")
    with op.batch_alter_table("follow_up_call") as batch:
        batch.drop_index("ix_follow_up_call_due_order")
    with op.batch_alter_table("case_closing") as batch:
        batch.drop_index("ix_case_closing_review_due")
        batch.drop_index("ix_case_closing_materials_due")
