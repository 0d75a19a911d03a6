"""The centre's figures at province scale (issue 16): one statement per table read, whatever the data
size, and every figure equal to its definition counted the plain way (one query per figure), on a
generated centre with every stage filled (PostgreSQL: the generator writes with COPY)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.db import db
from supervision.statistics.service import summary
from tests.conftest import ON_POSTGRES, _reset_to_migrated_state
from tests.scale.conftest import generate_into
from tests.scale.test_explain import statements_of

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="bench/generate.py writes with PostgreSQL COPY")


@pytest.fixture
def centre(app):
    """A small centre with every stage filled."""
    generate_into(app, providers=60, cases=1500)
    return app


def counted_plainly(session, start: dt.date, end: dt.date) -> dict:
    """Each figure by its own query, as DESIGN.md §1.5 defines it."""
    lower, upper = clock.day_bounds(start)[0], clock.day_bounds(end)[1]

    def one(sql: str, **more):
        return session.execute(sa.text(sql), {"s": start, "e": end, "lo": lower, "up": upper, **more})

    cases = "FROM legal_case WHERE received_on BETWEEN :s AND :e"
    held = "h.starts_at >= :lo AND h.starts_at < :up AND h.status <> 'cancelled'"
    previous_start = start - (end - start) - dt.timedelta(days=1)
    by_status = dict(one(f"SELECT status, count(*) {cases} GROUP BY status").all())
    average = one(
        "SELECT avg(total) FROM score_file WHERE status = 'final' AND finalised_on BETWEEN :s AND :e"
    )
    average = average.scalar()

    def money(where: str) -> dict:
        n, fen = one(f"SELECT count(*), coalesce(sum(amount_fen), 0) FROM subsidy WHERE {where}").one()
        return {"count": n, "amount_fen": int(fen)}

    def per_month(sql: str) -> dict:
        return {m: int(n or 0) for m, n in one(sql).all()}

    return {
        "received": one(f"SELECT count(*) {cases}").scalar(),
        "by_type": dict(one(f"SELECT case_type, count(*) {cases} GROUP BY case_type").all()),
        "by_status": by_status,
        "previous": one(
            "SELECT count(*) FROM legal_case WHERE received_on BETWEEN :p AND :s - 1", p=previous_start
        ).scalar(),
        "green": one(f"SELECT count(*) {cases} AND green_channel").scalar(),
        "hearings": one(f"SELECT count(*) FROM hearing h WHERE {held}").scalar(),
        "observed": one(
            "SELECT count(DISTINCT h.id) FROM hearing h JOIN observation o ON o.hearing_id = h.id "
            f"WHERE {held} AND o.status = 'reported'"
        ).scalar(),
        "planned": one(
            "SELECT count(DISTINCT h.id) FROM hearing h JOIN observation o ON o.hearing_id = h.id "
            f"WHERE {held} AND o.status <> 'cancelled'"
        ).scalar(),
        "answers": dict(
            one(
                "SELECT satisfaction, count(*) FROM call_attempt WHERE at >= :lo AND at < :up AND reached "
                "AND satisfaction IS NOT NULL GROUP BY satisfaction"
            ).all()
        ),
        "calls_done": one(
            "SELECT count(*) FROM follow_up_call WHERE done_at >= :lo AND done_at < :up"
        ).scalar(),
        "grades": dict(
            one(
                "SELECT grade, count(*) FROM score_file WHERE status = 'final' "
                "AND finalised_on BETWEEN :s AND :e GROUP BY grade"
            ).all()
        ),
        "average": None
        if average is None
        else float(Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)),
        "paid": money("status IN ('paid', 'reversed') AND paid_on BETWEEN :s AND :e"),
        "payable": money("status = 'payable'"),
        "held": money("status = 'held'"),
        "received_per_month": per_month(
            f"SELECT to_char(received_on, 'YYYY-MM'), count(*) {cases} GROUP BY 1"
        ),
        "closed_per_month": per_month(
            "SELECT to_char(ended_on, 'YYYY-MM'), count(*) FROM case_closing "
            "WHERE ended_on BETWEEN :s AND :e GROUP BY 1"
        ),
        "paid_per_month": per_month(
            "SELECT to_char(paid_on, 'YYYY-MM'), sum(amount_fen) FROM subsidy "
            "WHERE status IN ('paid', 'reversed') AND paid_on BETWEEN :s AND :e GROUP BY 1"
        ),
    }


def as_counted(figures: dict) -> dict:
    """The summary's figures in the shape of ``counted_plainly`` (zeros dropped where a GROUP BY has none)."""
    nonzero = lambda d: {k: v for k, v in d.items() if v}  # noqa: E731
    monthly = figures["monthly"]
    return {
        "received": figures["cases"]["received"],
        "by_type": nonzero(figures["cases"]["by_type"]),
        "by_status": figures["cases"]["by_status"],
        "previous": figures["cases"]["growth"]["previous"],
        "green": figures["cases"]["green_channel"]["count"],
        "hearings": figures["observations"]["hearings"],
        "observed": figures["observations"]["observed"],
        "planned": figures["observations"]["planned"],
        "answers": nonzero(figures["satisfaction"]["answers"]),
        "calls_done": figures["satisfaction"]["calls_done"],
        "grades": nonzero(figures["scores"]["grades"]),
        "average": figures["scores"]["average"],
        "paid": figures["subsidies"]["paid"],
        "payable": figures["subsidies"]["payable"],
        "held": figures["subsidies"]["held"],
        "received_per_month": nonzero({m["month"]: m["received"] for m in monthly}),
        "closed_per_month": nonzero({m["month"]: m["closed"] for m in monthly}),
        "paid_per_month": nonzero({m["month"]: m["paid_fen"] for m in monthly}),
    }


def test_every_figure_equals_its_plain_count_on_a_generated_centre(app, centre):
    today = clock.today()
    with app.app_context():
        first = db.session.scalar(sa.text("SELECT min(received_on) FROM legal_case"))
        periods = [
            (today.replace(month=1, day=1), today),  # the page's default
            (first, today),  # the whole history: every stage has rows
            (first + dt.timedelta(days=200), first + dt.timedelta(days=530)),  # months cut mid-way
        ]
        for start, end in periods:
            figures = summary(db.session, start, end)
            plain = counted_plainly(db.session, start, end)
            plain["by_status"] = {s: n for s, n in plain["by_status"].items() if n}
            plain["paid_per_month"] = {m: n for m, n in plain["paid_per_month"].items() if n}
            assert as_counted(figures) == plain, (start, end)
        whole = as_counted(summary(db.session, first, today))
    # The generated history fills every figure, so the comparison above compared something.
    assert all(
        whole[k]
        for k in ("received", "hearings", "observed", "answers", "grades", "paid", "closed_per_month")
    )


def test_summary_runs_as_many_statements_at_two_sizes(app, as_role, count_queries):
    counts = []
    for cases in (300, 1500):
        _reset_to_migrated_state(app)
        generate_into(app, providers=40, cases=cases)
        supervisor, finance = as_role("supervisor"), as_role("finance")
        since = (clock.today() - dt.timedelta(days=3000)).isoformat()
        counts.append(
            [
                statements_of(supervisor, count_queries, "/reports/summary"),
                statements_of(supervisor, count_queries, f"/reports/summary?from={since}"),
                statements_of(supervisor, count_queries, f"/api/v1/reports/summary?from={since}"),
                statements_of(finance, count_queries, f"/api/v1/reports/summary?from={since}"),
            ]
        )
    assert counts[0] == counts[1], counts
