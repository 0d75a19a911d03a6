"""The cases' side of stations for bench/generate.py: the applicant's sex, detention, the cases taken at a
station and forwarded to the centre, and red flags on archived cases (see bench/generate_stations.py)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from legalaid import clock

# Where a case of each kind may be taken.
TAKES = {
    "criminal": ("court", "procuratorate", "detention_centre", "juvenile", "military", "law_firm"),
    "other": ("township", "labour_arbitration", "court", "juvenile", "military", "law_firm"),
}


def add_working_days(start: dt.date, days: int, exceptions: dict[dt.date, bool]) -> dt.date:
    """``assignment.workdays.add_working_days`` on the calendar read once."""
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if exceptions.get(day, day.weekday() < 5):
            counted += 1
    return day


def forwarding_due(station_received_at: dt.datetime, detained: bool, exceptions: dict) -> dt.datetime:
    """``assignment.deadlines.forwarding_due`` with the default limits (24 hours for a detained
    applicant; otherwise the end of the 3rd working day after the station's local day of receipt)."""
    if detained:
        return station_received_at + dt.timedelta(hours=24)
    last_day = add_working_days(clock.local_date(station_received_at), 3, exceptions)
    return clock.day_bounds(last_day)[1] - dt.timedelta(microseconds=1)


def applicant_sex(case_id: int) -> str | None:
    """Stated on 95 % of cases, about as many women as men; the id hashed, so a case keeps its answer
    whether written with the case (``generate_cases``) or added later (``SEX_AND_DETENTION``)."""
    bucket = case_id * 2654435761 % 100
    return "female" if bucket < 47 else "male" if bucket < 95 else None


def detained(case_id: int, case_type: str) -> bool:
    """A third of criminal applicants are in custody."""
    return case_type == "criminal" and case_id * 40507 % 3 == 0


# The two rules above in SQL, for a database generated before these columns were filled.
SEX_AND_DETENTION = (
    "UPDATE legal_case SET "
    "applicant_sex = CASE WHEN (id * 2654435761::bigint) % 100 < 47 THEN 'female' "
    "WHEN (id * 2654435761::bigint) % 100 < 95 THEN 'male' END, "
    "detained = (case_type = 'criminal' AND (id * 40507::bigint) % 3 = 0)"
)


def mark_cases(conn, schema, meta, rng, stations, timings) -> None:
    """Sex and detention on the cases unless written with them (one statement), then the station cases:
    taken at a station of their area, forwarded to the centre, judged late or not."""
    if not conn.scalar(sa.text("SELECT EXISTS (SELECT 1 FROM legal_case WHERE applicant_sex IS NOT NULL)")):
        conn.execute(sa.text(SEX_AND_DETENTION))
    exceptions = dict(conn.execute(sa.text("SELECT day, working FROM calendar_day")).all())
    by_area: dict[str, dict[str, list[int]]] = {}
    for s in stations:
        by_area.setdefault(s["area"], {}).setdefault(s["kind"], []).append(s["id"])
    taken = conn.execute(
        sa.text(
            "SELECT id, case_type, intake_point, created_at, detained FROM legal_case "
            "WHERE station_id IS NULL AND (id * 2246822519::bigint) % 1000 < 80 ORDER BY id"
        )
    ).all()
    rows, late = [], 0
    for case_id, case_type, area, created_at, detained in taken:
        kinds = by_area.get(area)
        if not kinds:
            continue
        if detained and "detention_centre" in kinds and rng.random() < 0.7:
            kind = "detention_centre"
        else:
            kind = rng.choice(
                [k for k in TAKES["criminal" if case_type == "criminal" else "other"] if k in kinds]
                or list(kinds)
            )
        centre_at = created_at if created_at.tzinfo else created_at.replace(tzinfo=dt.UTC)
        if detained:
            station_at = centre_at - dt.timedelta(hours=rng.choice((2, 4, 6, 10, 16, 20, 23, 30)))
        else:
            station_at = centre_at - dt.timedelta(
                days=rng.choice((0, 0, 1, 1, 1, 2, 2, 3, 6)), hours=rng.randint(0, 6)
            )
        forwarded_late = centre_at > forwarding_due(station_at, detained, exceptions)
        late += forwarded_late
        rows.append((case_id, rng.choice(kinds[kind]), station_at, centre_at, forwarded_late))
    conn.exec_driver_sql(
        "CREATE TEMP TABLE gen_station_case (id int PRIMARY KEY, station_id int, "
        "station_received_at timestamptz, centre_received_at timestamptz, forwarded_late boolean) "
        "ON COMMIT DROP"
    )
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy("COPY gen_station_case FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    conn.execute(
        sa.text(
            "UPDATE legal_case c SET station_id = g.station_id, station_received_at = g.station_received_at, "
            "centre_received_at = g.centre_received_at, forwarded_late = g.forwarded_late "
            "FROM gen_station_case g WHERE g.id = c.id"
        )
    )
    timings.rows["legal_case taken at a station"] = len(rows)
    timings.seconds.setdefault("legal_case taken at a station", 0.0)
    print(f"  cases taken at a station: {len(rows):,} ({late:,} forwarded late)")


def red_flags(conn, staff) -> int:
    """≈ 0.3 % of archived cases: the client said the provider took money; reviewed and dismissed."""
    supervisor = staff["supervisors"][0]
    flagged = (
        conn.execute(
            sa.text(
                "INSERT INTO red_flag (case_id, provider_id, call_id, attempt_id, kind, status, raised_at, "
                "raised_by, resolved_at, resolved_by, resolution_reason) "
                "SELECT k.case_id, k.provider_id, k.id, t.id, 'took_money', 'dismissed', t.at, t.by_id, "
                "t.at + interval '9 days', :supervisor, '核实后承办人员未收取财物，系当事人误解。' "
                "FROM legal_case c JOIN follow_up_call k ON k.case_id = c.id AND k.purpose = 'after_closing' "
                "JOIN call_attempt t ON t.call_id = k.id AND t.reached "
                "WHERE c.status = 'archived' AND (c.id * 3266489917::bigint) % 1000 < 3 RETURNING attempt_id"
            ),
            {"supervisor": supervisor},
        )
        .scalars()
        .all()
    )
    if flagged:
        conn.execute(
            sa.text("UPDATE call_attempt SET took_money = true WHERE id IN :ids").bindparams(
                sa.bindparam("ids", expanding=True)
            ),
            {"ids": flagged},
        )
    return len(flagged)
