"""server-side sessions: one row per sign-in, ended by signing out or disabling the user

Revision ID: 0006_sessions
Revises: 0005
Create Date: 2026-12-05 16:30:00.000000

Sessions signed in before this revision carry no key and end with it: everyone signs in again.
"""
from alembic import op
import sqlalchemy as sa
import legalaid.db


# revision identifiers, used by Alembic.
revision = '0006_sessions'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('started_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_user_session_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_user_session_key_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
