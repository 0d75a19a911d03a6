"""duty pools, rotas, shifts, swaps, legal help (issue 14)

Revision ID: 0015_duty_rota
Revises: 0014_case_stations
Create Date: 2026-12-05 23:00:00.000000
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0015_duty_rota"
down_revision = "0014_case_stations"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
