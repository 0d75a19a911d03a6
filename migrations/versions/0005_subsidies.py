"""archiving and subsidies: archive, rates, subsidies, payment batches

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 03:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
import legalaid.clock
import legalaid.db


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    import datetime

    op.create_table('archive_counter',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_archive_counter'))
    )
    op.create_table('payment_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('payee_mode', sa.String(length=20), nullable=False),
    sa.Column('created_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('bank_reference', sa.String(length=100), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('confirmed_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by', sa.Integer(), nullable=True),
    sa.Column('failed_count', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'confirmed', 'cancelled')", name=op.f('ck_payment_batch_status_known')),
    sa.ForeignKeyConstraint(['cancelled_by'], ['user_account.id'], name=op.f('fk_payment_batch_cancelled_by_user_account')),
    sa.ForeignKeyConstraint(['confirmed_by'], ['user_account.id'], name=op.f('fk_payment_batch_confirmed_by_user_account')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_payment_batch_created_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_batch'))
    )
    op.create_table('subsidy_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_type', sa.String(length=20), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('provider_kind', sa.String(length=20), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("case_type IN ('criminal', 'civil', 'administrative', 'non_litigation')", name=op.f('ck_subsidy_rate_case_type_known')),
    sa.CheckConstraint("provider_kind IN ('lawyer', 'legal_adviser')", name=op.f('ck_subsidy_rate_provider_kind_known')),
    sa.CheckConstraint("stage IN ('investigation', 'prosecution', 'trial', '')", name=op.f('ck_subsidy_rate_stage_known')),
    sa.CheckConstraint('amount_fen >= 0', name=op.f('ck_subsidy_rate_amount_not_negative')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_subsidy_rate_created_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_rate')),
    sa.UniqueConstraint('case_type', 'stage', 'provider_kind', 'effective_from', name=op.f('uq_subsidy_rate_case_type_stage_provider_kind_effective_from'))
    )
    op.create_table('archive_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=12), nullable=False),
    sa.Column('archived_on', sa.Date(), nullable=False),
    sa.Column('archived_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('archived_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['archived_by'], ['user_account.id'], name=op.f('fk_archive_record_archived_by_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['legal_case.id'], name=op.f('fk_archive_record_case_id_legal_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_record')),
    sa.UniqueConstraint('case_id', name=op.f('uq_archive_record_case_id')),
    sa.UniqueConstraint('id', 'case_id', name='uq_archive_record_id_case'),
    sa.UniqueConstraint('number', name=op.f('uq_archive_record_number')),
    sa.UniqueConstraint('year', 'seq', name=op.f('uq_archive_record_year_seq'))
    )
    op.create_table('subsidy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=True),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=True),
    sa.Column('breakdown', sa.JSON(), nullable=True),
    sa.Column('archive_id', sa.Integer(), nullable=True),
    sa.Column('archived_on', sa.Date(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('held_from', sa.String(length=20), nullable=True),
    sa.Column('hold_reason', sa.Text(), nullable=True),
    sa.Column('reversal_of_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('bank_reference', sa.String(length=100), nullable=True),
    sa.Column('created_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('computed_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(reversal_of_id IS NULL) = (status <> 'reversed')", name=op.f('ck_subsidy_reversal_is_an_entry')),
    sa.CheckConstraint("batch_id IS NULL OR status IN ('batched', 'paid')", name=op.f('ck_subsidy_batch_only_when_batched')),
    sa.CheckConstraint("held_from IN ('pending', 'payable')", name=op.f('ck_subsidy_held_from_known')),
    sa.CheckConstraint("status <> 'batched' OR batch_id IS NOT NULL", name=op.f('ck_subsidy_batched_has_batch')),
    sa.CheckConstraint("status <> 'held' OR held_from IS NOT NULL", name=op.f('ck_subsidy_held_remembers_state')),
    sa.CheckConstraint("status IN ('pending', 'payable', 'held', 'batched', 'paid', 'reversed', 'cancelled')", name=op.f('ck_subsidy_status_known')),
    sa.CheckConstraint("status NOT IN ('payable', 'batched', 'paid') OR archive_id IS NOT NULL", name=op.f('ck_subsidy_archived_when_payable')),
    sa.CheckConstraint("status NOT IN ('payable', 'batched', 'paid', 'reversed') OR amount_fen IS NOT NULL", name=op.f('ck_subsidy_amount_when_payable')),
    sa.CheckConstraint('reversal_of_id IS NOT NULL OR amount_fen IS NULL OR amount_fen >= 0', name=op.f('ck_subsidy_only_reversals_negative')),
    sa.ForeignKeyConstraint(['archive_id', 'case_id'], ['archive_record.id', 'archive_record.case_id'], name='fk_subsidy_archive_of_own_case'),
    sa.ForeignKeyConstraint(['archive_id'], ['archive_record.id'], name=op.f('fk_subsidy_archive_id_archive_record')),
    sa.ForeignKeyConstraint(['assignment_id'], ['assignment.id'], name=op.f('fk_subsidy_assignment_id_assignment')),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batch.id'], name=op.f('fk_subsidy_batch_id_payment_batch')),
    sa.ForeignKeyConstraint(['case_id'], ['legal_case.id'], name=op.f('fk_subsidy_case_id_legal_case')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_subsidy_provider_id_provider')),
    sa.ForeignKeyConstraint(['reversal_of_id'], ['subsidy.id'], name=op.f('fk_subsidy_reversal_of_id_subsidy')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy'))
    )
    with op.batch_alter_table('subsidy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subsidy_archive_id'), ['archive_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_subsidy_provider', ['provider_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subsidy_reversal_of_id'), ['reversal_of_id'], unique=False)
        batch_op.create_index('ix_subsidy_status_archived', ['status', 'archived_on'], unique=False)
        batch_op.create_index('uq_subsidy_live_case', ['case_id'], unique=True, sqlite_where=sa.text("status <> 'cancelled' AND reversal_of_id IS NULL"), postgresql_where=sa.text("status <> 'cancelled' AND reversal_of_id IS NULL"))

    op.create_table('payment_batch_item',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('subsidy_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.CheckConstraint("outcome IN ('pending', 'paid', 'failed', 'cancelled')", name=op.f('ck_payment_batch_item_outcome_known')),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batch.id'], name=op.f('fk_payment_batch_item_batch_id_payment_batch')),
    sa.ForeignKeyConstraint(['subsidy_id'], ['subsidy.id'], name=op.f('fk_payment_batch_item_subsidy_id_subsidy')),
    sa.PrimaryKeyConstraint('batch_id', 'subsidy_id', name=op.f('pk_payment_batch_item'))
    )
    with op.batch_alter_table('payment_batch_item', schema=None) as batch_op:
        batch_op.create_index('uq_payment_batch_item_live', ['subsidy_id'], unique=True, sqlite_where=sa.text("outcome IN ('pending', 'paid')"), postgresql_where=sa.text("outcome IN ('pending', 'paid')"))

    # DESIGN.md §4 default rates (yuan per case, stored in fen; Putian Hanjiang 2016, Tianchang 2020),
    # in force from long before any assignment; legal advisers' rows equal lawyers' by default.
    rates = sa.table(
        "subsidy_rate",
        sa.column("case_type", sa.String),
        sa.column("stage", sa.String),
        sa.column("provider_kind", sa.String),
        sa.column("effective_from", sa.Date),
        sa.column("amount_fen", sa.BigInteger),
        sa.column("note", sa.String),
        sa.column("created_at", legalaid.db.UTCDateTime(timezone=True)),
    )
    defaults = [
        ("criminal", "investigation", 800),
        ("criminal", "prosecution", 1000),
        ("criminal", "trial", 1200),
        ("civil", "", 1200),
        ("administrative", "", 1200),
        ("non_litigation", "", 800),
    ]
    now = legalaid.clock.now()
    op.bulk_insert(
        rates,
        [
            {
                "case_type": case_type,
                "stage": stage,
                "provider_kind": kind,
                "effective_from": datetime.date(2000, 1, 1),
                "amount_fen": yuan * 100,
                "note": "default (DESIGN.md)",
                "created_at": now,
            }
            for case_type, stage, yuan in defaults
            for kind in ("lawyer", "legal_adviser")
        ],
    )


def downgrade():
    with op.batch_alter_table('payment_batch_item', schema=None) as batch_op:
        batch_op.drop_index('uq_payment_batch_item_live', sqlite_where=sa.text("outcome IN ('pending', 'paid')"), postgresql_where=sa.text("outcome IN ('pending', 'paid')"))

    op.drop_table('payment_batch_item')
    with op.batch_alter_table('subsidy', schema=None) as batch_op:
        batch_op.drop_index('uq_subsidy_live_case', sqlite_where=sa.text("status <> 'cancelled' AND reversal_of_id IS NULL"), postgresql_where=sa.text("status <> 'cancelled' AND reversal_of_id IS NULL"))
        batch_op.drop_index('ix_subsidy_status_archived')
        batch_op.drop_index(batch_op.f('ix_subsidy_reversal_of_id'))
        batch_op.drop_index('ix_subsidy_provider')
        batch_op.drop_index(batch_op.f('ix_subsidy_case_id'))
        batch_op.drop_index(batch_op.f('ix_subsidy_batch_id'))
        batch_op.drop_index(batch_op.f('ix_subsidy_archive_id'))

    op.drop_table('subsidy')
    op.drop_table('archive_record')
    op.drop_table('subsidy_rate')
    op.drop_table('payment_batch')
    op.drop_table('archive_counter')
