"""The front desk's register at 1,000,000 consultations: registering one, searching, the first page.

Recreates ``bench_consult`` (or uses ``--database-url``), runs the migrations, fills 1,000,000
consultations over five years with one server-side ``INSERT … SELECT`` through the model's table
(the same columns, types and encodings the service writes: phones as digits, categories as JSON,
UTC timestamps), drops the register's secondary indexes for the load and re-creates them from their
own definitions, ANALYZEs, then times through the Flask test client (in-process, one desk user
signed in with a session cookie):

* ``POST /api/v1/consultations`` (each one committed and audited),
* ``GET /api/v1/consultations?phone=`` (a number with history, and one never seen),
* ``GET /api/v1/consultations?q=`` for 工资 (in about a third of the rows), 王伟 (a name, rare),
  工伤认定 (four characters) and a word no consultation holds,
* the list's first page: ``GET /api/v1/consultations`` and the page ``/consultations``,

median and p95 of each, against the target (≤ 100 ms median). Prints PASS/FAIL per line.

    python bench/bench_consultations.py [--rows 1000000] [--samples 40] [--posts 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdb  # noqa: E402

TARGET_MS = 100.0
USERNAME, PASSWORD = "bench-desk", "bench-password"

# The demo's words (assignment/consultations_demo.py), with a second sentence so the texts vary.
EXTRA = [
    "已经找过对方两次，没有结果。",
    "对方电话一直打不通。",
    "想知道需要准备什么材料。",
    "家里经济困难，请不起律师。",
    "听说可以申请法律援助。",
    "事情发生在去年年底。",
    "单位让我签了一份协议。",
    "村委会调解过一次。",
    "",
    "",
]


def fill(conn, rows: int, desk_id: int) -> None:
    """1,000,000 consultations in time order (ids rising with ``occurred_at``), in the demo's
    proportions: 70 % hotline, causes led by wages, about a fifth anonymous, some callers again."""
    from assignment.consultations_demo import (
        CAUSE_WEIGHTS,
        CHANNEL_WEIGHTS,
        OUTCOME_WEIGHTS,
        QUESTIONS,
        REFERRALS,
        STATIONS,
    )
    from assignment.demo import GIVEN, SURNAMES

    def spread(weights):  # one array entry per weight unit: arr[1 + floor(random() * len)]
        return [k for k, w in weights for _ in range(w)]

    causes = spread(CAUSE_WEIGHTS)
    for name, kind, area, hours in STATIONS:
        conn.execute(
            "INSERT INTO station (name, kind, area, hours, active, created_at)"
            " VALUES (%s, %s, %s, %s, true, now())",
            (name, kind, area, hours),
        )
    conn.execute(
        """
        INSERT INTO consultation (occurred_at, channel, station_id, answered_by, person_name, person_phone,
            person_categories, cause, question, answer, duration_s, outcome, referred_to, case_id, created_at)
        SELECT at, channel,
            CASE WHEN channel = 'workstation' THEN (SELECT min(id) FROM station) + (i %% 4) END,
            %(desk)s,
            CASE WHEN random() < 0.2 THEN NULL
                 ELSE (%(surnames)s::text[])[1 + floor(random() * %(n_surnames)s)::int]
                      || (%(given)s::text[])[1 + floor(random() * %(n_given)s)::int] END,
            CASE WHEN channel = 'letter' THEN NULL
                 ELSE '1' || (ARRAY['3', '5', '8', '9'])[1 + floor(random() * 4)::int]
                      || lpad(floor(random() * 300000000)::bigint::text, 9, '0') END,
            CASE WHEN cause IN ('wage_arrears', 'work_injury') AND random() < 0.7
                 THEN '["migrant_worker"]'::json ELSE '[]'::json END,
            cause,
            (%(questions)s::text[])[array_position(%(cause_keys)s, cause)]
                || (%(extra)s::text[])[1 + floor(random() * %(n_extra)s)::int],
            (%(answers)s::text[])[array_position(%(cause_keys)s, cause)],
            CASE WHEN channel = 'hotline' THEN 60 + floor(random() * 900)::int END,
            outcome,
            CASE WHEN outcome = 'referred'
                 THEN (%(referrals)s::text[])[1 + floor(random() * %(n_referrals)s)::int] END,
            NULL, at
        FROM (
            SELECT i,
                now() - interval '1825 days' + (i * interval '1825 days' / %(rows)s)
                    + floor(random() * 60) * interval '1 second' AS at,
                (%(channels)s::text[])[1 + floor(random() * %(n_channels)s)::int] AS channel,
                (%(causes)s::text[])[1 + floor(random() * %(n_causes)s)::int] AS cause,
                (%(outcomes)s::text[])[1 + floor(random() * %(n_outcomes)s)::int] AS outcome
            FROM generate_series(1, %(rows)s) AS i
        ) AS drawn
        ORDER BY i
        """,
        {
            "desk": desk_id,
            "rows": rows,
            "surnames": list(SURNAMES),
            "n_surnames": len(SURNAMES),
            "given": list(GIVEN),
            "n_given": len(GIVEN),
            "channels": spread(CHANNEL_WEIGHTS),
            "n_channels": len(spread(CHANNEL_WEIGHTS)),
            "causes": causes,
            "n_causes": len(causes),
            "outcomes": spread(OUTCOME_WEIGHTS),
            "n_outcomes": len(spread(OUTCOME_WEIGHTS)),
            "cause_keys": list(QUESTIONS),
            "questions": [q for q, _ in QUESTIONS.values()],
            "answers": [a for _, a in QUESTIONS.values()],
            "extra": EXTRA,
            "n_extra": len(EXTRA),
            "referrals": REFERRALS,
            "n_referrals": len(REFERRALS),
        },
    )


def load(url: str, rows: int) -> None:
    import psycopg

    with psycopg.connect(benchdb.libpq_url(url)) as conn:
        desk_id = conn.execute("SELECT id FROM user_account WHERE username = %s", (USERNAME,)).fetchone()[0]
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'consultation'"
            " AND indexname NOT LIKE 'pk_%%' AND indexname NOT LIKE 'uq_%%'"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        t0 = time.perf_counter()
        fill(conn, rows, desk_id)
        t1 = time.perf_counter()
        print(f"  {rows:,} consultations inserted in {t1 - t0:.1f} s", file=sys.stderr)
        conn.execute("SET maintenance_work_mem = '256MB'")
        for name, definition in indexes:
            t = time.perf_counter()
            conn.execute(definition)
            print(f"  index {name}: {time.perf_counter() - t:.1f} s", file=sys.stderr)
        conn.commit()
    with psycopg.connect(benchdb.libpq_url(url), autocommit=True) as conn:
        t = time.perf_counter()
        conn.execute("VACUUM ANALYZE consultation")
        print(f"  VACUUM ANALYZE: {time.perf_counter() - t:.1f} s", file=sys.stderr)


def timed(fn, samples: int) -> list[float]:
    fn()  # warm
    out = []
    for _ in range(samples):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(round(0.95 * len(values))) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=40, help="requests per search / list target")
    parser.add_argument("--posts", type=int, default=200, help="consultations registered through the API")
    parser.add_argument("--database-url", help="default: $DATABASE_URL, else a fresh local bench_consult")
    parser.add_argument("--reuse", action="store_true", help="keep a filled database (skip the load)")
    args = parser.parse_args()

    url = benchdb.database_url(args.database_url, "bench_consult")
    env = benchdb.app_environment(url)
    print(f"database: {url}", file=sys.stderr)
    if not args.reuse:
        t0 = time.perf_counter()
        benchdb.prepare(url, env)
        benchdb.create_user(env, USERNAME, PASSWORD, role="desk")
        load(url, args.rows)
        print(f"prepared in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    sys.path.insert(0, str(benchdb.REPO))

    import sqlalchemy as sa

    from assignment.consultations_models import Consultation
    from legalaid import clock, create_app
    from legalaid.config import database_url
    from legalaid.db import db

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url(url, ""), "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    )
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Consultation))
        # A caller with history: the phone of the newest consultation that has one.
        phone = db.session.scalar(
            sa.select(Consultation.person_phone)
            .where(Consultation.person_phone.is_not(None))
            .order_by(Consultation.occurred_at.desc(), Consultation.id.desc())
            .limit(1)
        )
        db.session.rollback()
    client = app.test_client()
    answer = client.post("/api/v1/session", json={"username": USERNAME, "password": PASSWORD})
    assert answer.status_code in (200, 201), answer.get_data(as_text=True)[:300]

    def get(path, **query):
        def run():
            response = client.get(path, query_string=query)
            assert response.status_code == 200, (path, query, response.status_code)
            return response

        return run

    counter = iter(range(10**9))

    def post():
        n = next(counter)
        body = {
            "channel": "hotline",
            "occurred_at": clock.now().isoformat(),
            "person": {"name": "李明", "phone": f"139{n:08d}", "categories": []},
            "cause": "wage_arrears",
            "question": "工地老板拖欠三个月工资不给，怎么办？",
            "answer": "告知可申请劳动仲裁及法律援助。",
            "duration_s": 300,
            "outcome": "answered",
        }
        response = client.post("/api/v1/consultations", json=body)
        assert response.status_code == 201, response.get_data(as_text=True)[:300]

    targets = [
        ("POST /api/v1/consultations", post, args.posts),
        ("list, first page (API)", get("/api/v1/consultations"), args.samples),
        ("list, first page (page)", get("/consultations"), args.samples),
        ("phone, a caller with history (API)", get("/api/v1/consultations", phone=phone), args.samples),
        ("phone, never seen (API)", get("/api/v1/consultations", phone="13700000001"), args.samples),
        ("phone (page)", get("/consultations", phone=phone), args.samples),
        ("q=工资 (API)", get("/api/v1/consultations", q="工资"), args.samples),
        ("q=王伟 (API)", get("/api/v1/consultations", q="王伟"), args.samples),
        ("q=工伤认定 (API)", get("/api/v1/consultations", q="工伤认定"), args.samples),
        (
            "q=仲裁, outcome referred (API)",
            get("/api/v1/consultations", q="仲裁", outcome="referred"),
            args.samples,
        ),
        ("q=没有这个词 (API, no match)", get("/api/v1/consultations", q="没有这个词"), args.samples),
        ("q=王伟 (page)", get("/consultations", q="王伟"), args.samples),
    ]
    for name, fn, _ in targets[1:]:
        body = fn().get_json(silent=True)
        if body is not None:
            print(
                f"  {name}: total {body['total']}{'+' if body.get('total_capped') else ''}", file=sys.stderr
            )
    print(f"consultations: {total:,}")
    failed = 0
    for name, fn, samples in targets:
        times = timed(fn, samples)
        median = statistics.median(times)
        ok = median <= TARGET_MS
        failed += not ok
        print(
            f"{name:40} median {median:7.1f} ms  p95 {p95(times):7.1f} ms  (n={len(times)})  "
            f"{'PASS' if ok else 'FAIL'}"
        )
    print(f"target: median ≤ {TARGET_MS:.0f} ms at {total:,} rows: {'PASS' if not failed else 'FAIL'}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
