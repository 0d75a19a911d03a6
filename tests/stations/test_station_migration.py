"""Migration 0014 on a copy of the demo's intake points (issue 14): each distinct free-text intake
point is mapped once, to the centre (no station), to the station of that name, or to a new station of
the kind its name tells; the intake point stays readable. The demo itself cannot run at 0013 (its
models are the newest), so its intake points and stations are written at 0013 as the demo leaves them."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from assignment.consultations_demo import STATIONS
from assignment.demo import AREAS
from legalaid import create_app
from legalaid.db import db

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("LEGALAID_TEST_DATABASE_URL")), reason="a database of its own: SQLite file"
)

TEXTS = [
    *AREAS,  # the demo's intake points: the areas of the district
    "县法律援助中心",  # the centre's own name
    STATIONS[1][0],  # a station the front desk already keeps
    "区人民检察院",
    "区看守所",
    "区劳动人事争议仲裁委员会",
    "城关律师事务所",
    "区人民法院",
]


def _required(conn, table: str) -> dict:
    """A value for every NOT NULL column of ``table`` without a default, by its type."""
    values = {}
    for column in sa.inspect(conn).get_columns(table):
        if column["nullable"] or column.get("default") is not None or column["name"] == "id":
            continue
        kind = str(column["type"]).upper()
        if "DATE" in kind or "TIME" in kind:
            values[column["name"]] = "2026-09-01 02:00:00.000000" if "TIME" in kind else "2026-09-01"
        elif "INT" in kind or "BOOL" in kind or "NUMERIC" in kind or "FLOAT" in kind:
            values[column["name"]] = 1 if column["name"] == "group_size" else 0
        elif "JSON" in kind:
            values[column["name"]] = "[]"
        else:
            values[column["name"]] = "x"
    return values


def test_each_intake_point_is_mapped_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="0013_password_change")
        with db.engine.begin() as conn:
            org = {**_required(conn, "organization"), "name": "县法律援助中心", "kind": "centre"}
            conn.execute(sa.table("organization", *(sa.column(c) for c in org)).insert().values(**org))
            name, kind, area, hours = STATIONS[1]
            conn.execute(
                sa.text(
                    "INSERT INTO station (name, kind, area, hours, active, created_at)"
                    " VALUES (:name, :kind, :area, :hours, 1, '2026-09-01 02:00:00.000000')"
                ),
                {"name": name, "kind": kind, "area": area, "hours": hours},
            )
            base = _required(conn, "legal_case")
            columns = {*base, "number", "seq", "case_type", "intake_point", "contact_phone"}
            table = sa.table("legal_case", *(sa.column(c) for c in columns))
            rows = []
            for i, text in enumerate(TEXTS * 3):  # each text on three cases
                rows.append(
                    {
                        **base,
                        "number": f"2026-MS-{i + 1:05d}",
                        "seq": i + 1,
                        "year": 2026,
                        "case_type": "criminal" if i == 0 else "civil",
                        "status": "applied",
                        "source": "application",
                        "intake_point": text,
                        "contact_phone": "13900000001" if i in (0, 1) else None,
                    }
                )
            rows.append({**rows[0], "number": "2026-MS-09999", "seq": 9999, "intake_point": None})
            conn.execute(table.insert(), rows)
        upgrade(revision="0014_case_stations")
        with db.engine.connect() as conn:
            stations = {
                name: (sid, kind, area)
                for sid, name, kind, area in conn.execute(sa.text("SELECT id, name, kind, area FROM station"))
            }
            cases = conn.execute(
                sa.text("SELECT intake_point, station_id, detained FROM legal_case ORDER BY id")
            ).all()
    by_text: dict = {}
    for text, station_id, _detained in cases:
        by_text.setdefault(text, set()).add(station_id)
    assert all(len(ids) == 1 for ids in by_text.values()), "each text maps to one station"
    assert by_text[None] == {None} and by_text["县法律援助中心"] == {None}
    assert by_text[STATIONS[1][0]] == {stations[STATIONS[1][0]][0]}  # the existing station, not a copy
    assert len(stations) == 1 + len(AREAS) + 5  # one per distinct text, once
    for area in AREAS:
        assert stations[area][1:] == ("township", area)
    assert stations["区人民检察院"][1] == "procuratorate"
    assert stations["区看守所"][1] == "detention_centre"
    assert stations["区劳动人事争议仲裁委员会"][1] == "labour_arbitration"
    assert stations["城关律师事务所"][1] == "law_firm"
    assert stations["区人民法院"][1] == "court"
    assert {text for text, *_ in cases} == {*TEXTS, None}  # the intake point stays readable
    # The old guess (a criminal case with a contact person) is kept as the stated fact for old cases.
    assert [bool(d) for *_, d in cases[:3]] == [True, False, False]
