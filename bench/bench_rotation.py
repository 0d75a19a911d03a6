"""Benchmark of one rotation assignment (issue 3): on PostgreSQL, a pool of 10,000 providers with
1,000,000 past assignments. Prints the median and p99 of one assignment, the throughput of 8
concurrent assigners, and, on a 60-member pool, the ratio to a transaction writing the same rows
with plain INSERTs/UPDATEs.

usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_rot python bench/bench_rotation.py
       [--providers 10000] [--history 1000000] [--samples 400]
A database named bench_* is dropped and created again; any other is refused (the data generator
writes with bulk SQL)."""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time

import benchdb
import sqlalchemy as sa

GOALS = "goals: median ≤ 10 ms, p99 ≤ 30 ms, 8 assigners ≥ 150/s, 60-member ratio ≤ 2×"


def fill(conn, providers: int, history: int) -> None:
    """Bulk data with server-side generate_series: orgs, providers, two pools, past history."""
    x = conn.exec_driver_sql
    x(
        "INSERT INTO user_account (username, password_hash, active, created_at) VALUES ('bench', 'x', "
        "true, now())"
    )
    x("INSERT INTO user_role (user_id, role) SELECT id, 'coordinator' FROM user_account")
    x(
        "INSERT INTO organization (name, kind, created_at) "
        f"SELECT 'Firm ' || g, 'law_firm', now() FROM generate_series(1, {providers // 50 + 2}) g"
    )
    x(
        "INSERT INTO provider (name, kind, organization_id, practice_since, max_open_cases, active, "
        "prior_legal_aid_cases, created_at, specialties, areas, open_cases) "
        f"SELECT 'Lawyer ' || g, 'lawyer', 1 + mod(g, {providers // 50}), DATE '2010-01-01', 1000000, true, "
        "0, now(), "
        f"'[]', '[]', 0 FROM generate_series(1, {providers + 60}) g"
    )
    x(
        "INSERT INTO rotation_pool (name, case_types, provider_kinds, clock, active_weight, weights, "
        "created_at) "
        "VALUES ('big', '[\"civil\"]', '[\"lawyer\"]', 0, 0, '[0.5, 1.0]', now()), "
        "('small', '[\"criminal\"]', '[\"lawyer\"]', 0, 60, '[1.0]', now())"
    )
    x("INSERT INTO pool_scope (pool_id, case_type, area_key) VALUES (1, 'civil', ''), (2, 'criminal', '')")
    # After `history` past picks the keys are spread over one round: offset = weight × clock − key.
    x(
        f"UPDATE rotation_pool SET clock = {history} / ({providers} * 0.9), "
        f"active_weight = {providers} * 0.9 WHERE id = 1"
    )
    x(
        "INSERT INTO pool_member (pool_id, provider_id, weight, turn_offset, turns, joined_at) "
        "SELECT 1, g, w, w * (SELECT clock FROM rotation_pool WHERE id = 1) - mod(g, 997) / 997.0, "
        f"(w * {history} / ({providers} * 0.9))::int, now() "
        "FROM (SELECT g, CASE WHEN mod(g, 5) = 0 THEN 0.5 ELSE 1.0 END AS w FROM generate_series(1, "
        f"{providers}) g) s"
    )
    x(
        "INSERT INTO pool_member (pool_id, provider_id, weight, turn_offset, turns, joined_at) "
        "SELECT 2, g, 1.0, -mod(g, 60) / 60.0, 0, now() "
        f"FROM generate_series({providers + 1}, {providers + 60}) g"
    )
    case_cols = (
        "number, year, seq, case_type, cause, status, received_on, source, applicant_name, "
        "applicant_id_number, applicant_categories, group_size, major, juvenile, green_channel, "
        "paused_days, created_at"
    )
    x(
        f"INSERT INTO legal_case ({case_cols}) SELECT 'H-' || g, 2025, g, 'civil', 'wage_arrears', "
        "'in_progress', "
        "DATE '2025-01-01', 'application', 'A', '110101199003077571', '[]', 1, false, false, false, 0, now() "
        f"FROM generate_series(1, {history}) g"
    )
    x(
        "INSERT INTO assignment (case_id, provider_id, pool_id, mode, status, live, counted, override, "
        "clock_step, "
        "offset_step, assigned_at, respond_by, accepted_at, explanation) "
        f"SELECT g, 1 + mod(g, {providers}), 1, 'rotation', 'accepted', true, true, false, 0, 1, "
        "now() - interval '1 day' * mod(g, 365), now(), now(), '{}' FROM generate_series(1, "
        f"{history}) g"
    )
    conn.exec_driver_sql("ANALYZE")


def new_cases(conn, n: int, case_type: str, start: int) -> list[int]:
    rows = conn.exec_driver_sql(
        "INSERT INTO legal_case (number, year, seq, case_type, cause, status, received_on, source, "
        "applicant_name, applicant_id_number, applicant_categories, group_size, major, juvenile, "
        "green_channel, paused_days, created_at, decided_on) "
        f"SELECT 'B-{case_type}-' || g, 2026, g, '{case_type}', 'x', 'accepted', CURRENT_DATE, "
        "'application', "
        "'A', '110101199003077571', '[]', 1, false, false, false, 0, now(), CURRENT_DATE "
        f"FROM generate_series({start}, {start + n - 1}) g RETURNING id"
    )
    return [r[0] for r in rows]


def timed_assignments(app, case_ids: list[int]) -> list[float]:
    from assignment.models import Case
    from assignment.rotation import assign_by_rotation
    from legalaid.auth import principal_for_user_id
    from legalaid.db import db
    from legalaid.models import User

    out = []
    with app.app_context():
        s = db.session
        # The actor as a request passes it: the signed-in Principal, not an ORM row that every commit
        # expires and the next access reloads.
        actor = principal_for_user_id(s.scalar(sa.select(User.id).order_by(User.id).limit(1)))
        for cid in case_ids:
            case = s.get(Case, cid)
            t = time.perf_counter()
            assign_by_rotation(s, case, actor)
            s.commit()
            out.append(time.perf_counter() - t)
    return out


def timed_plain_writes(app, case_ids: list[int]) -> list[float]:
    """The same rows written without the pick: lock, insert the assignment, update case, provider,
    member and pool, add the audit entry."""
    from legalaid import audit
    from legalaid.db import db

    out = []
    with app.app_context():
        s = db.session
        for i, cid in enumerate(case_ids):
            pid = 10_000_000  # replaced below by a real small-pool member
            t = time.perf_counter()
            s.execute(sa.text("SELECT id FROM rotation_pool WHERE id = 2 FOR UPDATE"))
            pid = (
                s.execute(sa.text("SELECT min(provider_id) FROM pool_member WHERE pool_id = 2")).scalar()
                + i % 60
            )
            s.execute(sa.text("SELECT id FROM provider WHERE id = :p FOR UPDATE"), {"p": pid})
            s.execute(
                sa.text(
                    "INSERT INTO assignment (case_id, provider_id, pool_id, mode, status, live, counted, "
                    "override, "
                    "clock_step, offset_step, assigned_at, respond_by, explanation) VALUES (:c, :p, 2, "
                    "'rotation', "
                    "'offered', true, true, false, 0, 1, now(), now(), '{}')"
                ),
                {"c": cid, "p": pid},
            )
            s.execute(sa.text("UPDATE legal_case SET status = 'assigned' WHERE id = :c"), {"c": cid})
            s.execute(sa.text("UPDATE provider SET open_cases = open_cases + 1 WHERE id = :p"), {"p": pid})
            s.execute(
                sa.text(
                    "UPDATE pool_member SET turn_offset = turn_offset + 1 WHERE pool_id = 2 AND "
                    "provider_id = :p"
                ),
                {"p": pid},
            )
            s.execute(sa.text("UPDATE rotation_pool SET clock = clock + 1 WHERE id = 2"))
            audit.record(s, None, "case.assign", "case", cid, None, {"provider_id": pid})
            s.commit()
            out.append(time.perf_counter() - t)
    return out


def concurrent_throughput(app, case_ids: list[int], workers: int = 8) -> float:
    chunks = [case_ids[i::workers] for i in range(workers)]
    threads = [threading.Thread(target=timed_assignments, args=(app, chunk)) for chunk in chunks]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return len(case_ids) / (time.perf_counter() - t)


def _assigner_process(url: str, case_ids: list[int], barrier, results) -> None:
    """One coordinator's worker process: its own app and connection, as a gunicorn worker has."""
    from legalaid import create_app
    from legalaid.config import database_url
    from legalaid.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(url, ""), "SECRET_KEY": "bench"})
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))  # connect before the clock starts
        db.session.rollback()
    barrier.wait()
    start = time.perf_counter()
    timed_assignments(app, case_ids)
    results.put((start, time.perf_counter()))


def concurrent_processes(url: str, case_ids: list[int], workers: int = 8) -> float:
    """8 assigners as 8 processes (8 coordinators' requests on gunicorn workers), all on one pool."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    procs = [
        ctx.Process(target=_assigner_process, args=(url, case_ids[i::workers], barrier, results))
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    spans = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    return len(case_ids) / (max(end for _s, end in spans) - min(start for start, _e in spans))


def ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=400)
    args = parser.parse_args()
    url = benchdb.database_url(None, "bench_rot")
    if not benchdb.is_bench_owned(url):
        sys.exit("use a PostgreSQL database named bench_* (it is recreated)")
    benchdb.recreate(url)
    from flask_migrate import upgrade

    from legalaid import create_app
    from legalaid.config import database_url
    from legalaid.db import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(url, ""), "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        t = time.perf_counter()
        with db.engine.begin() as conn:
            fill(conn, args.providers, args.history)
        took = time.perf_counter() - t
        print(f"data: {args.providers} providers, {args.history} past assignments ({took:.0f} s)")
        with db.engine.begin() as conn:
            big = new_cases(conn, args.samples + 1600, "civil", 1)
            small = new_cases(conn, 2 * args.samples, "criminal", 1)
    single = timed_assignments(app, big[: args.samples])
    median, p99 = ms(single, 0.5), ms(single, 0.99)
    print(f"one assignment, pool of {args.providers}: median {median:.2f} ms, p99 {p99:.2f} ms")
    rate = concurrent_throughput(app, big[args.samples : args.samples + 800])
    print(f"8 concurrent assigners (threads of one process, one GIL): {rate:.0f} assignments/s")
    rate = concurrent_processes(url, big[args.samples + 800 :])
    print(f"8 concurrent assigners (8 processes, like gunicorn workers): {rate:.0f} assignments/s")
    rotation = timed_assignments(app, small[: args.samples])
    plain = timed_plain_writes(app, small[args.samples :])
    ratio = statistics.median(rotation) / statistics.median(plain)
    print(
        f"60-member pool: rotation median {ms(rotation, 0.5):.2f} ms vs plain writes {ms(plain, 0.5):.2f} ms "
        f"= {ratio:.2f}x"
    )
    print(GOALS)


if __name__ == "__main__":
    main()
