"""indexes for province scale (issue 16)

Revision ID: 0018_scale_indexes
Revises: 0017_annual_report
Create Date: 2026-12-05 23:00:00.000000
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0018_scale_indexes"
down_revision = "0017_annual_report"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
