"""input limits: usernames unique regardless of case

Revision ID: 0007_input_limits
Revises: 0006_sessions
Create Date: 2026-12-05 17:00:00.000000

"ADMIN" beside "admin" is refused by users.create_user; this index makes the database refuse it too,
whoever writes the row. A database that already holds two such names stops here and names them:
rename one (``UPDATE user_account SET username = ...``) and upgrade again.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_input_limits'
down_revision = '0006_sessions'
branch_labels = None
depends_on = None


def upgrade():
    clashes = op.get_bind().execute(
        sa.text(
            "SELECT lower(username) AS name FROM user_account GROUP BY lower(username) HAVING count(*) > 1"
        )
    ).scalars().all()
    if clashes:
        raise RuntimeError(
            "These usernames differ only in case; rename all but one of each, then upgrade again: "
            + ", ".join(sorted(clashes))
        )
    op.create_index(
        'uq_user_account_username_lower', 'user_account', [sa.text('lower(username)')], unique=True
    )


def downgrade():
    op.drop_index('uq_user_account_username_lower', table_name='user_account')
