"""the pages of the 50-user load off their indexes (issue 16)

``ix_score_file_marking`` (partial: the files still being marked, 54,000 of 890,000 in a province):
the scoring worklist's counts by stage and type and the supervisor's home panel read it alone
(index-only) instead of 12,000 heap pages (43 ms → 5–11 ms).

``ix_legal_case_contact_phone`` (partial: the cases with a contact's number): the desk's earlier
consultations and cases of a caller read the cases by applicant's or contact's phone, a BitmapOr with
``ix_legal_case_phone_prefix`` instead of a sequential scan of the cases (83 ms → 0.3 ms).

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
    op.create_index(
        "ix_legal_case_contact_phone",
        "legal_case",
        ["contact_phone"],
        postgresql_where=sa.text("contact_phone IS NOT NULL"),
        sqlite_where=sa.text("contact_phone IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_legal_case_contact_phone", table_name="legal_case")
    op.drop_index("ix_score_file_marking", table_name="score_file")
