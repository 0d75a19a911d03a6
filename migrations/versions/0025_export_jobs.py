"""files prepared in the background (issue 16): the export job

One row per file asked for: who, what (kind and filters), status, rows written of rows expected, the
file under the instance folder's ``exports/``; ``beat_at`` is the writing thread's last sign of life
(a job silent for ten minutes lost its process and is marked failed).

Revision ID: 0025_export_jobs
Revises: 0024_station_figures
Create Date: 2026-12-08 07:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from legalaid.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0025_export_jobs"
down_revision = "0024_station_figures"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rows_done", sa.BigInteger(), nullable=False),
        sa.Column("rows_total", sa.BigInteger(), nullable=True),
        sa.Column("file_name", sa.String(length=120), nullable=True),
        sa.Column("failure", sa.String(length=20), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("beat_at", UTCDateTime(), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("removed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name="ck_export_job_status_known"
        ),
        sa.CheckConstraint("format IN ('csv', 'xlsx')", name="ck_export_job_format_known"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name="fk_export_job_user_id_user_account", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_export_job"),
    )
    op.create_index("ix_export_job_user", "export_job", ["user_id", "id"])
    op.create_index("ix_export_job_open", "export_job", ["status", "beat_at"])


def downgrade():
    op.drop_index("ix_export_job_open", table_name="export_job")
    op.drop_index("ix_export_job_user", table_name="export_job")
    op.drop_table("export_job")
