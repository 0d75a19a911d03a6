"""cases taken at stations: station, receipt times, detained flag (issue 14)

Revision ID: 0014_case_stations
Revises: 0013_password_change
Create Date: 2026-12-05 23:00:00.000000
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0014_case_stations"
down_revision = "0013_password_change"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
