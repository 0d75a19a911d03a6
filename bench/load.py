"""50 users for 60 s on the generated province, through gunicorn with 2 sync workers (issue 16).

    python bench/load.py [--database-url postgresql://postgres@127.0.0.1:5432/bench_scale_1m]
                         [--users 50] [--seconds 60] [--workers 2] [--think 1.0]

Uses a database filled by ``bench/generate.py``; each staff role signs in as a user of that one role
(``bench_load_desk`` …, made here), the lawyers as the busiest provider's user (``bench/scale.py``'s).
Starts gunicorn (``--workers`` sync
workers) on 127.0.0.1, signs in, and runs ``--users`` simulated people in a centre's mix for
``--seconds``: each opens a page or an API list of their role, reads it (a think time drawn around
``--think`` seconds), and opens the next. The mix: desk clerks on the consultations register, the
intake queue and the cases; coordinators on cases, pools and the rotation report; supervisors on
deadlines, calls, hearings, observations, red flags and scoring; finance on subsidies and batches;
lawyers on their own assignments, scores and subsidies (their phones poll the assignments API);
an admin. The requests run from several client processes, so the client's own work does not queue
behind one Python lock. Prints requests a second, p50/p95/p99 and the errors, and the slowest routes,
against the issue's targets (p95 ≤ 150 ms, p99 ≤ 300 ms, 0 errors).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from bench_session import Server  # noqa: E402
from scale import PASSWORD, PROVIDER_USER, users  # noqa: E402

P95, P99 = 0.150, 0.300
# (role, share of the users, paths); {ids} filled from the data below.
MIX = [
    (
        "desk",
        0.16,
        [
            "/",
            "/desk",
            "/consultations",
            "/consultations?q={phone}",
            "/desk/earlier?phone={phone}",
            "/api/v1/consultations?per_page=50",
        ],
    ),
    (
        "coordinator",
        0.14,
        ["/", "/cases", "/cases/{case_id}", "/cases?q={name}", "/reports/rotation", "/api/v1/cases"],
    ),
    (
        "supervisor",
        0.2,
        [
            "/",
            "/supervision/deadlines",
            "/supervision/calls",
            "/supervision/hearings",
            "/supervision/observations",
            "/supervision/red-flags",
            "/scoring/",
            "/api/v1/deadlines",
        ],
    ),
    (
        "finance",
        0.1,
        [
            "/",
            "/finance/subsidies",
            "/finance/batches",
            "/finance/batches/{batch_id}",
            "/api/v1/subsidies",
        ],
    ),
    (
        "lawyer",
        0.36,
        [
            "/",
            "/me/assignments",
            "/api/v1/me/assignments",
            "/api/v1/me/assignments",
            "/scoring/my-scores",
            "/me/subsidies",
            "/my/shifts",
        ],
    ),
    (
        "admin",
        0.04,
        ["/", "/admin/users", "/admin/providers", "/admin/pools/{pool_id}", "/supervision/subsidies"],
    ),
]
IDS = {
    "phone": "SELECT person_phone FROM consultation ORDER BY id DESC LIMIT 1",
    "name": "SELECT applicant_name FROM legal_case WHERE char_length(applicant_name) = 2 LIMIT 1",
    "case_id": "SELECT max(id) FROM legal_case WHERE status = 'in_progress'",
    "pool_id": "SELECT pool_id FROM pool_member GROUP BY pool_id ORDER BY count(*) DESC, 1 LIMIT 1",
    "batch_id": "SELECT id FROM payment_batch ORDER BY count DESC, id LIMIT 1",
}


def role_user(role: str) -> str:
    """Who a person of ``role`` signs in as: a user with that one role (a desk clerk's home page is
    the desk's, not every role's panels), the busiest provider's user for the lawyers."""
    return PROVIDER_USER if role == "lawyer" else f"bench_load_{role}"


def role_users(session) -> None:
    from legalaid.models import User
    from legalaid.users import create_user

    for role, _, _ in MIX:
        name = role_user(role)
        if role != "lawyer" and session.scalar(sa.select(User.id).where(User.username == name)) is None:
            create_user(session, None, name, PASSWORD, [role])
    session.commit()


def sign_in(port: int, username: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"username": username, "password": PASSWORD})
    conn.request("POST", "/api/v1/session", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"sign-in of {username} failed: {response.status}")
    return response.getheader("Set-Cookie").split(";", 1)[0]


def person(
    port: int, cookie: str, paths: list[str], until: float, think: float, seed: int, out: list
) -> None:
    """One person: open a page, read it, open the next, until the time is up (``until`` None: one
    request, no reading)."""
    rng = random.Random(seed)
    if until is not None:
        time.sleep(rng.uniform(0, think))  # people do not all start at once
    while until is None or time.monotonic() < until:
        path = rng.choice(paths)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "zh-CN"})
            response = conn.getresponse()
            response.read()
            status = response.status
        except OSError as error:
            status = f"{type(error).__name__}"
        finally:
            conn.close()
        out.append((path, time.perf_counter() - start, status))
        if until is None:
            return
        time.sleep(rng.expovariate(1.0 / think))


def client_process(args: tuple) -> list:
    """Some of the people, as threads of one process; returns (path, seconds, status) per request."""
    port, people, until, think = args
    out: list = []
    threads = [
        threading.Thread(target=person, args=(port, cookie, paths, until, think, seed, out))
        for cookie, paths, seed in people
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds a person reads a page")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    args = parser.parse_args(argv)
    if not (1 <= args.users <= 500 and 1 <= args.seconds <= 600 and 1 <= args.workers <= 16):
        parser.error("keep runs bounded: users ≤ 500, seconds ≤ 600, workers ≤ 16")
    url = benchdb.database_url(args.database_url, "bench_scale")
    env = benchdb.app_environment(url)
    sys.path.insert(0, str(benchdb.REPO))
    os.environ.update({"DATABASE_URL": url, "SECRET_KEY": env["SECRET_KEY"]})
    from legalaid import create_app
    from legalaid.db import db

    app = create_app()
    with app.app_context():
        users(db.session)
        role_users(db.session)
        ids = {name: db.session.execute(sa.text(sql)).scalar() for name, sql in IDS.items()}
        db.session.commit()
        db.engine.dispose()

    server = Server(
        "service", "legalaid:create_app()", env, args.workers, Path(tempfile.mkdtemp(prefix="load_"))
    )
    try:
        server.wait_ready("/api/v1/openapi.json", timeout=60)
        cookies = {role: sign_in(server.port, role_user(role)) for role, _, _ in MIX}
        people = []
        for role, share, paths in MIX:
            filled = [quote(p.format(**ids), safe="/?=&") for p in paths]  # a Chinese name, escaped
            for _ in range(max(1, round(share * args.users))):
                people.append((cookies[role], filled, len(people)))
        people = people[: args.users]
        # One warm-up request per path and worker, so no first request's cost is timed.
        warm = sorted({(cookie, path) for cookie, paths, _ in people for path in paths})
        for _ in range(args.workers):
            client_process((server.port, [(c, [p], n) for n, (c, p) in enumerate(warm)], None, 0.0))
        until = time.monotonic() + args.seconds
        groups = [people[i :: args.clients] for i in range(args.clients)]
        started = time.monotonic()
        with multiprocessing.Pool(args.clients) as pool:
            parts = pool.map(client_process, [(server.port, g, until, args.think) for g in groups if g])
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    done = [r for part in parts for r in part]
    times = [seconds for _, seconds, _ in done]
    errors = [r for r in done if r[2] != 200]
    p50, p95, p99 = statistics.median(times), percentile(times, 0.95), percentile(times, 0.99)
    print(
        f"{len(people)} users, {args.workers} workers, {elapsed:.0f} s: {len(done)} requests, "
        f"{len(done) / elapsed:.1f} req/s; p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, max {max(times) * 1000:.0f} ms; {len(errors)} errors"
    )
    by_path: dict[str, list[float]] = {}
    for path, seconds, _ in done:
        by_path.setdefault(path, []).append(seconds)
    print(f"{'route':<52} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}")
    slowest = sorted(by_path.items(), key=lambda item: -percentile(item[1], 0.95))
    for path, values in slowest[:12]:
        print(
            f"{path[:52]:<52} {len(values):>5} {statistics.median(values) * 1000:>8.0f}"
            f" {percentile(values, 0.95) * 1000:>8.0f}"
        )
    for path, _, status in errors[:10]:
        print(f"error: {status} {path}")
    ok = p95 <= P95 and p99 <= P99 and not errors
    print(
        "PASS" if ok else "FAIL", f"(targets: p95 ≤ {P95 * 1000:.0f} ms, p99 ≤ {P99 * 1000:.0f} ms, 0 errors)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
