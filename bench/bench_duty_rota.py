"""Generating a month's duty rota: 50 stations x 60 shifts from one 2,000-member duty pool (issue 14).

Target: <= 2 s in total on PostgreSQL. Builds the stations, the lawyers (some on leave during the
month), one duty pool (of no station: it staffs any station), then draws up next month twice, each
time on a freshly filled database:

* the month for every station at once (``assignment.duty.rota_month.generate_month``, what the
  coordinator's "Draw up every station" does), committed once: the target;
* station by station (``assignment.duty.rota.generate_rota``, each committed, as a coordinator drawing
  up one station's page after another would): printed beside it.

    python bench/bench_duty_rota.py [--stations 50] [--members 2000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import benchdb
import sqlalchemy as sa


def fill(session, stations: int, members: int):
    from assignment.consultations_models import Station
    from assignment.duty.models import DutyRota
    from assignment.models import Organization, PoolMember, Provider, ProviderLeave, RotationPool
    from legalaid import clock

    if session.scalar(sa.select(sa.func.count()).select_from(DutyRota)):
        raise SystemExit("the database already has rotas: use a bench_* database (recreated on each run)")
    org = Organization(name="Bench duty firm", kind="law_firm")
    session.add(org)
    session.flush()
    since = clock.today() - dt.timedelta(days=3650)
    session.execute(
        sa.insert(Provider),
        [
            {"name": f"Duty lawyer {i}", "kind": "lawyer", "organization_id": org.id, "practice_since": since}
            for i in range(members)
        ],
    )
    ids = list(session.scalars(sa.select(Provider.id).order_by(Provider.id)))
    pool = RotationPool(
        name="Bench duty pool", case_types=[], provider_kinds=["lawyer"], purpose="duty", weights=[1.0, 2.0]
    )
    session.add(pool)
    session.flush()
    rows, active = [], 0.0
    for n, pid in enumerate(ids):  # as join_pool seats them, one by one
        w = 2.0 if n % 10 == 0 else 1.0
        active += w
        rows.append({"pool_id": pool.id, "provider_id": pid, "weight": w, "turn_offset": -(w / active - 1.0)})
    session.execute(sa.insert(PoolMember), rows)
    pool.active_weight = active
    today = clock.today()
    first = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    session.execute(
        sa.insert(ProviderLeave),
        [
            {
                "provider_id": pid,
                "starts_on": first + dt.timedelta(days=n % 20),
                "ends_on": first + dt.timedelta(days=n % 20 + 6),
            }
            for n, pid in enumerate(ids[::20])
        ],
    )
    made = [
        Station(name=f"Bench station {i}", kind=("court", "detention_centre", "procuratorate")[i % 3])
        for i in range(stations)
    ]
    session.add_all(made)
    session.commit()
    return pool.id, [s.id for s in made], first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=50)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    url = benchdb.database_url(args.database_url, "bench_duty")
    env = benchdb.app_environment(url)
    print(f"database: {url}", file=sys.stderr)
    benchdb.prepare(url, env)
    sys.path.insert(0, str(Path(benchdb.REPO)))

    from assignment.duty.models import DutyShift
    from assignment.duty.rota import generate_rota
    from assignment.duty.rota_month import generate_month
    from legalaid import create_app
    from legalaid.config import database_url
    from legalaid.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(url, ""), "SECRET_KEY": "bench"})
    results = {}
    for mode in ("month", "each"):
        if mode == "each":  # a fresh database again: the same month from the same pool
            with app.app_context():
                db.engine.dispose()
            benchdb.prepare(url, env)
        with app.app_context():
            pool_id, stations, first = fill(db.session, args.stations, args.members)
            month = first.strftime("%Y-%m")
            wanted = [(first + dt.timedelta(days=d), p) for d in range(30) for p in ("am", "pm")]
            t0, cpu0 = time.perf_counter(), time.process_time()
            if mode == "month":
                rotas, _published = generate_month(db.session, None, pool_id, month, wanted)
                db.session.commit()
                assert len(rotas) == len(stations)
            else:
                for station_id in stations:
                    generate_rota(db.session, None, station_id, month, pool_id, wanted)
                    db.session.commit()
            total, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            shifts = db.session.scalar(sa.select(sa.func.count()).select_from(DutyShift))
            gaps = db.session.scalar(sa.select(sa.func.count()).where(DutyShift.provider_id.is_(None)))
            busiest = db.session.execute(
                sa.select(DutyShift.provider_id, sa.func.count())
                .group_by(DutyShift.provider_id)
                .order_by(sa.func.count().desc())
                .limit(1)
            ).first()
        results[mode] = total
        how = "at once" if mode == "month" else "station by station"
        print(
            f"{len(stations)} stations x {len(wanted)} shifts, {args.members:,}-member pool, {how}: "
            f"{total:.2f} s total, {cpu:.2f} s of it this process's CPU ({shifts:,} shifts, {gaps} gaps); "
            f"most shifts for one lawyer: {busiest[1]}",
            flush=True,
        )
    print("PASS" if results["month"] <= 2.0 else "FAIL", "(target: the month for every station <= 2 s)")
    return 0 if results["month"] <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
