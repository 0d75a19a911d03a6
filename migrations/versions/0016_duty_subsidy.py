"""duty months archived and duty subsidies (issue 14)

Revision ID: 0016_duty_subsidy
Revises: 0015_duty_rota
Create Date: 2026-12-05 23:00:00.000000

A duty shift is paid through the same subsidy rows, batches and bank files as a case, archive-first: a
station's month is reviewed and archived (``duty_month``, written only then) before its shifts'
subsidies are payable. The database holds the rule as it does for cases: the CHECK
``archived_when_payable`` (now per kind) and composite keys that make the month the shift's own
station's month. Rates gain duty rows (case type ``duty``, stage ``half_day`` or ``day``).
"""

import sqlalchemy as sa
from alembic import op

import legalaid.clock
import legalaid.db

# revision identifiers, used by Alembic.
revision = "0016_duty_subsidy"
down_revision = "0015_duty_rota"
branch_labels = None
depends_on = None

OLD_PAYABLE = "status NOT IN ('payable', 'batched', 'paid') OR archive_id IS NOT NULL"
NEW_PAYABLE = (
    "status NOT IN ('payable', 'batched', 'paid')"
    " OR (kind = 'case' AND archive_id IS NOT NULL)"
    " OR (kind = 'duty' AND duty_month_id IS NOT NULL)"
)
KIND_FIELDS = (
    "(kind = 'case' AND case_id IS NOT NULL AND duty_shift_id IS NULL AND duty_month_id IS NULL)"
    " OR (kind = 'duty' AND case_id IS NULL AND archive_id IS NULL"
    " AND duty_shift_id IS NOT NULL AND duty_station_id IS NOT NULL)"
)
LIVE = "status <> 'cancelled' AND reversal_of_id IS NULL"
# Yuan per shift (half a day: a morning or an afternoon; a whole day), legal advisers' rows equal.
DUTY_RATES_YUAN = {"half_day": 200, "day": 400}


def upgrade():
    op.create_table(
        "duty_month",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("archived_at", legalaid.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("archived_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["archived_by"], ["user_account.id"], name=op.f("fk_duty_month_archived_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["station.id"], name=op.f("fk_duty_month_station_id_station")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_month")),
        sa.UniqueConstraint("id", "station_id", name="uq_duty_month_id_station"),
        sa.UniqueConstraint("station_id", "month", name="uq_duty_month_station_month"),
    )
    with op.batch_alter_table("duty_shift", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_duty_shift_id_station", ["id", "station_id"])
    with op.batch_alter_table("subsidy_rate", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_subsidy_rate_case_type_known"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_subsidy_rate_stage_known"), type_="check")
        batch_op.create_check_constraint(
            "case_type_known",
            "case_type IN ('criminal', 'civil', 'administrative', 'non_litigation', 'duty')",
        )
        batch_op.create_check_constraint(
            "stage_known", "stage IN ('investigation', 'prosecution', 'trial', '', 'half_day', 'day')"
        )
    with op.batch_alter_table("subsidy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=10), server_default="case", nullable=False))
        batch_op.add_column(sa.Column("duty_shift_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("duty_station_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("duty_month_id", sa.Integer(), nullable=True))
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint(batch_op.f("ck_subsidy_archived_when_payable"), type_="check")
        batch_op.create_check_constraint("archived_when_payable", NEW_PAYABLE)
        batch_op.create_check_constraint("kind_known", "kind IN ('case', 'duty')")
        batch_op.create_check_constraint("kind_fields", KIND_FIELDS)
        batch_op.create_foreign_key(
            "fk_subsidy_duty_shift_of_station",
            "duty_shift",
            ["duty_shift_id", "duty_station_id"],
            ["id", "station_id"],
        )
        batch_op.create_foreign_key(
            "fk_subsidy_duty_month_of_station",
            "duty_month",
            ["duty_month_id", "duty_station_id"],
            ["id", "station_id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_subsidy_duty_station_id_station"), "station", ["duty_station_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_subsidy_duty_month_id"), ["duty_month_id"], unique=False)
        batch_op.create_index(
            "uq_subsidy_live_shift",
            ["duty_shift_id"],
            unique=True,
            sqlite_where=sa.text(LIVE),
            postgresql_where=sa.text(LIVE),
        )
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
    import datetime as dt

    now = legalaid.clock.now()
    op.bulk_insert(
        rates,
        [
            {
                "case_type": "duty",
                "stage": stage,
                "provider_kind": kind,
                "effective_from": dt.date(2000, 1, 1),
                "amount_fen": yuan * 100,
                "note": "default duty rate (issue 14)",
                "created_at": now,
            }
            for stage, yuan in DUTY_RATES_YUAN.items()
            for kind in ("lawyer", "legal_adviser")
        ],
    )


def downgrade():
    op.execute("DELETE FROM subsidy_rate WHERE case_type = 'duty'")
    with op.batch_alter_table("subsidy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("uq_subsidy_live_shift"))
        batch_op.drop_index(batch_op.f("ix_subsidy_duty_month_id"))
        batch_op.drop_constraint(batch_op.f("fk_subsidy_duty_station_id_station"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_subsidy_duty_month_of_station"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_subsidy_duty_shift_of_station"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("ck_subsidy_kind_fields"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_subsidy_kind_known"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_subsidy_archived_when_payable"), type_="check")
        batch_op.create_check_constraint("archived_when_payable", OLD_PAYABLE)
        batch_op.alter_column("case_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("duty_month_id")
        batch_op.drop_column("duty_station_id")
        batch_op.drop_column("duty_shift_id")
        batch_op.drop_column("kind")
    with op.batch_alter_table("subsidy_rate", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_subsidy_rate_case_type_known"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_subsidy_rate_stage_known"), type_="check")
        batch_op.create_check_constraint(
            "case_type_known", "case_type IN ('criminal', 'civil', 'administrative', 'non_litigation')"
        )
        batch_op.create_check_constraint(
            "stage_known", "stage IN ('investigation', 'prosecution', 'trial', '')"
        )
    with op.batch_alter_table("duty_shift", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_duty_shift_id_station"), type_="unique")
    op.drop_table("duty_month")
