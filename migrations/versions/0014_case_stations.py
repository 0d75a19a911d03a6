"""cases taken at stations: station, receipt times, detained flag (issue 14)

Revision ID: 0014_case_stations
Revises: 0013_password_change
Create Date: 2026-12-05 23:00:00.000000

A case knew where it was taken only as free text (``intake_point``). It now names a station (none: the
centre itself), when the station received the application and when the centre did, and whether the
applicant is detained (stated at intake, no longer guessed from a criminal case's contact person).

Each distinct intake point text is mapped once: the centre's own name to no station; a station of the
same name to that station; any other text to a new station whose kind its name tells (法院 a court,
检察院 a procuratorate, 看守所 a detention centre, 仲裁 labour arbitration, 律师事务所 a law firm…;
otherwise a township workstation in the area of that name). ``intake_point`` stays readable.
"""

import sqlalchemy as sa
from alembic import op

import legalaid.db

# revision identifiers, used by Alembic.
revision = "0014_case_stations"
down_revision = "0013_password_change"
branch_labels = None
depends_on = None

# (words in the name, station kind), the first that matches wins; none: a township workstation.
KIND_WORDS = (
    (("看守所", "拘留所", "监所", "detention"), "detention_centre"),
    (("检察院", "检察", "procuratorate"), "procuratorate"),
    (("仲裁", "arbitration"), "labour_arbitration"),
    (("法院", "法庭", "court"), "court"),
    (("律师事务所", "律所", "law firm"), "law_firm"),
    (("未成年", "青少年", "juvenile"), "juvenile"),
    (("军人", "部队", "军队", "military"), "military"),
)
CENTRE_WORDS = ("法律援助中心", "centre", "center", "中心", "本中心", "本所")


def station_kind(name: str) -> str:
    lowered = name.lower()
    for words, kind in KIND_WORDS:
        if any(word in lowered for word in words):
            return kind
    return "township"


def is_centre(name: str, centre_names: set[str]) -> bool:
    lowered = name.lower()
    return lowered in centre_names or lowered in CENTRE_WORDS or "法律援助中心" in lowered


legal_case = sa.table(
    "legal_case",
    sa.column("id", sa.Integer),
    sa.column("intake_point", sa.String),
    sa.column("station_id", sa.Integer),
)
station = sa.table(
    "station",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("kind", sa.String),
    sa.column("area", sa.String),
    sa.column("active", sa.Boolean),
    sa.column("created_at", legalaid.db.UTCDateTime(timezone=True)),
)
organization = sa.table("organization", sa.column("name", sa.String), sa.column("kind", sa.String))


def _map_intake_points(conn) -> None:
    from legalaid import clock

    centre_names = {
        (name or "").strip().lower()
        for (name,) in conn.execute(sa.select(organization.c.name).where(organization.c.kind == "centre"))
    }
    stations = {
        name.strip().lower(): sid for sid, name in conn.execute(sa.select(station.c.id, station.c.name))
    }
    texts = conn.execute(
        sa.select(legal_case.c.intake_point).where(legal_case.c.intake_point.is_not(None)).distinct()
    ).scalars()
    for text in sorted(texts):
        name = text.strip()
        if not name or is_centre(name, centre_names):
            continue
        sid = stations.get(name.lower())
        if sid is None:
            kind = station_kind(name)
            sid = conn.execute(
                station.insert()
                .values(
                    name=name,
                    kind=kind,
                    area=name if kind == "township" else None,
                    active=True,
                    created_at=clock.now(),
                )
                .returning(station.c.id)
            ).scalar_one()
            stations[name.lower()] = sid
        conn.execute(legal_case.update().where(legal_case.c.intake_point == text).values(station_id=sid))


def upgrade():
    with op.batch_alter_table("legal_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("station_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("station_received_at", legalaid.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("centre_received_at", legalaid.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("detained", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("forwarded_late", sa.Boolean(), nullable=True))
        batch_op.create_index(batch_op.f("ix_legal_case_station_id"), ["station_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_legal_case_station_id_station"), "station", ["station_id"], ["id"]
        )
        batch_op.create_check_constraint(
            "forwarded_after_taken",
            "station_received_at IS NULL OR centre_received_at IS NULL"
            " OR centre_received_at >= station_received_at",
        )
    # Until now a criminal case with a contact person was taken for a detained client (its calls go
    # to the contact); existing cases keep that reading, new ones state it at intake.
    op.execute(
        "UPDATE legal_case SET detained = true WHERE case_type = 'criminal' AND contact_phone IS NOT NULL"
    )
    _map_intake_points(op.get_bind())


def downgrade():
    # The stations the upgrade made stay (a station is never deleted); the cases forget them.
    with op.batch_alter_table("legal_case", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_legal_case_forwarded_after_taken"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_legal_case_station_id_station"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_legal_case_station_id"))
        batch_op.drop_column("forwarded_late")
        batch_op.drop_column("detained")
        batch_op.drop_column("centre_received_at")
        batch_op.drop_column("station_received_at")
        batch_op.drop_column("station_id")
