"""supervision scheduling: hearings, observations, follow-up calls, reminders

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
import legalaid.db


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('daily_run',
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('done_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('job', 'day', name=op.f('pk_daily_run'))
    )
    op.create_table('rota_counter',
    sa.Column('duty', sa.String(length=20), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('duty', name=op.f('pk_rota_counter'))
    )
    op.create_table('scheduler_lease',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('expires_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_lease'))
    )
    op.create_table('calendar_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.Column('changed_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by'], ['user_account.id'], name=op.f('fk_calendar_day_changed_by_user_account')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_day'))
    )
    op.create_table('calendar_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_calendar_feed_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feed_token_hash'))
    )
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feed_user_id'), ['user_id'], unique=False)
    op.create_table('reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=True),
    sa.Column('due_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('event_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('sent_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('read_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('object_type', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('created_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'sent', 'expired', 'cancelled')", name=op.f('ck_reminder_status_known')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_reminder_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder')),
    sa.UniqueConstraint('key', name=op.f('uq_reminder_key'))
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_inbox', ['user_id', 'sent_at'], unique=False)
        batch_op.create_index('ix_reminder_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index('ix_reminder_pending_due', ['due_at'], unique=False, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.create_index('ix_reminder_unread', ['user_id'], unique=False, sqlite_where=sa.text("status = 'sent' AND read_at IS NULL"), postgresql_where=sa.text("status = 'sent' AND read_at IS NULL"))
    op.create_table('supervisor_turn',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('duty', sa.String(length=20), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.Column('turns', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_supervisor_turn_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'duty', name=op.f('pk_supervisor_turn'))
    )
    op.create_table('hearing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('court', sa.String(length=200), nullable=False),
    sa.Column('room', sa.String(length=60), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('observe', sa.Boolean(), nullable=False),
    sa.Column('observation_reason', sa.String(length=20), nullable=False),
    sa.Column('sample_draw', sa.Float(), nullable=True),
    sa.Column('sample_rate', sa.Float(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=300), nullable=True),
    sa.CheckConstraint("observation_reason IN ('group_case', 'major_case', 'life_or_death', 'first_case', 'yearly', 'sampled', 'not_sampled')", name=op.f('ck_hearing_observation_reason_known')),
    sa.CheckConstraint("status IN ('scheduled', 'cancelled')", name=op.f('ck_hearing_status_known')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_hearing_ends_after_start')),
    sa.ForeignKeyConstraint(['case_id'], ['legal_case.id'], name=op.f('fk_hearing_case_id_legal_case')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_hearing_provider_id_provider')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], name=op.f('fk_hearing_recorded_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing'))
    )
    with op.batch_alter_table('hearing', schema=None) as batch_op:
        batch_op.create_index('ix_hearing_case', ['case_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_hearing_provider', ['provider_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_hearing_starts', ['starts_at'], unique=False)
    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reminder_id', sa.Integer(), nullable=True),
    sa.Column('message_id', sa.String(length=250), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_outbox_message_status_known')),
    sa.ForeignKeyConstraint(['reminder_id'], ['reminder.id'], name=op.f('fk_outbox_message_reminder_id_reminder'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message')),
    sa.UniqueConstraint('message_id', name=op.f('uq_outbox_message_message_id'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_reminder_id'), ['reminder_id'], unique=False)
    op.create_table('follow_up_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('hearing_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('caller_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('via_contact', sa.Boolean(), nullable=False),
    sa.Column('callee_name', sa.String(length=120), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('done_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("purpose IN ('after_assignment', 'after_hearing', 'after_closing')", name=op.f('ck_follow_up_call_purpose_known')),
    sa.CheckConstraint("status IN ('planned', 'retrying', 'done', 'unreachable', 'cancelled')", name=op.f('ck_follow_up_call_status_known')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_follow_up_call_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['caller_id'], ['user_account.id'], name=op.f('fk_follow_up_call_caller_id_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['legal_case.id'], name=op.f('fk_follow_up_call_case_id_legal_case')),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearing.id'], name=op.f('fk_follow_up_call_hearing_id_hearing')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_follow_up_call_provider_id_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up_call')),
    sa.UniqueConstraint('key', name=op.f('uq_follow_up_call_key'))
    )
    with op.batch_alter_table('follow_up_call', schema=None) as batch_op:
        batch_op.create_index('ix_follow_up_call_caller', ['caller_id', 'due_on'], unique=False)
        batch_op.create_index('ix_follow_up_call_case', ['case_id'], unique=False)
        batch_op.create_index('ix_follow_up_call_due', ['status', 'due_on'], unique=False)
    op.create_table('observation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hearing_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('observer_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('starts_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('preparation', sa.Integer(), nullable=True),
    sa.Column('examination', sa.Integer(), nullable=True),
    sa.Column('argument', sa.Integer(), nullable=True),
    sa.Column('effect', sa.Integer(), nullable=True),
    sa.Column('court_view', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('reported_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reported_by', sa.Integer(), nullable=True),
    sa.Column('created_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('unassigned', 'scheduled', 'reported', 'cancelled')", name=op.f('ck_observation_status_known')),
    sa.CheckConstraint('argument IS NULL OR (argument BETWEEN 1 AND 5)', name=op.f('ck_observation_argument_1_to_5')),
    sa.CheckConstraint('effect IS NULL OR (effect BETWEEN 1 AND 5)', name=op.f('ck_observation_effect_1_to_5')),
    sa.CheckConstraint('examination IS NULL OR (examination BETWEEN 1 AND 5)', name=op.f('ck_observation_examination_1_to_5')),
    sa.CheckConstraint('preparation IS NULL OR (preparation BETWEEN 1 AND 5)', name=op.f('ck_observation_preparation_1_to_5')),
    sa.ForeignKeyConstraint(['case_id'], ['legal_case.id'], name=op.f('fk_observation_case_id_legal_case')),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearing.id'], name=op.f('fk_observation_hearing_id_hearing')),
    sa.ForeignKeyConstraint(['observer_id'], ['user_account.id'], name=op.f('fk_observation_observer_id_user_account')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_observation_provider_id_provider')),
    sa.ForeignKeyConstraint(['reported_by'], ['user_account.id'], name=op.f('fk_observation_reported_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observation')),
    sa.UniqueConstraint('hearing_id', name=op.f('uq_observation_hearing_id'))
    )
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_observation_case', ['case_id'], unique=False)
        batch_op.create_index('ix_observation_observer', ['observer_id', 'status'], unique=False)
        batch_op.create_index('ix_observation_provider', ['provider_id'], unique=False)
        batch_op.create_index('ix_observation_starts', ['starts_at'], unique=False)
    op.create_table('call_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reached', sa.Boolean(), nullable=False),
    sa.Column('satisfaction', sa.String(length=30), nullable=True),
    sa.Column('took_money', sa.Boolean(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.CheckConstraint("satisfaction IS NULL OR satisfaction IN ('satisfied', 'basically_satisfied', 'unsatisfied')", name=op.f('ck_call_attempt_satisfaction_known')),
    sa.ForeignKeyConstraint(['by_id'], ['user_account.id'], name=op.f('fk_call_attempt_by_id_user_account')),
    sa.ForeignKeyConstraint(['call_id'], ['follow_up_call.id'], name=op.f('fk_call_attempt_call_id_follow_up_call')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_attempt'))
    )
    with op.batch_alter_table('call_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_attempt_call_id'), ['call_id'], unique=False)
    op.create_table('red_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('attempt_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('raised_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('raised_by', sa.Integer(), nullable=True),
    sa.Column('resolved_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('resolution_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('took_money')", name=op.f('ck_red_flag_kind_known')),
    sa.CheckConstraint("status IN ('open', 'confirmed', 'dismissed')", name=op.f('ck_red_flag_status_known')),
    sa.ForeignKeyConstraint(['attempt_id'], ['call_attempt.id'], name=op.f('fk_red_flag_attempt_id_call_attempt')),
    sa.ForeignKeyConstraint(['call_id'], ['follow_up_call.id'], name=op.f('fk_red_flag_call_id_follow_up_call')),
    sa.ForeignKeyConstraint(['case_id'], ['legal_case.id'], name=op.f('fk_red_flag_case_id_legal_case')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_red_flag_provider_id_provider')),
    sa.ForeignKeyConstraint(['raised_by'], ['user_account.id'], name=op.f('fk_red_flag_raised_by_user_account')),
    sa.ForeignKeyConstraint(['resolved_by'], ['user_account.id'], name=op.f('fk_red_flag_resolved_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_red_flag'))
    )
    with op.batch_alter_table('red_flag', schema=None) as batch_op:
        batch_op.create_index('ix_red_flag_case', ['case_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('red_flag', schema=None) as batch_op:
        batch_op.drop_index('ix_red_flag_case')
    op.drop_table('red_flag')
    with op.batch_alter_table('call_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_attempt_call_id'))
    op.drop_table('call_attempt')
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index('ix_observation_starts')
        batch_op.drop_index('ix_observation_provider')
        batch_op.drop_index('ix_observation_observer')
        batch_op.drop_index('ix_observation_case')
    op.drop_table('observation')
    with op.batch_alter_table('follow_up_call', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_up_call_due')
        batch_op.drop_index('ix_follow_up_call_case')
        batch_op.drop_index('ix_follow_up_call_caller')
    op.drop_table('follow_up_call')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_reminder_id'))
        batch_op.drop_index('ix_outbox_message_due')
    op.drop_table('outbox_message')
    with op.batch_alter_table('hearing', schema=None) as batch_op:
        batch_op.drop_index('ix_hearing_starts')
        batch_op.drop_index('ix_hearing_provider')
        batch_op.drop_index('ix_hearing_case')
    op.drop_table('hearing')
    op.drop_table('supervisor_turn')
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_unread', sqlite_where=sa.text("status = 'sent' AND read_at IS NULL"), postgresql_where=sa.text("status = 'sent' AND read_at IS NULL"))
        batch_op.drop_index('ix_reminder_pending_due', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index('ix_reminder_object')
        batch_op.drop_index('ix_reminder_inbox')
    op.drop_table('reminder')
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feed_user_id'))
    op.drop_table('calendar_feed')
    op.drop_table('calendar_day')
    op.drop_table('scheduler_lease')
    op.drop_table('rota_counter')
    op.drop_table('daily_run')
