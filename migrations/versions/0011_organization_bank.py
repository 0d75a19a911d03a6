"""organisation bank account: the payee's account when subsidies are paid to the organisation

Revision ID: 0011_organization_bank
Revises: 0010_consultation_search
Create Date: 2026-12-05 20:30:00.000000

DESIGN.md §4 lets a centre pay each subsidy to the provider's organisation (``SUBSIDY_RULES.payee``).
The organisation then needs an account of its own, kept like a provider's: the number stored in full,
Fernet-encrypted when BANK_ACCOUNT_KEY is set (hence 400 characters), shown masked. Existing
organisations have none: a subsidy paid to one stays out of every batch, with the reason, until an
admin enters it.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_organization_bank"
down_revision = "0010_consultation_search"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bank_account_stored", sa.String(length=400), nullable=True))
        batch_op.add_column(sa.Column("bank_name", sa.String(length=120), nullable=True))


def downgrade():
    with op.batch_alter_table("organization", schema=None) as batch_op:
        batch_op.drop_column("bank_name")
        batch_op.drop_column("bank_account_stored")
