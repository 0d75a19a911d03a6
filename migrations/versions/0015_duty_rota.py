"""duty pools, rotas, shifts, swaps, legal help (issue 14)

Revision ID: 0015_duty_rota
Revises: 0014_case_stations
Create Date: 2026-12-05 23:00:00.000000

A duty pool is a rotation pool of purpose ``duty`` tied to a station (it has no case scope, so it
never serves cases). A station's month is a rota (draft, published; a regenerated draft supersedes
the old one), made of shifts (date, half or whole day, provider or a gap) and the swaps asked on them.
"""

import sqlalchemy as sa
from alembic import op

from legalaid.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "0015_duty_rota"
down_revision = "0014_case_stations"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("rotation_pool", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=10), server_default="cases", nullable=False))
        batch_op.add_column(sa.Column("station_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_rotation_pool_station_id"), ["station_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_rotation_pool_station_id_station"), "station", ["station_id"], ["id"]
        )
        batch_op.create_check_constraint("purpose_known", sa.text("purpose IN ('cases', 'duty')"))

    op.create_table(
        "duty_rota",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("pool_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("published_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'superseded')", name=op.f("ck_duty_rota_status_known")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], name=op.f("fk_duty_rota_created_by_user_account")),
        sa.ForeignKeyConstraint(["pool_id"], ["rotation_pool.id"], name=op.f("fk_duty_rota_pool_id_rotation_pool")),
        sa.ForeignKeyConstraint(
            ["published_by"], ["user_account.id"], name=op.f("fk_duty_rota_published_by_user_account")
        ),
        sa.ForeignKeyConstraint(["station_id"], ["station.id"], name=op.f("fk_duty_rota_station_id_station")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_rota")),
    )
    with op.batch_alter_table("duty_rota", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_rota_pool_id"), ["pool_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_duty_rota_station_id"), ["station_id"], unique=False)
        batch_op.create_index(
            "uq_duty_rota_live",
            ["station_id", "month"],
            unique=True,
            sqlite_where=sa.text("status != 'superseded'"),
            postgresql_where=sa.text("status != 'superseded'"),
        )

    op.create_table(
        "duty_shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rota_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("part", sa.String(length=3), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("clock_step", sa.Float(), nullable=False),
        sa.Column("offset_step", sa.Float(), nullable=False),
        sa.Column("checked_in_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("checked_out_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("legal_help", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("missed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("missed_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("part IN ('am', 'pm', 'day')", name=op.f("ck_duty_shift_part_known")),
        sa.CheckConstraint(
            "status IN ('planned', 'checked_in', 'done', 'missed')", name=op.f("ck_duty_shift_status_known")
        ),
        sa.ForeignKeyConstraint(["missed_by"], ["user_account.id"], name=op.f("fk_duty_shift_missed_by_user_account")),
        sa.ForeignKeyConstraint(["provider_id"], ["provider.id"], name=op.f("fk_duty_shift_provider_id_provider")),
        sa.ForeignKeyConstraint(
            ["rota_id"], ["duty_rota.id"], name=op.f("fk_duty_shift_rota_id_duty_rota"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["station_id"], ["station.id"], name=op.f("fk_duty_shift_station_id_station")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_shift")),
    )
    with op.batch_alter_table("duty_shift", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_shift_rota_id"), ["rota_id"], unique=False)
        batch_op.create_index("ix_duty_shift_provider", ["provider_id", "on_date"], unique=False)
        batch_op.create_index("ix_duty_shift_station", ["station_id", "on_date"], unique=False)

    op.create_table(
        "duty_swap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("from_provider_id", sa.Integer(), nullable=False),
        sa.Column("to_provider_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("asked_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('asked', 'accepted', 'approved', 'refused', 'withdrawn')",
            name=op.f("ck_duty_swap_status_known"),
        ),
        sa.ForeignKeyConstraint(["decided_by"], ["user_account.id"], name=op.f("fk_duty_swap_decided_by_user_account")),
        sa.ForeignKeyConstraint(
            ["from_provider_id"], ["provider.id"], name=op.f("fk_duty_swap_from_provider_id_provider")
        ),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["duty_shift.id"], name=op.f("fk_duty_swap_shift_id_duty_shift"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["to_provider_id"], ["provider.id"], name=op.f("fk_duty_swap_to_provider_id_provider")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_swap")),
    )
    with op.batch_alter_table("duty_swap", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duty_swap_shift_id"), ["shift_id"], unique=False)
        batch_op.create_index("ix_duty_swap_to", ["to_provider_id", "status"], unique=False)
        batch_op.create_index(
            "uq_duty_swap_open",
            ["shift_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('asked', 'accepted')"),
            postgresql_where=sa.text("status IN ('asked', 'accepted')"),
        )


def downgrade():
    op.drop_table("duty_swap")
    op.drop_table("duty_shift")
    op.drop_table("duty_rota")
    with op.batch_alter_table("rotation_pool", schema=None) as batch_op:
        batch_op.drop_constraint("purpose_known", type_="check")
        batch_op.drop_constraint(batch_op.f("fk_rotation_pool_station_id_station"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_rotation_pool_station_id"))
        batch_op.drop_column("station_id")
        batch_op.drop_column("purpose")
