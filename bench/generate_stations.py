"""Stations, the duty rota and what hangs on them, for bench/generate.py (issues 14 and 16).

Added to a generated centre (after its cases and stages), or to an existing generated database with
``python bench/generate.py --add-stations``; it does nothing when the database already has stations.

* five stations per area: a court, a procuratorate, a detention centre, a township workstation and one
  of labour arbitration, juvenile, military or a law firm's acceptance point;
* per station a duty pool (rotation pool of purpose ``duty``, lawyers only at a court, procuratorate
  or detention centre, as ``assignment.duty.pools`` requires) with 6–20 members of its area, at the
  pools' starting state (clock 0) like the case pools;
* a published rota for every month of the last ``DUTY_MONTHS`` months with 8–20 shifts on working
  days (half days, some whole days; a few gaps): past shifts done (checked in and out, legal help
  counted under every kind as ``assignment.duty.shifts.check_out`` writes it) or missed (≈ 5 %);
  a few swaps (approved, refused, withdrawn; open ones on coming shifts);
* each station's months archived (``duty_month``) when over, save the last one at a third of the
  stations (left for a coordinator); a duty subsidy per done shift of an archived month, with the
  breakdown of ``supervision.subsidies.duty.duty_amount``, paid in the month's confirmed batch when
  archived over 60 days ago and the batch exists, else payable;
* on the cases: ``applicant_sex`` on 95 %, ``detained`` on a third of criminal cases, and ≈ 8 % taken
  at a station of their area (``station_id``, ``station_received_at``, ``centre_received_at``, and
  ``forwarded_late`` judged by the rule of ``assignment.deadlines.forwarding_due``, reproduced in
  ``generate_station_cases.forwarding_due``);
* red flags (a client said the provider took money, dismissed after review) on ≈ 0.3 % of archived
  cases with a done after-closing call, that call's attempt marked ``took_money``.
"""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa
from generate_common import AREAS, FIRM_WORDS, Progress, Schema, Timings, copy_rows, insert_batches
from generate_station_cases import mark_cases, red_flags

from legalaid import clock

DUTY_MONTHS = 24
EXTRA_KINDS = ("labour_arbitration", "juvenile", "military", "law_firm")
LAWYERS_ONLY = ("court", "procuratorate", "detention_centre")
STATION_NAMES = {
    "court": "{area}人民法院法律援助工作站",
    "procuratorate": "{area}人民检察院法律援助工作站",
    "detention_centre": "{area}看守所法律援助工作站",
    "township": "{area}{word}镇法律援助工作站",
    "labour_arbitration": "{area}劳动人事争议仲裁院法律援助工作站",
    "juvenile": "{area}未成年人法律援助工作站",
    "military": "{area}退役军人法律援助工作站",
    "law_firm": "{area}{word}律师事务所法律援助联络点",
}
LEGAL_HELP_KINDS = ("advice", "procedural", "plea_witness", "meeting", "opinion")
PART_STAGES = {"am": "half_day", "pm": "half_day", "day": "day"}
PART_HOURS = {"am": (dt.time(9), 3.5), "pm": (dt.time(14), 3.5), "day": (dt.time(9), 8.0)}
TABLES = ("station", "duty_rota", "duty_shift", "duty_swap", "duty_month", "red_flag", "subsidy")
SHIFT_COLUMNS = [
    "id",
    "rota_id",
    "station_id",
    "on_date",
    "part",
    "provider_id",
    "status",
    "explanation",
    "counted",
    "clock_step",
    "offset_step",
    "checked_in_at",
    "checked_out_at",
    "legal_help",
    "note",
    "missed_at",
    "missed_by",
]
SUBSIDY_COLUMNS = [
    "id",
    "kind",
    "duty_shift_id",
    "duty_station_id",
    "duty_month_id",
    "provider_id",
    "status",
    "amount_fen",
    "breakdown",
    "archived_on",
    "batch_id",
    "paid_on",
    "bank_reference",
    "created_at",
    "computed_at",
]


def months_back(today: dt.date, n: int) -> list[dt.date]:
    """The first days of the last ``n`` months, the current one last."""
    firsts, month = [], today.replace(day=1)
    for _ in range(n):
        firsts.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return firsts[::-1]


def next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


def tables() -> dict[str, sa.Table]:
    from generate_stages import metadata_tables

    import assignment.duty.models  # noqa: F401
    import supervision.scheduling.models  # noqa: F401

    return metadata_tables()


def add_stations(
    engine, conn, schema: Schema, rng: random.Random, now: dt.datetime, timings: Timings
) -> bool:
    """Everything above, once: False (and nothing written) when stations exist or a table is missing."""
    missing = [t for t in TABLES if t not in schema.db_tables]
    case_columns = {c["name"] for c in schema.db_columns.get("legal_case", [])}
    if missing or not {"station_id", "forwarded_late", "applicant_sex"} <= case_columns:
        print(f"skipping stations and duty: the migrations do not create {', '.join(missing) or 'them'} yet")
        return False
    if conn.scalar(sa.text("SELECT EXISTS (SELECT 1 FROM station)")):
        print("stations exist already: nothing added")
        return False
    meta = tables()
    users = dict(
        conn.execute(sa.text("SELECT username, id FROM user_account WHERE username LIKE 'gen-%'")).all()
    )
    staff = {
        "coordinator": users.get("gen-coordinator"),
        "supervisors": [i for name, i in users.items() if name.startswith("gen-supervisor")] or [None],
    }
    providers: dict[str, list[tuple[int, str]]] = {}
    for pid, kind, area in conn.execute(
        sa.text(
            "SELECT p.id, p.kind, o.area FROM provider p JOIN organization o ON o.id = p.organization_id "
            "WHERE p.active ORDER BY p.id"
        )
    ):
        providers.setdefault(area, []).append((pid, kind))
    today = now.date()
    with timings.step("station, duty pools", 0):
        stations, pools = load_stations_and_pools(conn, schema, meta, rng, now, providers)
        timings.rows["station, duty pools"] = len(stations)
    with timings.step("duty rotas, shifts, months"):
        load_duty(conn, schema, meta, rng, today, stations, pools, staff, timings)
    with timings.step("cases: sex, detained, stations"):
        mark_cases(conn, schema, meta, rng, stations, timings)
    with timings.step("red_flag"):
        timings.rows["red_flag"] = red_flags(conn, staff)
    conn.commit()
    return True


def load_stations_and_pools(conn, schema, meta, rng, now, providers) -> tuple[list[dict], dict[int, dict]]:
    created = now - dt.timedelta(days=6 * 365)
    stations, pool_rows, members = [], [], []
    pools: dict[int, dict] = {}
    first_pool = (conn.scalar(sa.text("SELECT coalesce(max(id), 0) FROM rotation_pool")) or 0) + 1
    for n, area in enumerate(AREAS):
        people = providers.get(area, [])
        if not people:
            continue
        for kind in ("court", "procuratorate", "detention_centre", "township", EXTRA_KINDS[n % 4]):
            station_id = len(stations) + 1
            name = STATION_NAMES[kind].format(area=area, word=FIRM_WORDS[(n + station_id) % len(FIRM_WORDS)])
            stations.append(
                {
                    "id": station_id,
                    "name": name,
                    "kind": kind,
                    "area": area,
                    "address": f"{area}{rng.choice(FIRM_WORDS)}路{rng.randint(1, 300)}号",
                    "hours": "周一至周五 9:00–17:00",
                    "active": True,
                    "created_at": created,
                }
            )
            kinds = ["lawyer"] if kind in LAWYERS_ONLY else ["lawyer", "legal_adviser"]
            eligible = [pid for pid, k in people if k in kinds]
            chosen = sorted(rng.sample(eligible, min(len(eligible), rng.randint(6, 20))))
            if not chosen:
                continue
            pool_id = first_pool + len(pool_rows)
            pool_rows.append(
                {
                    "id": pool_id,
                    "name": f"{name}值班",
                    "case_types": [],  # a duty pool claims no case scope (assignment/duty/pools.py)
                    "provider_kinds": kinds,
                    "area": area,
                    "purpose": "duty",
                    "station_id": station_id,
                    "clock": 0.0,
                    "active_weight": float(len(chosen)),
                    "weights": [1.0],  # the distinct weights of its members, as the service keeps them
                    "created_at": created,
                }
            )
            pools[station_id] = {"id": pool_id, "members": chosen}
            members += [
                {
                    "pool_id": pool_id,
                    "provider_id": pid,
                    "weight": 1.0,
                    "turn_offset": 0.0,
                    "turns": 0,
                    "joined_at": created,
                }
                for pid in chosen
            ]
    insert_batches(conn, meta["station"], stations, list(stations[0]), schema)
    insert_batches(conn, meta["rotation_pool"], pool_rows, list(pool_rows[0]), schema)
    insert_batches(conn, meta["pool_member"], members, list(members[0]), schema)
    return stations, pools


def load_duty(conn, schema, meta, rng, today, stations, pools, staff, timings) -> None:
    """Rotas and shifts month by month; swaps; archived months and their subsidies."""
    coordinator = staff["coordinator"]
    rates: dict = {}
    for r in conn.execute(
        sa.text(
            "SELECT id, stage, provider_kind, effective_from, amount_fen FROM subsidy_rate "
            "WHERE case_type = 'duty' ORDER BY effective_from"
        )
    ):
        rates.setdefault((r.stage, r.provider_kind), []).append(r)
    batches = {
        ref.removeprefix("BANK-"): (bid, paid_on)
        for bid, ref, paid_on in conn.execute(
            sa.text(
                "SELECT id, bank_reference, paid_on FROM payment_batch "
                "WHERE status = 'confirmed' AND bank_reference LIKE 'BANK-%'"
            )
        )
    }
    kind_of = dict(conn.execute(sa.text("SELECT id, kind FROM provider")).all())
    first_subsidy = (conn.scalar(sa.text("SELECT coalesce(max(id), 0) FROM subsidy")) or 0) + 1
    rotas, shifts, swaps, months, subsidies, items = [], [], [], [], [], []
    firsts = months_back(today, DUTY_MONTHS)
    progress = Progress("duty rotas (stations)", len(pools))
    for station in stations:
        pool = pools.get(station["id"])
        if pool is None:
            continue
        turn = rng.randrange(len(pool["members"]))
        leave_last_open = rng.random() < 1 / 3
        for first in firsts:
            after = next_month(first)
            month = f"{first:%Y-%m}"
            rota_id = len(rotas) + 1
            drafted = clock.local_moment(first - dt.timedelta(days=rng.randint(7, 14)), dt.time(10))
            published = drafted + dt.timedelta(hours=rng.randint(2, 48))
            rotas.append(
                {"id": rota_id, "station_id": station["id"], "month": month, "pool_id": pool["id"]}
                | {"status": "published", "created_at": drafted, "created_by": coordinator}
                | {"published_at": published, "published_by": coordinator}
            )
            days = [first + dt.timedelta(days=i) for i in range((after - first).days)]
            slots = [(d, p) for d in days if d.weekday() < 5 for p in ("am", "pm")]
            month_shifts = []
            for day, part in sorted(rng.sample(slots, min(len(slots), rng.randint(8, 20)))):
                if rng.random() < 0.1 and part == "am":
                    part = "day"
                if any(s[3] == day for s in month_shifts):  # one shift a day per station
                    continue
                provider = None
                if rng.random() > 0.03:  # else a gap: nobody eligible was free
                    provider = pool["members"][turn % len(pool["members"])]
                    turn += 1
                month_shifts.append(
                    shift_row(
                        rng,
                        len(shifts) + len(month_shifts) + 1,
                        rota_id,
                        station,
                        day,
                        part,
                        provider,
                        pool,
                        today,
                        coordinator,
                    )
                )
            shifts += month_shifts
            for s in month_shifts:
                if s[5] is not None and len(pool["members"]) > 1 and rng.random() < 0.03:
                    swaps.append(swap_row(rng, len(swaps) + 1, s, pool, today, coordinator))
            # Months over are archived, save the last one at a third of the stations.
            archived = after <= today and not (leave_last_open and after == today.replace(day=1))
            if not archived:
                continue
            month_id = len(months) + 1
            archived_at = clock.local_moment(after + dt.timedelta(days=rng.randint(1, 8)), dt.time(16))
            archived_at = min(archived_at, clock.local_moment(today, dt.time(0)))
            months.append({"id": month_id, "station_id": station["id"], "month": month})
            months[-1] |= {"archived_at": archived_at, "archived_by": coordinator}
            archived_on = clock.local_date(archived_at)
            batch = batches.get(f"{archived_on:%Y%m}") if (today - archived_on).days > 60 else None
            for s in month_shifts:
                if s[6] != "done":
                    continue
                amount, breakdown = duty_amount(rates, s, kind_of[s[5]])
                subsidy_id = first_subsidy + len(subsidies)
                subsidies.append(
                    (subsidy_id, "duty", s[0], station["id"], month_id, s[5], "paid" if batch else "payable")
                    + (
                        amount,
                        breakdown,
                        archived_on,
                        batch[0] if batch else None,
                        batch[1] if batch else None,
                    )
                    + (f"BANK-{archived_on:%Y%m}" if batch else None, archived_at, archived_at)
                )
                if batch:
                    items.append(
                        {
                            "batch_id": batch[0],
                            "subsidy_id": subsidy_id,
                            "amount_fen": amount,
                            "outcome": "paid",
                        }
                    )
        progress.add(1)
    progress.finish()
    insert_batches(conn, meta["duty_rota"], rotas, list(rotas[0]), schema)
    copy_rows(conn, meta["duty_shift"], SHIFT_COLUMNS, schema, [shifts], len(shifts))
    if swaps:
        insert_batches(conn, meta["duty_swap"], swaps, list(swaps[0]), schema)
    insert_batches(conn, meta["duty_month"], months, list(months[0]), schema)
    copy_rows(conn, meta["subsidy"], SUBSIDY_COLUMNS, schema, [subsidies], len(subsidies))
    if items:
        insert_batches(conn, meta["payment_batch_item"], items, list(items[0]), schema)
        # The month's batch pays its duty subsidies too: its count and total follow its items.
        conn.execute(
            sa.text(
                "UPDATE payment_batch b SET count = i.n, total_fen = i.total FROM (SELECT batch_id, "
                "count(*) AS n, sum(amount_fen) AS total FROM payment_batch_item GROUP BY batch_id) i "
                "WHERE i.batch_id = b.id AND b.id IN (SELECT DISTINCT d.batch_id FROM payment_batch_item d "
                "JOIN subsidy s ON s.id = d.subsidy_id WHERE s.kind = 'duty')"
            )
        )
    for name, n in (
        ("duty_rota", len(rotas)),
        ("duty_shift", len(shifts)),
        ("duty_swap", len(swaps)),
        ("duty_month", len(months)),
        ("subsidy (duty)", len(subsidies)),
    ):
        timings.rows[name] = n
        timings.seconds.setdefault(name, 0.0)


def shift_row(rng, shift_id, rota_id, station, day, part, provider, pool, today, coordinator) -> tuple:
    """A shift as ``generate_rota`` writes it, then checked in and out (done) or missed once past."""
    explanation = {"pool_id": pool["id"], "skipped": [], "reasons": {}, "away": 0}
    if provider is None:
        explanation["gap"] = True
    else:
        explanation["picked"] = {"provider_id": provider, "deficit": 0.0}
    status, checked_in, checked_out, help_counts, missed_at = "planned", None, None, {}, None
    if provider is not None and day < today:
        start, hours = PART_HOURS[part]
        if rng.random() < 0.05:
            status, missed_at = "missed", clock.local_moment(day, dt.time(17, 30))
        else:
            status = "done"
            checked_in = clock.local_moment(day, start) + dt.timedelta(minutes=rng.randint(-15, 20))
            checked_out = checked_in + dt.timedelta(hours=hours, minutes=rng.randint(-20, 40))
            help_counts = {kind: rng.choice((0, 0, 1, 1, 2, 3)) for kind in LEGAL_HELP_KINDS}
    return (
        shift_id, rota_id, station["id"], day, part, provider, status, explanation, provider is not None,
        0.0, 0.0, checked_in, checked_out, help_counts, None, missed_at,
        coordinator if status == "missed" else None,
    )  # fmt: skip


def swap_row(rng, swap_id, shift: list, pool, today, coordinator) -> dict:
    """A swap on the shift: an approved one moved it to its present provider; an open one is on a
    coming shift, and at most one open swap per shift (``uq_duty_swap_open``)."""
    day, provider = shift[3], shift[5]
    other = rng.choice([m for m in pool["members"] if m != provider])
    asked = clock.local_moment(day - dt.timedelta(days=rng.randint(3, 10)), dt.time(11))
    status = "asked" if day > today else rng.choices(("approved", "refused", "withdrawn"), (7, 2, 1))[0]
    row = {"id": swap_id, "shift_id": shift[0], "status": status, "asked_at": asked}
    if status == "approved":
        row |= {"from_provider_id": other, "to_provider_id": provider}
    else:
        row |= {"from_provider_id": provider, "to_provider_id": other}
    decided = status in ("approved", "refused")
    row |= {
        "accepted_at": asked + dt.timedelta(hours=3) if status == "approved" else None,
        "decided_at": asked + dt.timedelta(days=1) if decided else None,
        "decided_by": coordinator if decided else None,
    }
    return row


def duty_amount(rates: dict, shift: tuple, provider_kind: str) -> tuple[int, dict]:
    """``supervision.subsidies.duty.duty_amount``: the duty rate in force on the shift's day."""
    on_date, part = shift[3], shift[4]
    stage = PART_STAGES[part]
    options = rates.get((stage, provider_kind)) or rates.get((stage, "lawyer"))
    rate = options[0]
    for option in options:
        if option.effective_from <= on_date:
            rate = option
    return rate.amount_fen, {
        "kind": "duty",
        "rate_id": rate.id,
        "rate_fen": rate.amount_fen,
        "stage": stage,
        "part": part,
        "on_date": on_date.isoformat(),
        "provider_kind": provider_kind,
        "total_fen": rate.amount_fen,
    }
