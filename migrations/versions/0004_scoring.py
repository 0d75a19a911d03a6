"""closing and scoring: checklists, score sheets, reviews

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 03:20:00.000000

"""
import datetime as dt

from alembic import op
import sqlalchemy as sa
import legalaid.clock
import legalaid.db


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


# The first checklist versions (DESIGN.md §4 "Scoring"), frozen here: a migration never changes when
# supervision/scoring/defaults.py does. (case_type, name, [(kind, code, label_zh, label_en, max_points,
# guidance, evidence, auto)]). Civil and administrative share the items; non-litigation has its own.
FIRST_VERSIONS = [('criminal',
  '刑事案件百分考核表',
  [('item', 'retainer', '委托手续及时办理', 'Retainer established on time', 8, '指派后5日内签订委托协议、授权委托书（程序规定第27条）。', '委托协议、授权委托书的签署日期。', 'retainer_timeliness'),
   ('item', 'client_meeting', '会见受援人', 'Meeting the client', 15, '及时会见受援人，了解案情并听取意见；刑事案件按规定会见在押人员。', '会见笔录（时间、地点、内容、签名）。', None),
   ('item', 'file_reading', '阅卷', 'Reading the case file', 12, '全面查阅案卷材料，摘录要点。', '阅卷笔录、摘抄或复制的案卷材料。', None),
   ('item', 'investigation', '调查取证', 'Investigation and evidence', 10, '围绕争议焦点调查收集证据，必要时申请调取。', '调查笔录、证据清单、申请书。', None),
   ('item',
    'legal_opinion',
    '辩护或代理意见',
    'Legal opinions (defence or representation statement)',
    20,
    '意见观点明确、事实清楚、法律依据充分。',
    '辩护词或代理词，书面意见被采纳的情况。',
    None),
   ('item', 'hearing', '出庭', 'Hearing participation', 15, '按时出庭，庭前准备充分，发问、质证、辩论得当；参考庭审旁听评价。', '庭审笔录、旁听评价表、办案机关意见。', 'hearing_observation'),
   ('item', 'inform_client', '告知义务', 'Duty to inform the client', 5, '及时告知受援人案件进展、权利义务与风险。', '告知记录、受援人回访意见。', None),
   ('item', 'reporting', '报告义务', 'Reporting duty', 5, '重大、疑难情况及案件变化及时向法律援助机构报告。', '报告记录、请示材料。', None),
   ('item', 'closing_materials', '结案材料齐全及时', 'Closing materials complete and on time', 10, '结案后30日内提交齐全的承办材料。', '材料清单与提交日期。', 'hand_in_timeliness'),
   ('veto', 'took_money', '收取受援人财物', 'Took money or property from the client', 0, '法律援助法第20条禁止收取任何财物；回访红旗经核实的一票否决。', '回访记录、投诉、核查结论。', 'red_flag'),
   ('veto', 'stopped_work', '擅自终止法律援助', 'Stopped work without authorisation', 0, '未经法律援助机构同意停止办理。', '案卷、受援人投诉、办案机关意见。', None),
   ('veto', 'missed_deadline', '延误期限致受援人丧失权利', 'A missed deadline cost the client a right', 0, '因承办人过错超过上诉、举证等期限，受援人丧失相应权利。', '期限节点与实际办理日期。', None)]),
 ('civil',
  '民事案件百分考核表',
  [('item', 'retainer', '委托手续及时办理', 'Retainer established on time', 8, '指派后5日内签订委托协议、授权委托书（程序规定第27条）。', '委托协议、授权委托书的签署日期。', 'retainer_timeliness'),
   ('item', 'client_meeting', '会见受援人', 'Meeting the client', 12, '及时会见受援人，了解案情并听取意见；刑事案件按规定会见在押人员。', '会见笔录（时间、地点、内容、签名）。', None),
   ('item', 'file_reading', '阅卷', 'Reading the case file', 8, '全面查阅案卷材料，摘录要点。', '阅卷笔录、摘抄或复制的案卷材料。', None),
   ('item', 'investigation', '调查取证', 'Investigation and evidence', 15, '围绕争议焦点调查收集证据，必要时申请调取。', '调查笔录、证据清单、申请书。', None),
   ('item',
    'legal_opinion',
    '辩护或代理意见',
    'Legal opinions (defence or representation statement)',
    20,
    '意见观点明确、事实清楚、法律依据充分。',
    '辩护词或代理词，书面意见被采纳的情况。',
    None),
   ('item', 'hearing', '出庭', 'Hearing participation', 15, '按时出庭，庭前准备充分，发问、质证、辩论得当；参考庭审旁听评价。', '庭审笔录、旁听评价表、办案机关意见。', 'hearing_observation'),
   ('item', 'inform_client', '告知义务', 'Duty to inform the client', 7, '及时告知受援人案件进展、权利义务与风险。', '告知记录、受援人回访意见。', None),
   ('item', 'reporting', '报告义务', 'Reporting duty', 5, '重大、疑难情况及案件变化及时向法律援助机构报告。', '报告记录、请示材料。', None),
   ('item', 'closing_materials', '结案材料齐全及时', 'Closing materials complete and on time', 10, '结案后30日内提交齐全的承办材料。', '材料清单与提交日期。', 'hand_in_timeliness'),
   ('veto', 'took_money', '收取受援人财物', 'Took money or property from the client', 0, '法律援助法第20条禁止收取任何财物；回访红旗经核实的一票否决。', '回访记录、投诉、核查结论。', 'red_flag'),
   ('veto', 'stopped_work', '擅自终止法律援助', 'Stopped work without authorisation', 0, '未经法律援助机构同意停止办理。', '案卷、受援人投诉、办案机关意见。', None),
   ('veto', 'missed_deadline', '延误期限致受援人丧失权利', 'A missed deadline cost the client a right', 0, '因承办人过错超过上诉、举证等期限，受援人丧失相应权利。', '期限节点与实际办理日期。', None)]),
 ('administrative',
  '行政案件百分考核表',
  [('item', 'retainer', '委托手续及时办理', 'Retainer established on time', 8, '指派后5日内签订委托协议、授权委托书（程序规定第27条）。', '委托协议、授权委托书的签署日期。', 'retainer_timeliness'),
   ('item', 'client_meeting', '会见受援人', 'Meeting the client', 12, '及时会见受援人，了解案情并听取意见；刑事案件按规定会见在押人员。', '会见笔录（时间、地点、内容、签名）。', None),
   ('item', 'file_reading', '阅卷', 'Reading the case file', 8, '全面查阅案卷材料，摘录要点。', '阅卷笔录、摘抄或复制的案卷材料。', None),
   ('item', 'investigation', '调查取证', 'Investigation and evidence', 15, '围绕争议焦点调查收集证据，必要时申请调取。', '调查笔录、证据清单、申请书。', None),
   ('item',
    'legal_opinion',
    '辩护或代理意见',
    'Legal opinions (defence or representation statement)',
    20,
    '意见观点明确、事实清楚、法律依据充分。',
    '辩护词或代理词，书面意见被采纳的情况。',
    None),
   ('item', 'hearing', '出庭', 'Hearing participation', 15, '按时出庭，庭前准备充分，发问、质证、辩论得当；参考庭审旁听评价。', '庭审笔录、旁听评价表、办案机关意见。', 'hearing_observation'),
   ('item', 'inform_client', '告知义务', 'Duty to inform the client', 7, '及时告知受援人案件进展、权利义务与风险。', '告知记录、受援人回访意见。', None),
   ('item', 'reporting', '报告义务', 'Reporting duty', 5, '重大、疑难情况及案件变化及时向法律援助机构报告。', '报告记录、请示材料。', None),
   ('item', 'closing_materials', '结案材料齐全及时', 'Closing materials complete and on time', 10, '结案后30日内提交齐全的承办材料。', '材料清单与提交日期。', 'hand_in_timeliness'),
   ('veto', 'took_money', '收取受援人财物', 'Took money or property from the client', 0, '法律援助法第20条禁止收取任何财物；回访红旗经核实的一票否决。', '回访记录、投诉、核查结论。', 'red_flag'),
   ('veto', 'stopped_work', '擅自终止法律援助', 'Stopped work without authorisation', 0, '未经法律援助机构同意停止办理。', '案卷、受援人投诉、办案机关意见。', None),
   ('veto', 'missed_deadline', '延误期限致受援人丧失权利', 'A missed deadline cost the client a right', 0, '因承办人过错超过上诉、举证等期限，受援人丧失相应权利。', '期限节点与实际办理日期。', None)]),
 ('non_litigation',
  '非诉讼事项百分考核表',
  [('item', 'retainer', '委托手续及时办理', 'Retainer established on time', 8, '指派后5日内签订委托协议、授权委托书（程序规定第27条）。', '委托协议、授权委托书的签署日期。', 'retainer_timeliness'),
   ('item', 'client_meeting', '会见受援人、了解事实', 'Meeting the client and establishing the facts', 15, '及时约见受援人，弄清事实与诉求。', '谈话笔录。', None),
   ('item', 'investigation', '调查取证', 'Investigation and evidence', 15, '收集与事项相关的材料和证据。', '调查笔录、证据材料。', None),
   ('item', 'legal_opinion', '法律意见与方案', 'Legal opinion and plan of action', 20, '法律意见准确，方案可行；代书文书规范。', '法律意见书、代书文书。', None),
   ('item',
    'negotiation',
    '协商、调解或代理',
    'Negotiation, mediation or representation before the authority',
    20,
    '积极协商调解或向有关机关代理，维护受援人权益。',
    '协商、调解记录，达成的协议或处理结果。',
    None),
   ('item', 'inform_client', '告知义务', 'Duty to inform the client', 7, '及时告知受援人事项进展与风险。', '告知记录、受援人回访意见。', None),
   ('item', 'reporting', '报告义务', 'Reporting duty', 5, '重大情况及时向法律援助机构报告。', '报告记录。', None),
   ('item', 'closing_materials', '结案材料齐全及时', 'Closing materials complete and on time', 10, '办结后30日内提交齐全的承办材料。', '材料清单与提交日期。', 'hand_in_timeliness'),
   ('veto', 'took_money', '收取受援人财物', 'Took money or property from the client', 0, '法律援助法第20条禁止收取任何财物；回访红旗经核实的一票否决。', '回访记录、投诉、核查结论。', 'red_flag'),
   ('veto', 'stopped_work', '擅自终止法律援助', 'Stopped work without authorisation', 0, '未经法律援助机构同意停止办理。', '案卷、受援人投诉、办案机关意见。', None),
   ('veto', 'missed_deadline', '延误期限致受援人丧失权利', 'A missed deadline cost the client a right', 0, '因承办人过错超过上诉、举证等期限，受援人丧失相应权利。', '期限节点与实际办理日期。', None)])]
GRADE_BANDS = {"excellent": 90, "good": 80, "pass": 60}
EFFECTIVE_FROM = dt.date(2021, 1, 1)


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('checklist',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_type', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('grade_bands', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('published_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("case_type IN ('criminal', 'civil', 'administrative', 'non_litigation')", name=op.f('ck_checklist_case_type_known')),
    sa.CheckConstraint("status IN ('draft', 'published')", name=op.f('ck_checklist_status_known')),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], name=op.f('fk_checklist_created_by_user_account')),
    sa.ForeignKeyConstraint(['published_by'], ['user_account.id'], name=op.f('fk_checklist_published_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist')),
    sa.UniqueConstraint('case_type', 'version', name=op.f('uq_checklist_case_type_version'))
    )
    with op.batch_alter_table('checklist', schema=None) as batch_op:
        batch_op.create_index('ix_checklist_in_force', ['case_type', 'status', 'effective_from'], unique=False)

    op.create_table('case_closing',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=200), nullable=False),
    sa.Column('terminated', sa.Boolean(), nullable=False),
    sa.Column('termination_ground', sa.String(length=40), nullable=True),
    sa.Column('termination_note', sa.Text(), nullable=True),
    sa.Column('retainer_signed_on', sa.Date(), nullable=True),
    sa.Column('documents_due_on', sa.Date(), nullable=False),
    sa.Column('documents_complete_on', sa.Date(), nullable=True),
    sa.Column('reported_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reported_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['legal_case.id'], name=op.f('fk_case_closing_case_id_legal_case')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_case_closing_provider_id_provider')),
    sa.ForeignKeyConstraint(['reported_by'], ['user_account.id'], name=op.f('fk_case_closing_reported_by_user_account')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_closing'))
    )
    with op.batch_alter_table('case_closing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_closing_provider_id'), ['provider_id'], unique=False)

    op.create_table('checklist_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checklist_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label_zh', sa.String(length=200), nullable=False),
    sa.Column('label_en', sa.String(length=200), nullable=False),
    sa.Column('max_points', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.Column('guidance', sa.Text(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('auto', sa.String(length=40), nullable=True),
    sa.CheckConstraint("kind IN ('item', 'veto')", name=op.f('ck_checklist_item_kind_known')),
    sa.CheckConstraint('max_points >= 0 AND max_points <= 100', name=op.f('ck_checklist_item_max_points_range')),
    sa.ForeignKeyConstraint(['checklist_id'], ['checklist.id'], name=op.f('fk_checklist_item_checklist_id_checklist'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_item')),
    sa.UniqueConstraint('checklist_id', 'code', name=op.f('uq_checklist_item_checklist_id_code'))
    )
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_item_checklist_id'), ['checklist_id'], unique=False)

    op.create_table('closing_document',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('handed_in_on', sa.Date(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case_closing.case_id'], name=op.f('fk_closing_document_case_id_case_closing')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], name=op.f('fk_closing_document_recorded_by_user_account')),
    sa.PrimaryKeyConstraint('case_id', 'code', name=op.f('pk_closing_document'))
    )
    op.create_table('score_file',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('case_type', sa.String(length=20), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=False),
    sa.Column('checklist_id', sa.Integer(), nullable=True),
    sa.Column('sample_draw', sa.Float(), nullable=False),
    sa.Column('in_sample', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('total', sa.Numeric(precision=4, scale=1), nullable=True),
    sa.Column('grade', sa.String(length=10), nullable=True),
    sa.Column('veto', sa.Boolean(), nullable=False),
    sa.Column('finalised_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finalised_on', sa.Date(), nullable=True),
    sa.Column('appeal_by', sa.Date(), nullable=True),
    sa.Column('accepted_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('appealed_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('appeal_reason', sa.Text(), nullable=True),
    sa.Column('appeal_decided_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('appeal_decided_by', sa.Integer(), nullable=True),
    sa.Column('appeal_outcome', sa.String(length=10), nullable=True),
    sa.Column('appeal_decision', sa.Text(), nullable=True),
    sa.CheckConstraint("appeal_outcome IS NULL OR appeal_outcome IN ('upheld', 'revised')", name=op.f('ck_score_file_appeal_outcome_known')),
    sa.CheckConstraint("grade IS NULL OR grade IN ('excellent', 'good', 'pass', 'fail')", name=op.f('ck_score_file_grade_known')),
    sa.CheckConstraint("status <> 'final' OR total IS NOT NULL", name=op.f('ck_score_file_final_has_total')),
    sa.CheckConstraint("status IN ('open', 'second_review', 'third_review', 'final', 'appealed')", name=op.f('ck_score_file_status_known')),
    sa.ForeignKeyConstraint(['appeal_decided_by'], ['user_account.id'], name=op.f('fk_score_file_appeal_decided_by_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['case_closing.case_id'], name=op.f('fk_score_file_case_id_case_closing')),
    sa.ForeignKeyConstraint(['checklist_id'], ['checklist.id'], name=op.f('fk_score_file_checklist_id_checklist')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_score_file_organization_id_organization')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_score_file_provider_id_provider')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_score_file'))
    )
    with op.batch_alter_table('score_file', schema=None) as batch_op:
        batch_op.create_index('ix_score_file_final', ['status', 'finalised_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_score_file_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('ix_score_file_provider', ['provider_id', 'finalised_on'], unique=False)

    op.create_table('score_sheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('checklist_id', sa.Integer(), nullable=False),
    sa.Column('scorer_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('total', sa.Numeric(precision=4, scale=1), nullable=False),
    sa.Column('grade', sa.String(length=10), nullable=False),
    sa.Column('vetoes', sa.JSON(), nullable=False),
    sa.Column('veto_note', sa.Text(), nullable=True),
    sa.Column('suggestions', sa.JSON(), nullable=False),
    sa.Column('created_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', legalaid.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("grade IN ('excellent', 'good', 'pass', 'fail')", name=op.f('ck_score_sheet_grade_known')),
    sa.CheckConstraint("role IN ('first', 'second', 'third', 'appeal')", name=op.f('ck_score_sheet_role_known')),
    sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f('ck_score_sheet_status_known')),
    sa.ForeignKeyConstraint(['case_id'], ['score_file.case_id'], name=op.f('fk_score_sheet_case_id_score_file')),
    sa.ForeignKeyConstraint(['checklist_id'], ['checklist.id'], name=op.f('fk_score_sheet_checklist_id_checklist')),
    sa.ForeignKeyConstraint(['scorer_id'], ['user_account.id'], name=op.f('fk_score_sheet_scorer_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_sheet')),
    sa.UniqueConstraint('case_id', 'scorer_id', 'role', name=op.f('uq_score_sheet_case_id_scorer_id_role'))
    )
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_score_sheet_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_score_sheet_scorer', ['scorer_id', 'status', 'submitted_at'], unique=False)

    op.create_table('score_line',
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('points', sa.Numeric(precision=4, scale=1), nullable=True),
    sa.Column('na', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint('NOT (na AND points IS NOT NULL)', name=op.f('ck_score_line_na_has_no_points')),
    sa.CheckConstraint('points IS NULL OR points >= 0', name=op.f('ck_score_line_points_not_negative')),
    sa.ForeignKeyConstraint(['sheet_id'], ['score_sheet.id'], name=op.f('fk_score_line_sheet_id_score_sheet'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sheet_id', 'code', name=op.f('pk_score_line'))
    )
    # ### end Alembic commands ###
    _seed_first_versions()


def _seed_first_versions():
    checklist = sa.table(
        'checklist',
        sa.column('id', sa.Integer()), sa.column('case_type', sa.String()), sa.column('version', sa.Integer()),
        sa.column('name', sa.String()), sa.column('effective_from', sa.Date()), sa.column('status', sa.String()),
        sa.column('grade_bands', sa.JSON()), sa.column('created_at', legalaid.db.UTCDateTime()),
        sa.column('published_at', legalaid.db.UTCDateTime()),
    )
    item = sa.table(
        'checklist_item',
        sa.column('checklist_id', sa.Integer()), sa.column('kind', sa.String()), sa.column('code', sa.String()),
        sa.column('position', sa.Integer()), sa.column('label_zh', sa.String()), sa.column('label_en', sa.String()),
        sa.column('max_points', sa.Numeric(4, 1)), sa.column('guidance', sa.Text()), sa.column('evidence', sa.Text()),
        sa.column('auto', sa.String()),
    )
    bind = op.get_bind()
    now = legalaid.clock.now()
    for case_type, name, entries in FIRST_VERSIONS:
        bind.execute(checklist.insert().values(
            case_type=case_type, version=1, name=name, effective_from=EFFECTIVE_FROM, status='published',
            grade_bands=GRADE_BANDS, created_at=now, published_at=now,
        ))
        checklist_id = bind.execute(
            sa.select(checklist.c.id).where(checklist.c.case_type == case_type, checklist.c.version == 1)
        ).scalar_one()
        bind.execute(item.insert(), [
            dict(checklist_id=checklist_id, kind=kind, code=code, position=position, label_zh=zh, label_en=en,
                 max_points=points, guidance=guidance, evidence=evidence, auto=auto)
            for position, (kind, code, zh, en, points, guidance, evidence, auto) in enumerate(entries, 1)
        ])


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table('score_line')
    with op.batch_alter_table('score_sheet', schema=None) as batch_op:
        batch_op.drop_index('ix_score_sheet_scorer')
        batch_op.drop_index(batch_op.f('ix_score_sheet_case_id'))

    op.drop_table('score_sheet')
    with op.batch_alter_table('score_file', schema=None) as batch_op:
        batch_op.drop_index('ix_score_file_provider')
        batch_op.drop_index(batch_op.f('ix_score_file_organization_id'))
        batch_op.drop_index('ix_score_file_final')

    op.drop_table('score_file')
    op.drop_table('closing_document')
    with op.batch_alter_table('checklist_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_item_checklist_id'))

    op.drop_table('checklist_item')
    with op.batch_alter_table('case_closing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_closing_provider_id'))

    op.drop_table('case_closing')
    with op.batch_alter_table('checklist', schema=None) as batch_op:
        batch_op.drop_index('ix_checklist_in_force')

    op.drop_table('checklist')
    # ### end Alembic commands ###
