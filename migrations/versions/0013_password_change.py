"""must change password at next sign-in (issue 11)

Revision ID: 0013_password_change
Revises: 0012_inbox_message_codes
Create Date: 2026-12-05 23:00:00.000000
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

# revision identifiers, used by Alembic.
revision = "0013_password_change"
down_revision = "0012_inbox_message_codes"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
