"""Every list that issue 16 fixed, timed on the generated province (started; more pages to come).

    python bench/scale.py [--database-url postgresql://postgres@127.0.0.1:5432/bench_scale]
                          [--generate --providers 10000 --cases 200000] [--samples 5] [--only WORD]

Uses (or, with ``--generate``, first makes with bench/generate.py) a database filled by the generator,
signs in through the API as one staff member holding every staff role, and requests each page and API
list in-process through the app (Flask test client: the application and database time, without a WSGI
server's): 1 warm-up, then ``--samples`` timed requests; prints one table with the median, the max,
the statements each request ran and the body's size, against the issue's targets (median ≤ 150 ms,
max ≤ 300 ms; a batch's page, detail and bank file ≤ 1 s; a year's archive CSV ≤ 2 s, XLSX ≤ 5 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402
import sqlalchemy as sa  # noqa: E402

USER, PASSWORD = "bench_scale", "Bench-scale-passw0rd-1"
ROLES = ["admin", "coordinator", "supervisor", "finance", "desk"]
LIST, FILE_1S, CSV_2S, XLSX_5S = (0.150, 0.300), (1.0, 1.0), (2.0, 2.0), (5.0, 5.0)


def targets(conn) -> list[tuple[str, str, tuple[float, float]]]:
    """(label, path, (median target, max target)) for each request, with ids read from the data."""
    q = lambda sql: conn.execute(sa.text(sql)).scalar()  # noqa: E731
    batch = q("SELECT id FROM payment_batch ORDER BY count DESC, id LIMIT 1")
    year = q("SELECT year FROM archive_record GROUP BY year ORDER BY count(*) DESC LIMIT 1")
    archives = q("SELECT count(*) FROM archive_record") or 0
    cases = q("SELECT count(*) FROM legal_case") or 0
    name = q("SELECT applicant_name FROM legal_case WHERE char_length(applicant_name) = 2 LIMIT 1") or "王伟"
    phone = q("SELECT applicant_phone FROM legal_case ORDER BY id DESC LIMIT 1") or "13800000000"
    number = q("SELECT number FROM legal_case ORDER BY id DESC LIMIT 1") or "2026-MS-0"
    deep_archive = max(archives // 100 - 1, 1)
    deep_cases = max(cases // 50 - 1, 1)
    return [
        ("batch page", f"/finance/batches/{batch}", FILE_1S),
        ("batch page, last", f"/finance/batches/{batch}?page=1000", FILE_1S),
        ("batch API detail", f"/api/v1/payment-batches/{batch}", FILE_1S),
        ("batch bank file CSV", f"/api/v1/payment-batches/{batch}/export?format=csv", FILE_1S),
        ("batch bank file XLSX", f"/api/v1/payment-batches/{batch}/export?format=xlsx", FILE_1S),
        ("archive page", "/supervision/archive", LIST),
        ("archive page, year", f"/supervision/archive?year={year}", LIST),
        ("archive page, deep", f"/supervision/archive?page={deep_archive}", LIST),
        ("archive API", "/api/v1/archives", LIST),
        ("archive API, deep", f"/api/v1/archives?page={deep_archive // 2}&per_page=200", LIST),
        ("archive CSV of a year", f"/api/v1/archives?year={year}&format=csv", CSV_2S),
        ("archive XLSX of a year", f"/api/v1/archives?year={year}&format=xlsx", XLSX_5S),
        ("cases API", "/api/v1/cases", LIST),
        ("cases API, deep", f"/api/v1/cases?page={deep_cases}", LIST),
        ("cases API, q=name", f"/api/v1/cases?q={name}", LIST),
        ("cases API, q=phone", f"/api/v1/cases?q={phone}", LIST),
        ("cases API, q=number prefix", f"/api/v1/cases?q={number[:9]}", LIST),
        ("cases API, q=number", f"/api/v1/cases?q={number}", LIST),
        ("cases page", "/cases", LIST),
        ("subsidies API", "/api/v1/subsidies", LIST),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--generate", action="store_true", help="recreate the bench_ database first")
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--only", help="time only the requests whose label contains this")
    args = parser.parse_args(argv)
    url = benchdb.database_url(args.database_url, "bench_scale")
    if args.generate:
        import generate

        generate.generate(url, providers=args.providers, cases=args.cases)
    env = benchdb.app_environment(url)
    os.environ.update({"DATABASE_URL": url, "SECRET_KEY": env["SECRET_KEY"]})

    from legalaid import create_app
    from legalaid.db import db
    from legalaid.models import User
    from legalaid.users import create_user

    app = create_app()
    with app.app_context():
        if db.session.scalar(sa.select(User.id).where(User.username == USER)) is None:
            create_user(db.session, None, USER, PASSWORD, ROLES)
            db.session.commit()
        with db.engine.connect() as conn:
            plan = targets(conn)
        engine = db.engine
    client = app.test_client()
    answer = client.post("/api/v1/session", json={"username": USER, "password": PASSWORD})
    assert answer.status_code == 200, answer.get_data(as_text=True)

    statements = [0]

    def count(*_a):
        statements[0] += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    print(f"{'request':<28} {'median ms':>10} {'max ms':>9} {'stmts':>6} {'KB':>8}  target    ok")
    failed = []
    for label, path, (median_target, max_target) in plan:
        if args.only and args.only not in label:
            continue
        times, status, size = [], 0, 0
        for i in range(args.samples + 1):
            statements[0] = 0
            start = time.perf_counter()
            response = client.get(path)
            body = response.get_data()
            elapsed = time.perf_counter() - start
            response.close()
            status, size = response.status_code, len(body)
            if i:
                times.append(elapsed)
        median, top = statistics.median(times), max(times)
        ok = status == 200 and median <= median_target and top <= max_target
        if not ok:
            failed.append(label)
        print(
            f"{label:<28} {median * 1000:>10.1f} {top * 1000:>9.1f} {statements[0]:>6} {size / 1e3:>8.1f}"
            f"  {median_target * 1000:>4.0f}/{max_target * 1000:<4.0f} {'ok' if ok else f'FAIL ({status})'}"
        )
    sa.event.remove(engine, "before_cursor_execute", count)
    print("PASS" if not failed else f"FAIL: {', '.join(failed)}")


if __name__ == "__main__":
    main()
