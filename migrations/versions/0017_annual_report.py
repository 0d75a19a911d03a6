"""fields the annual report needs (issue 15)

Revision ID: 0017_annual_report
Revises: 0016_duty_subsidy
Create Date: 2026-12-05 23:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017_annual_report"
down_revision = "0016_duty_subsidy"
branch_labels = None
depends_on = None


def upgrade():
    # The applicant's sex, optional, so the annual report can count women (DESIGN.md "annual report").
    with op.batch_alter_table("legal_case") as batch:
        batch.add_column(sa.Column("applicant_sex", sa.String(length=10), nullable=True))
        batch.create_check_constraint("applicant_sex_known", "applicant_sex IN ('female', 'male')")
    # The amount recovered or obtained for the client, recorded at closing (optional, integer fen).
    with op.batch_alter_table("case_closing") as batch:
        batch.add_column(sa.Column("recovered_fen", sa.BigInteger(), nullable=True))
        batch.create_check_constraint("recovered_fen_not_negative", "recovered_fen >= 0")


def downgrade():
    with op.batch_alter_table("case_closing") as batch:
        batch.drop_constraint("recovered_fen_not_negative", type_="check")
        batch.drop_column("recovered_fen")
    with op.batch_alter_table("legal_case") as batch:
        batch.drop_constraint("applicant_sex_known", type_="check")
        batch.drop_column("applicant_sex")
