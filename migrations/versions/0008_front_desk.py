"""front desk: the desk role, stations, consultations

Revision ID: 0008_front_desk
Revises: 0007_input_limits
Create Date: 2026-12-05 19:30:00.000000

The ``desk`` role answers the 12348 hotline and the visitors (DESIGN.md "Front desk"); stations are
the places outside the centre a consultation or an application may come from (the duty rota builds
on them later).
"""
from alembic import op
import sqlalchemy as sa

import legalaid.db


# revision identifiers, used by Alembic.
revision = '0008_front_desk'
down_revision = '0007_input_limits'
branch_labels = None
depends_on = None

# The one-time notice's defaults (法律援助法 art. 43; the Ministry's application guidance): (cause or
# None for every cause, applicant category or None for every applicant, the material).
DEFAULT_MATERIALS = [
    (None, None, '法律援助申请表（中心提供，可现场填写）'),
    (None, None, '申请人居民身份证或者其他有效身份证明；代为申请的，还需代理人身份证明和代理权限证明'),
    (None, None, '经济困难状况说明表（免予核查经济困难状况的除外）'),
    (None, None, '与所申请法律援助事项有关的证明材料'),
    ('wage_arrears', None, '劳动关系证明：劳动合同、工作证、工牌、考勤记录、工资条或工友证言等'),
    ('wage_arrears', None, '拖欠工资的证据：欠条、结算单、银行流水、聊天记录等'),
    ('wage_arrears', None, '用人单位（或包工头）的名称、地址、联系方式'),
    ('work_injury', None, '工伤认定决定书（尚未认定的，带受伤经过及就医材料）'),
    ('work_injury', None, '劳动能力鉴定结论（如已鉴定）'),
    ('work_injury', None, '病历、诊断证明、医疗费用票据'),
    ('work_injury', None, '劳动关系证明：劳动合同、工作证、工资条等'),
    ('traffic_accident', None, '道路交通事故认定书'),
    ('traffic_accident', None, '病历、诊断证明、医疗费用票据；伤残鉴定意见（如有）'),
    ('traffic_accident', None, '对方当事人、车辆及保险公司的信息'),
    ('traffic_accident', None, '误工、护理、交通等损失的证明'),
    ('marriage_family', None, '结婚证或离婚证（判决书、调解书）'),
    ('marriage_family', None, '户口簿；子女出生医学证明'),
    ('marriage_family', None, '夫妻共同财产、债务的证明材料'),
    ('marriage_family', 'domestic_violence', '家庭暴力的证据：报警记录、告诫书、伤情照片、病历等'),
    ('criminal_defence', None, '拘留通知书、逮捕通知书或起诉书副本'),
    ('criminal_defence', None, '申请人与犯罪嫌疑人、被告人关系的证明（近亲属代为申请时）'),
    (None, 'disabled', '残疾人证'),
    (None, 'minor', '监护人身份证明及监护关系证明（户口簿或出生医学证明）'),
    (None, 'migrant_worker', '农民工身份的说明（户籍证明或务工证明），讨薪、工伤案件免予经济困难审查'),
    (None, 'service_member', '军人证件或军人家属身份证明'),
]

OLD_ROLES = "role IN ('admin', 'coordinator', 'supervisor', 'provider', 'finance')"
NEW_ROLES = "role IN ('admin', 'coordinator', 'supervisor', 'provider', 'finance', 'desk')"


def _roles(check):
    with op.batch_alter_table('user_role') as batch_op:
        batch_op.drop_constraint(op.f('ck_user_role_role_known'), type_='check')
        batch_op.create_check_constraint('role_known', check)


def upgrade():
    _roles(NEW_ROLES)
    op.create_table('station',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('area', sa.String(length=100), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('hours', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('township', 'law_firm', 'court', 'procuratorate', 'detention_centre', 'labour_arbitration', 'juvenile', 'military')", name=op.f('ck_station_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_station')),
    sa.UniqueConstraint('name', name=op.f('uq_station_name'))
    )
    op.create_table('consultation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=True),
    sa.Column('answered_by', sa.Integer(), nullable=True),
    sa.Column('person_name', sa.String(length=120), nullable=True),
    sa.Column('person_phone', sa.String(length=30), nullable=True),
    sa.Column('person_categories', sa.JSON(), nullable=False),
    sa.Column('cause', sa.String(length=40), nullable=True),
    sa.Column('question', sa.String(length=4000), nullable=False),
    sa.Column('answer', sa.String(length=4000), nullable=False),
    sa.Column('duration_s', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=False),
    sa.Column('referred_to', sa.String(length=200), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('created_at', legalaid.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('hotline', 'visit', 'letter', 'online', 'workstation')", name=op.f('ck_consultation_channel_known')),
    sa.CheckConstraint("outcome IN ('answered', 'referred', 'application_guided', 'application_registered', 'petition_dissuaded')", name=op.f('ck_consultation_outcome_known')),
    sa.ForeignKeyConstraint(['answered_by'], ['user_account.id'], name=op.f('fk_consultation_answered_by_user_account')),
    sa.ForeignKeyConstraint(['case_id'], ['legal_case.id'], name=op.f('fk_consultation_case_id_legal_case')),
    sa.ForeignKeyConstraint(['station_id'], ['station.id'], name=op.f('fk_consultation_station_id_station')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation')),
    sa.UniqueConstraint('case_id', name=op.f('uq_consultation_case_id'))
    )
    op.create_index('ix_consultation_phone', 'consultation', ['person_phone', 'occurred_at'], unique=False)
    op.create_index('ix_consultation_occurred', 'consultation', ['occurred_at', 'id'], unique=False)
    op.create_index(op.f('ix_consultation_answered_by'), 'consultation', ['answered_by'], unique=False)
    op.create_index(op.f('ix_consultation_cause'), 'consultation', ['cause'], unique=False)
    op.create_index(op.f('ix_consultation_outcome'), 'consultation', ['outcome'], unique=False)
    op.create_index(op.f('ix_consultation_station_id'), 'consultation', ['station_id'], unique=False)
    guidance = op.create_table('guidance_material',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cause', sa.String(length=40), nullable=True),
    sa.Column('category', sa.String(length=30), nullable=True),
    sa.Column('item', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guidance_material'))
    )
    op.create_index('ix_guidance_material_lookup', 'guidance_material', ['cause', 'category', 'position'], unique=False)
    op.bulk_insert(guidance, [
        {'cause': cause, 'category': category, 'item': item, 'position': position}
        for position, (cause, category, item) in enumerate(DEFAULT_MATERIALS, 1)
    ])


def downgrade():
    op.drop_table('guidance_material')
    op.drop_table('consultation')
    op.drop_table('station')
    op.execute("DELETE FROM user_role WHERE role = 'desk'")
    _roles(OLD_ROLES)
