"""must change password at next sign-in (issue 11)

Revision ID: 0013_password_change
Revises: 0012_inbox_message_codes
Create Date: 2026-12-05 23:00:00.000000

An admin who sets a temporary password may require its holder to choose their own at the next
sign-in: until they do, every page leads to the change-password page and the API answers 403
``password_change_required``.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_password_change"
down_revision = "0012_inbox_message_codes"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN (SQLite has it, with a default): a batch would copy the table on SQLite and
    # lose the expression index on lower(username) (0007), which SQLite cannot reflect.
    op.add_column(
        "user_account",
        sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
    if op.get_bind().dialect.name == "sqlite":  # the copied table lost it (see upgrade)
        op.create_index(
            "uq_user_account_username_lower", "user_account", [sa.text("lower(username)")], unique=True
        )
