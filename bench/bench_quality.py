"""The quality report over 100,000 final score sheets: target ≤ 1 s on PostgreSQL.

Fills a fresh ``bench_quality`` database (dropped and created again; any other database is only
upgraded and added to) with bulk Core inserts: organisations, providers, scorers, closed cases,
their closings, final score files and the submitted sheets (a tenth double-marked). Then times the
report (``supervision.scoring.reports.quality_report``: per provider, per organisation, per month,
scorer drift) and the JSON endpoint ``GET /api/v1/reports/quality`` in-process, and prints them.

    python bench/bench_quality.py [--files 100000] [--repeat 5] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import benchdb
import sqlalchemy as sa

from legalaid import clock

TARGET_SECONDS = 1.0
CHUNK = 10_000


def grade(total: Decimal) -> str:
    return "excellent" if total >= 90 else "good" if total >= 80 else "pass" if total >= 60 else "fail"


def fill(session, files: int, seed: int = 7) -> None:
    from assignment.models import Case, Organization, Provider
    from legalaid.models import User, UserRole
    from supervision.scoring.checklists import checklist_in_force, seed_default_checklists
    from supervision.scoring.models import CaseClosing, ScoreFile, ScoreSheet

    rng = random.Random(seed)
    seed_default_checklists(session)
    today = clock.today()
    checklist_ids = {
        t: checklist_in_force(session, t, today).id
        for t in ("criminal", "civil", "administrative", "non_litigation")
    }
    conn = session.connection()
    start_case = (session.scalar(sa.select(sa.func.max(Case.id))) or 0) + 1
    tag = f"Q{start_case}"

    conn.execute(
        sa.insert(Organization), [{"name": f"Bench firm {tag}-{i}", "kind": "law_firm"} for i in range(40)]
    )
    org_ids = (
        conn.execute(sa.select(Organization.id).where(Organization.name.like(f"Bench firm {tag}-%")))
        .scalars()
        .all()
    )
    conn.execute(
        sa.insert(Provider),
        [
            {
                "name": f"Bench lawyer {tag}-{i}",
                "kind": "lawyer",
                "organization_id": org_ids[i % len(org_ids)],
                "practice_since": dt.date(2012, 1, 1),
            }
            for i in range(400)
        ],
    )
    providers = conn.execute(
        sa.select(Provider.id, Provider.organization_id).where(Provider.name.like(f"Bench lawyer {tag}-%"))
    ).all()
    conn.execute(
        sa.insert(User), [{"username": f"bench-scorer-{tag}-{i}", "password_hash": "x"} for i in range(12)]
    )
    scorers = (
        conn.execute(sa.select(User.id).where(User.username.like(f"bench-scorer-{tag}-%"))).scalars().all()
    )
    conn.execute(sa.insert(UserRole), [{"user_id": u, "role": "supervisor"} for u in scorers])
    session.commit()

    types = ["civil", "civil", "criminal", "administrative", "non_litigation"]
    year_seq = start_case * 10
    done = 0
    while done < files:
        n = min(CHUNK, files - done)
        ids = range(start_case + done, start_case + done + n)
        cases, closings, score_files, sheets = [], [], [], []
        for case_id in ids:
            provider_id, org_id = providers[rng.randrange(len(providers))]
            case_type = types[case_id % len(types)]
            ended = today - dt.timedelta(days=rng.randint(30, 3 * 365))
            finalised = ended + dt.timedelta(days=rng.randint(5, 40))
            scorer = scorers[rng.randrange(len(scorers))]
            bias = Decimal((scorers.index(scorer) % 5) - 2)  # a few lenient and a few strict scorers
            total = min(
                Decimal(100), max(Decimal(0), Decimal(rng.gauss(82, 9)).quantize(Decimal("0.1")) + bias)
            )
            year_seq += 1
            cases.append(
                {
                    "id": case_id,
                    "number": f"B{case_id}",
                    "year": 2000 + case_id % 50,
                    "seq": year_seq,
                    "case_type": case_type,
                    "cause": "contract",
                    "status": "archived",
                    "received_on": ended - dt.timedelta(days=90),
                    "applicant_name": "Bench",
                    "applicant_id_number": "110101199003077571",
                }
            )
            closings.append(
                {
                    "case_id": case_id,
                    "provider_id": provider_id,
                    "ended_on": ended,
                    "outcome": "judgment",
                    "documents_due_on": ended + dt.timedelta(days=30),
                    "documents_complete_on": ended + dt.timedelta(days=9),
                }
            )
            score_files.append(
                {
                    "case_id": case_id,
                    "case_type": case_type,
                    "provider_id": provider_id,
                    "organization_id": org_id,
                    "ended_on": ended,
                    "checklist_id": checklist_ids[case_type],
                    "sample_draw": rng.random(),
                    "in_sample": False,
                    "status": "final",
                    "total": total,
                    "grade": grade(total),
                    "veto": False,
                    "finalised_on": finalised,
                    "appeal_by": finalised + dt.timedelta(days=10),
                    "finalised_at": dt.datetime.combine(finalised, dt.time(3), tzinfo=dt.UTC),
                }
            )
            marks = [(scorer, "first", total)]
            if case_id % 10 == 0:
                other = scorers[(scorers.index(scorer) + 1) % len(scorers)]
                marks.append((other, "second", total))
            for who, role, points in marks:
                sheets.append(
                    {
                        "case_id": case_id,
                        "checklist_id": checklist_ids[case_type],
                        "scorer_id": who,
                        "role": role,
                        "status": "submitted",
                        "total": points,
                        "grade": grade(points),
                        "vetoes": [],
                        "suggestions": {},
                        "submitted_at": dt.datetime.combine(finalised, dt.time(2), tzinfo=dt.UTC),
                    }
                )
        conn = session.connection()  # a commit hands the connection back to the pool
        conn.execute(sa.insert(Case), cases)
        conn.execute(sa.insert(CaseClosing), closings)
        conn.execute(sa.insert(ScoreFile), score_files)
        conn.execute(sa.insert(ScoreSheet), sheets)
        session.commit()
        done += n
        print(f"  {done:,} files", file=sys.stderr, flush=True)
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('legal_case', 'id'), (SELECT max(id) FROM legal_case))"
            )
        )
        conn.execute(sa.text("ANALYZE"))
        session.commit()


def timed(fn, repeat: int) -> list[float]:
    fn()  # warm the caches and the connection pool
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    url = benchdb.database_url(args.database_url, "bench_quality")
    env = benchdb.app_environment(url)
    print(f"database: {url}", file=sys.stderr)
    benchdb.prepare(url, env)
    sys.path.insert(0, str(Path(benchdb.REPO)))

    from legalaid import create_app
    from legalaid.config import database_url
    from legalaid.db import db
    from legalaid.models import User
    from legalaid.users import create_user
    from supervision.scoring.models import ScoreFile
    from supervision.scoring.reports import quality_report

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url(url, ""), "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    )
    with app.app_context():
        t0 = time.perf_counter()
        fill(db.session, args.files)
        print(f"filled {args.files:,} final score files in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        final = db.session.scalar(sa.select(sa.func.count()).where(ScoreFile.status == "final"))
        if not db.session.scalar(sa.select(User.id).where(User.username == "bench-reader")):
            create_user(db.session, None, "bench-reader", "bench-password", ["supervisor"])
            db.session.commit()

        report = quality_report(db.session)
        service = timed(lambda: (quality_report(db.session), db.session.rollback()), args.repeat)
    client = app.test_client()
    client.post("/api/v1/session", json={"username": "bench-reader", "password": "bench-password"})
    response = client.get("/api/v1/reports/quality")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    endpoint = timed(lambda: client.get("/api/v1/reports/quality"), args.repeat)

    print(
        f"final score files: {final:,}; providers {len(report['providers'])}, organisations "
        f"{len(report['organizations'])}, months {len(report['months'])}, scorers {len(report['scorers'])}"
    )
    for name, times in (("quality_report():", service), ("GET /api/v1/reports/quality:", endpoint)):
        print(f"{name:29} median {statistics.median(times):.3f} s  (max {max(times):.3f} s)")
    ok = max(endpoint) <= TARGET_SECONDS
    print(f"target ≤ {TARGET_SECONDS:.1f} s: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
