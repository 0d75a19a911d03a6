"""Fill a database with a province-sized panel and its case history, fast.

    python bench/generate.py [--providers 10000] [--cases 1000000] [--database-url URL]

The schema comes from the migrations (``legalaid db upgrade``); a PostgreSQL database named
``bench_*`` (default ``bench_data``) is dropped and created first, any other database must have empty
panel and case tables. Tables and columns are read from the models (``Provider.__table__`` …) and
intersected with what the migrated database has, so a model column without its migration yet is
left out with a warning, and a table the models or the migrations do not have yet is skipped.

Small tables go in with Core ``INSERT … VALUES`` batches (executemany with insertmanyvalues); cases
and assignments are streamed with PostgreSQL ``COPY``. For the big tables, secondary indexes and
foreign keys are dropped during the load and re-created from their own definitions afterwards (the
usual bulk-load recipe; the rows are consistent by construction and re-adding a foreign key checks
every row). Ids are given explicitly and the sequences moved past them at the end.

What it makes: ``--providers`` providers (≈85 % lawyers in law firms, the rest legal advisers in
legal service offices, a few lawyers at each area's centre) in ``--providers / 33`` organisations over
16 areas; per area a criminal pool (lawyers) and a civil/administrative/non-litigation pool (everyone);
``--cases`` cases received over the last six years, numbered per year and type, most of them
closed or archived, with their assignments (≈5 % after a declined or expired offer), the live ones
counted in ``provider.open_cases`` and the numbering in ``case_counter``. Then every later stage
(hearings, observations, closings, score files and sheets, calls, archive records, subsidies, paid
batches, consultations, complaints: ``bench/generate_stages.py``), then the stations with their duty
pools, rotas, shifts, swaps, archived duty months and duty subsidies, the cases taken at a station and
red flags (``bench/generate_stations.py``). JSON columns are written through their column types (once);
a case's ``intake_point`` is its area, the pools' area key.

    python bench/generate.py --add-stations --database-url URL

adds only the stations and what hangs on them to a database generated before they existed (nothing
when it has stations); it never drops or recreates the database.

Modules: ``generate_common`` (vocabulary, progress, schema, COPY), ``generate_panel`` (organisations,
providers, case pools), ``generate_cases`` (cases, assignments), ``generate_stages``,
``generate_stations`` and ``generate_station_cases``.
"""

from __future__ import annotations

import argparse
import random
import time

import benchdb
import sqlalchemy as sa

# The shared pieces, importable as ``generate.X`` as before the split.
from generate_cases import History, load_history  # noqa: F401
from generate_common import (  # noqa: F401
    AREAS,
    INSERT_BATCH,
    Progress,
    Schema,
    Timings,
    bulk_load,
    copy_rows,
    insert_batches,
    person_name,
)
from generate_panel import build_panel, load_panel, load_pools  # noqa: F401

from legalaid import clock

SEQUENCED_TABLES = (
    "organization",
    "provider",
    "rotation_pool",
    "pool_scope",
    "legal_case",
    "assignment",
    "user_account",
    "hearing",
    "observation",
    "follow_up_call",
    "call_attempt",
    "score_sheet",
    "archive_record",
    "payment_batch",
    "subsidy",
    "consultation",
    "complaint",
    "station",
    "duty_rota",
    "duty_shift",
    "duty_swap",
    "duty_month",
    "red_flag",
)


def finish(conn: sa.Connection, schema: Schema, timings: Timings) -> None:
    """Move each id sequence past the explicit ids; refresh the planner's statistics."""
    with timings.step("sequences and ANALYZE"):
        for table in SEQUENCED_TABLES:
            if table in schema.db_tables:
                conn.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f'(SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)'
                    )
                )
        conn.commit()
        # VACUUM too: the visibility map lets counts and lists use index-only scans, as on a live
        # database that autovacuum keeps.
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


def refuse_unless_empty(conn: sa.Connection, schema: Schema) -> None:
    for table in ("organization", "provider", "legal_case", "assignment"):
        if table in schema.db_tables and conn.scalar(sa.text(f'SELECT EXISTS (SELECT 1 FROM "{table}")')):
            raise SystemExit(f"{table} already has rows; use an empty database or one named bench_*")


def generate(
    url: str,
    *,
    providers: int,
    cases: int,
    organizations: int | None = None,
    seed: int = 2026,
    prepare: bool = True,
) -> Timings:
    """Fill the database at ``url``: the panel, pools, cases and assignments, then every later stage
    (bench/generate_stages.py). ``prepare=False`` takes the schema as it is (tests: already migrated)."""
    import generate_stages
    import generate_stations

    n_orgs = organizations or max(providers // 33, len(AREAS) + 5)
    timings = Timings()
    if prepare:
        with timings.step("schema (legalaid db upgrade)"):
            benchdb.prepare(url, benchdb.app_environment(url))

    from legalaid.config import database_url

    engine = sa.create_engine(database_url(url, "."), insertmanyvalues_page_size=INSERT_BATCH)
    schema = Schema(engine)
    now = clock.now().replace(microsecond=0)
    rng = random.Random(seed)
    try:
        with engine.connect() as conn:
            refuse_unless_empty(conn, schema)
            conn.exec_driver_sql("SET synchronous_commit = off")
            with timings.step("build panel in memory"):
                panel = build_panel(rng, providers, n_orgs, now)
            _, providers_loaded = load_panel(conn, schema, panel, timings)
            pool_of = load_pools(conn, schema, panel, now, timings) if providers_loaded else {}
            conn.commit()
            if providers_loaded and cases:
                history = History(rng, panel, pool_of, cases, now, with_assignments=True)
                load_history(conn, schema, history, timings)
                conn.commit()
                generate_stages.load_stages(engine, conn, schema, rng, now, timings)
                conn.commit()
                generate_stations.add_stations(engine, conn, schema, rng, now, timings)
            finish(conn, schema, timings)
    finally:
        engine.dispose()
    return timings


def add_stations(url: str, *, seed: int = 2026) -> Timings:
    """Add stations, duty rotas and station cases to a database the generator filled before they
    existed (bench/generate_stations.py); nothing when it has stations. Never drops or recreates."""
    import generate_stations

    from legalaid.config import database_url

    timings = Timings()
    engine = sa.create_engine(database_url(url, "."), insertmanyvalues_page_size=INSERT_BATCH)
    try:
        with engine.connect() as conn:
            schema = Schema(engine)
            conn.exec_driver_sql("SET synchronous_commit = off")
            now = clock.now().replace(microsecond=0)
            if generate_stations.add_stations(engine, conn, schema, random.Random(seed), now, timings):
                finish(conn, schema, timings)
    finally:
        engine.dispose()
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--organizations", type=int, help="default: providers / 33")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="default: $DATABASE_URL, else a fresh local bench_data")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--add-stations",
        action="store_true",
        help="only add stations, duty rotas and station cases to an existing generated database",
    )
    args = parser.parse_args(argv)
    if not 20 <= args.providers <= 1_000_000 or not 0 <= args.cases <= 20_000_000:
        parser.error("--providers 20…1,000,000 and --cases 0…20,000,000")
    url = benchdb.database_url(args.database_url, "bench_data")
    if not benchdb.libpq_url(url).startswith("postgresql://"):
        parser.error("generate.py writes with PostgreSQL COPY; give a PostgreSQL DATABASE_URL")
    started = time.monotonic()
    if args.add_stations:
        if not args.database_url:
            parser.error("--add-stations needs --database-url (the generated database to add to)")
        print(f"database: {url}  (adding stations and duty only)")
        add_stations(url, seed=args.seed).report(time.monotonic() - started)
        return
    print(f"database: {url}  ({'recreated' if benchdb.is_bench_owned(url) else 'must be empty'})")
    timings = generate(
        url, providers=args.providers, cases=args.cases, organizations=args.organizations, seed=args.seed
    )
    timings.report(time.monotonic() - started)


if __name__ == "__main__":
    main()
