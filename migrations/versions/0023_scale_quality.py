"""indexes for province scale (issue 16): the quality report and the reconciliation

* ``ix_score_file_final_figures`` replaces ``ix_score_file_final`` (same keys) and carries what the
  quality report groups and sums: its figures and per-provider table read the period's final files
  off the index alone (bitmap heap scans of 40,000 files before).
* ``ix_score_sheet_case_marks`` replaces ``ix_score_sheet_case_id`` (same key) and carries a sheet's
  status, scorer and total: the scorers' drift joins the period's files to their sheets through it
  (a sequential scan of every sheet, 921,000 in a province, before: 278 ms → about 60 ms).
* ``ix_subsidy_money``: paid money by bank date (the reconciliation) and what is still owed, read off
  the index alone (a province's 753,000 paid subsidies were read three times a page before).

PostgreSQL only carries the included columns; SQLite gets the keys.

Revision ID: 0023_scale_quality
Revises: 0022_scale_reports
Create Date: 2026-12-06 06:30:00.000000
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0023_scale_quality"
down_revision = "0022_scale_reports"
branch_labels = None
depends_on = None

FILE_FIGURES = ["organization_id", "provider_id", "total", "grade", "case_id"]
SHEET_MARKS = ["status", "scorer_id", "total"]
MONEY = ["provider_id", "amount_fen", "archive_id"]


def upgrade():
    with op.batch_alter_table("score_file") as batch:
        batch.create_index(
            "ix_score_file_final_figures", ["status", "finalised_on"], postgresql_include=FILE_FIGURES
        )
        batch.drop_index("ix_score_file_final")
    with op.batch_alter_table("score_sheet") as batch:
        batch.create_index("ix_score_sheet_case_marks", ["case_id"], postgresql_include=SHEET_MARKS)
        batch.drop_index("ix_score_sheet_case_id")
    with op.batch_alter_table("subsidy") as batch:
        batch.create_index("ix_subsidy_money", ["status", "paid_on"], postgresql_include=MONEY)


def downgrade():
    with op.batch_alter_table("subsidy") as batch:
        batch.drop_index("ix_subsidy_money")
    with op.batch_alter_table("score_sheet") as batch:
        batch.create_index("ix_score_sheet_case_id", ["case_id"])
        batch.drop_index("ix_score_sheet_case_marks")
    with op.batch_alter_table("score_file") as batch:
        batch.create_index("ix_score_file_final", ["status", "finalised_on"])
        batch.drop_index("ix_score_file_final_figures")
