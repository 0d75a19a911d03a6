"""Payment batches at scale: one batch of 10,000 payable subsidies, then its XLSX bank file.

Targets (issue 6): creating the batch ≤ 2 s on PostgreSQL; exporting it to XLSX ≤ 5 s with peak
memory < 200 MB (tracemalloc peak of the export; the process's max RSS is printed too).

usage: python bench/bench_batches.py [--url postgresql://postgres@127.0.0.1:5432/bench_batches] [-n 10000]
A database named bench_* is dropped and recreated; its schema comes from the migrations.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from legalaid import clock

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402


def generate(n: int, n_providers: int = 10_000) -> tuple[list[int], int]:
    """n closed-and-archived cases with payable subsidies, spread over ``n_providers`` providers (bulk
    inserts): at 10,000 every payee is a different provider, the batch's worst case (issue 16)."""
    import sqlalchemy as sa

    from assignment.models import Assignment, Case, Organization, Provider
    from legalaid.db import db
    from legalaid.users import create_user
    from supervision.subsidies.models import ArchiveRecord, Subsidy

    session = db.session
    clerk = create_user(session, None, "bench_finance", "Bench-passw0rd-1", ["finance"])
    n_orgs = max(n_providers // 33, 1)
    orgs = [Organization(name=f"Bench firm {i}", kind="law_firm") for i in range(n_orgs)]
    session.add_all(orgs)
    session.flush()
    session.execute(
        sa.insert(Provider),
        [
            {
                "name": f"Bench lawyer {i}",
                "kind": "lawyer",
                "organization_id": orgs[i % n_orgs].id,
                "practice_since": dt.date(2010, 1, 1),
                "bank_account_stored": f"6222020200{i:09d}",
                "bank_name": "ICBC",
            }
            for i in range(n_providers)
        ],
    )
    session.commit()
    provider_ids = list(session.scalars(sa.select(Provider.id).order_by(Provider.id)))
    now, today = clock.now(), clock.today()
    year = today.year
    session.execute(
        sa.insert(Case),
        [
            {
                "number": f"B-{year}-{i:06d}",
                "year": year,
                "seq": i,
                "case_type": "civil",
                "cause": "wage_arrears",
                "status": "archived",
                "received_on": today,
                "applicant_name": f"Applicant {i}",
                "applicant_id_number": f"110101199003{i:06d}",
            }
            for i in range(1, n + 1)
        ],
    )
    case_ids = list(session.scalars(sa.select(Case.id).order_by(Case.id)))
    session.execute(
        sa.insert(Assignment),
        [
            {
                "case_id": c,
                "provider_id": provider_ids[i % len(provider_ids)],
                "mode": "rotation",
                "status": "accepted",
                "live": True,
                "assigned_at": now,
                "accepted_at": now,
                "respond_by": now,
                "explanation": {},
            }
            for i, c in enumerate(case_ids)
        ],
    )
    session.execute(
        sa.insert(ArchiveRecord),
        [
            {
                "case_id": c,
                "year": year,
                "seq": i + 1,
                "number": f"{year}-{i + 1:05d}",
                "archived_on": today,
                "archived_at": now,
            }
            for i, c in enumerate(case_ids)
        ],
    )
    archives = dict(session.execute(sa.select(ArchiveRecord.case_id, ArchiveRecord.id)).all())
    session.execute(
        sa.insert(Subsidy),
        [
            {
                "case_id": c,
                "provider_id": provider_ids[i % len(provider_ids)],
                "status": "payable",
                "amount_fen": 132000,
                "breakdown": {"base_fen": 120000, "grade_multiplier": "1.1"},
                "archive_id": archives[c],
                "archived_on": today,
                "computed_at": now,
            }
            for i, c in enumerate(case_ids)
        ],
    )
    session.commit()
    ids = list(session.scalars(sa.select(Subsidy.id).order_by(Subsidy.id)))
    return ids, clerk.id


def time_requests(app, batch_id: int, samples: int) -> dict[str, tuple[float, float, int]]:
    """The batch's page, its API detail and its bank file (CSV, XLSX) through the app, signed in as
    finance: 1 warm-up, then ``samples`` timed (median, max, statements). Target ≤ 1 s each."""
    import statistics

    import sqlalchemy as sa

    from legalaid.db import db

    client = app.test_client()
    answer = client.post(
        "/api/v1/session", json={"username": "bench_finance", "password": "Bench-passw0rd-1"}
    )
    assert answer.status_code == 200, answer.get_data(as_text=True)
    statements = [0]

    def count(*_args):
        statements[0] += 1

    sa.event.listen(db.engine, "before_cursor_execute", count)
    results = {}
    for label, path in (
        ("batch page", f"/finance/batches/{batch_id}"),
        ("batch page 40", f"/finance/batches/{batch_id}?page=40"),
        ("API detail", f"/api/v1/payment-batches/{batch_id}"),
        ("API detail page 40", f"/api/v1/payment-batches/{batch_id}?page=40&per_page=250"),
        ("bank file CSV", f"/api/v1/payment-batches/{batch_id}/export?format=csv"),
        ("bank file XLSX", f"/api/v1/payment-batches/{batch_id}/export?format=xlsx"),
    ):
        times = []
        for i in range(samples + 1):
            statements[0] = 0
            t = time.perf_counter()
            response = client.get(path)
            body = response.get_data()  # a streamed file is read to its end
            elapsed = time.perf_counter() - t
            response.close()
            assert response.status_code == 200, (path, response.status_code)
            if i:
                times.append(elapsed)
        results[label] = (statistics.median(times), max(times), statements[0])
        print(
            f"{label:<20} median {results[label][0] * 1000:8.1f} ms  max {results[label][1] * 1000:8.1f} ms  "
            f"{statements[0]:>3} statements  {len(body) / 1e3:8.1f} KB  (target ≤ 1 s)"
        )
    sa.event.remove(db.engine, "before_cursor_execute", count)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=None)
    parser.add_argument("-n", type=int, default=10000)
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args()
    url = benchdb.database_url(args.url, "bench_batches")
    env = benchdb.app_environment(url)
    benchdb.prepare(url, env)
    os.environ.update({"DATABASE_URL": url, "SECRET_KEY": env["SECRET_KEY"]})

    from legalaid import create_app
    from legalaid.db import db
    from legalaid.models import User
    from supervision.subsidies.batches import create_payment_batch
    from supervision.subsidies.exports import export_batch

    app = create_app()
    with app.app_context():
        t = time.perf_counter()
        ids, clerk_id = generate(args.n, args.providers)
        print(f"generated {len(ids)} payable subsidies in {time.perf_counter() - t:.1f} s")
        clerk = db.session.get(User, clerk_id)

        t = time.perf_counter()
        batch = create_payment_batch(db.session, clerk, ids)
        db.session.commit()
        create_s = time.perf_counter() - t
        batch_id, total = batch.id, batch.total_fen
        print(f"create_payment_batch: {len(ids)} subsidies, {total} fen in {create_s:.3f} s (target ≤ 2 s)")

        db.session.remove()
        clerk = db.session.get(User, clerk_id)
        t = time.perf_counter()
        _kind, file = export_batch(db.session, clerk, batch_id, "xlsx")
        size = len(file.read())
        file.close()
        export_s = time.perf_counter() - t
        print(f"export_batch xlsx: {size / 1e6:.2f} MB in {export_s:.3f} s (target ≤ 5 s)")

        db.session.remove()
        clerk = db.session.get(User, clerk_id)
        tracemalloc.start()
        _kind, file = export_batch(db.session, clerk, batch_id, "xlsx")
        file.close()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"export peak memory (tracemalloc): {peak / 1e6:.1f} MB (target < 200 MB); "
            f"process max RSS {maxrss_mb:.0f} MB"
        )

        served = time_requests(app, batch_id, args.samples)
        ok = (
            create_s <= 2
            and export_s <= 5
            and peak < 200e6
            and all(m <= 1.0 for m, _x, _q in served.values())
        )
        print("PASS" if ok else "FAIL")
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
