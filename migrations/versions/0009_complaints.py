"""complaints: the complaint register and its time limits

Revision ID: 0009_complaints
Revises: 0008_front_desk
Create Date: 2026-12-05 19:25:33.558551

法律援助投诉处理办法 (2025): a complaint is accepted or refused within 5 working days, decided within 45
days of acceptance (one extension) and answered within 5 working days of the decision; each limit is a
date on the row, so the deadlines page and the digest read them without counting again.
"""
from alembic import op
import sqlalchemy as sa
import legalaid.db


# revision identifiers, used by Alembic.
revision = '0009_complaints'
down_revision = '0008_front_desk'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('complainant_name', sa.String(length=120), nullable=False),
    sa.Column('complainant_relation', sa.String(length=20), nullable=False),
    sa.Column('complainant_phone', sa.String(length=30), nullable=True),
    sa.Column('respondent_kind', sa.String(length=20), nullable=False),
    sa.Column('respondent_organization_id', sa.Integer(), nullable=True),
    sa.Column('respondent_provider_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('matter', sa.String(length=30), nullable=False),
    sa.Column('request', sa.String(length=2000), nullable=False),
    sa.Column('facts', sa.String(length=4000), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('accept_by', sa.Date(), nullable=False),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('not_accepted_reason', sa.String(length=2000), nullable=True),
    sa.Column('decide_by', sa.Date(), nullable=True),
    sa.Column('extended_on', sa.Date(), nullable=True),
    sa.Column('extension_reason', sa.String(length=2000), nullable=True),
    sa.Column('statement_requested_on', sa.Date(), nullable=True),
    sa.Column('statement_due_on', sa.Date(), nullable=True),
    sa.Column('statement', sa.String(length=4000), nullable=True),
    sa.Column('statement_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=True),
    sa.Column('findings', sa.String(length=4000), nullable=True),
    sa.Column('pause_days', sa.Integer(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('leave_id', sa.Integer(), nullable=True),
    sa.Column('red_flag_id', sa.Integer(), nullable=True),
    sa.Column('answer_by', sa.Date(), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('answer_method', sa.String(length=20), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("complainant_relation IN ('applicant', 'client', 'interested')", name=op.f('ck_complaint_relation_known')),
    sa.CheckConstraint("matter IN ('wrongful_acceptance', 'wrongful_refusal', 'wrongful_assignment', 'neglect', 'took_money', 'leaked_privacy', 'other')", name=op.f('ck_complaint_matter_known')),
    sa.CheckConstraint("outcome IN ('not_upheld', 'upheld_education', 'upheld_correction', 'referred_for_discipline') OR outcome IS NULL", name=op.f('ck_complaint_outcome_known')),
    sa.CheckConstraint("respondent_kind IN ('centre', 'organization', 'provider')", name=op.f('ck_complaint_respondent_kind_known')),
    sa.CheckConstraint("status IN ('received', 'accepted', 'not_accepted', 'investigating', 'decided', 'answered')", name=op.f('ck_complaint_status_known')),
    sa.ForeignKeyConstraint(['case_id'], ['legal_case.id'], name=op.f('fk_complaint_case_id_legal_case')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_complaint_created_by_user_account')),
    sa.ForeignKeyConstraint(['leave_id'], ['provider_leave.id'], name=op.f('fk_complaint_leave_id_provider_leave'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['red_flag_id'], ['red_flag.id'], name=op.f('fk_complaint_red_flag_id_red_flag')),
    sa.ForeignKeyConstraint(['respondent_organization_id'], ['organization.id'], name=op.f('fk_complaint_respondent_organization_id_organization')),
    sa.ForeignKeyConstraint(['respondent_provider_id'], ['provider.id'], name=op.f('fk_complaint_respondent_provider_id_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_respondent_provider_id'), ['respondent_provider_id'], unique=False)
        batch_op.create_index('ix_complaint_status', ['status', 'received_on'], unique=False)



def downgrade():
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_status')
        batch_op.drop_index(batch_op.f('ix_complaint_respondent_provider_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_case_id'))

    op.drop_table('complaint')
