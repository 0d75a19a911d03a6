"""duty months archived and duty subsidies (issue 14)

Revision ID: 0016_duty_subsidy
Revises: 0015_duty_rota
Create Date: 2026-12-05 23:00:00.000000
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0016_duty_subsidy"
down_revision = "0015_duty_rota"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
