"""inbox message codes: a reminder names its message and its facts, put into words when read

Revision ID: 0012_inbox_message_codes
Revises: 0011_organization_bank
Create Date: 2026-12-05 20:40:00.000000

A reminder was stored as text in its recipient's language at the time it was planned, so a reader who
switched language met the other one. It now also keeps a message code and its parameters (JSON); the
inbox and the e-mail put them into words in the reader's language. Older rows have neither and are
shown with their stored text.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_inbox_message_codes"
down_revision = "0011_organization_bank"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_column("params")
        batch_op.drop_column("message")
