"""fields the annual report needs (issue 15)

Revision ID: 0017_annual_report
Revises: 0016_duty_subsidy
Create Date: 2026-12-05 23:00:00.000000
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0017_annual_report"
down_revision = "0016_duty_subsidy"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
