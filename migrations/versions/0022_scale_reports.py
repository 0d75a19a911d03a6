"""indexes for province scale, the reports (issue 16): the statistics summary and the fairness report

Each statement of the two reports reads its period from one index holding every column it needs
(an index-only scan, no visit to the table's rows), measured at 1,000,000 cases:

* (a period's cases by day, type, status and green channel: ``ix_legal_case_received`` of 0021.)
* ``ix_hearing_held``: the period's hearings held, joined to their observation (126 → 45 ms).
* ``ix_call_attempt_at``, ``ix_follow_up_call_done``: the satisfaction answers and the calls done
  in the period (two sequential scans before).
* ``ix_case_closing_ended``: the cases closed per month (a sequential scan before).
* ``ix_assignment_pool_tally``: a pool's assignments in a period, per provider and coordinator, for
  the fairness report (a bitmap scan of 53,000 rows of the table before).

Revision ID: 0022_scale_reports
Revises: 0021_annual_scale
Create Date: 2026-12-06 06:40:00.000000
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0022_scale_reports"
down_revision = "0021_annual_scale"
branch_labels = None
depends_on = None

INDEXES = {
    "hearing": {"ix_hearing_held": ["starts_at", "status", "id"]},
    "call_attempt": {"ix_call_attempt_at": ["at", "reached", "satisfaction"]},
    "follow_up_call": {"ix_follow_up_call_done": ["done_at"]},
    "case_closing": {"ix_case_closing_ended": ["ended_on"]},
    "assignment": {
        "ix_assignment_pool_tally": [
            "pool_id",
            "assigned_at",
            "provider_id",
            "assigned_by",
            "counted",
            "override",
            "status",
        ]
    },
}


def upgrade():
    for table, indexes in INDEXES.items():
        with op.batch_alter_table(table) as batch:
            for name, columns in indexes.items():
                batch.create_index(name, columns)


def downgrade():
    for table, indexes in reversed(INDEXES.items()):
        with op.batch_alter_table(table) as batch:
            for name in indexes:
                batch.drop_index(name)
