"""One centre clock (legalaid/clock.py): the only place that reads the time, so the whole service agrees
on the date and a test can move it."""

import ast
import datetime as dt
from pathlib import Path

import pytest

from legalaid import clock

ROOT = Path(__file__).resolve().parents[1]
READERS_OF_TIME = {("date", "today"), ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today")}


def _time_reads(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
            if (name, node.func.attr) in READERS_OF_TIME:
                lines.append(node.lineno)
    return lines


def test_nothing_but_the_clock_reads_the_date():
    offenders = []
    for folder in ("legalaid", "assignment", "supervision", "migrations", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "legalaid" / "clock.py":
                continue
            offenders += [f"{path.relative_to(ROOT)}:{line}" for line in _time_reads(path)]
    assert offenders == [], "read the time through legalaid.clock: " + ", ".join(offenders)


def test_the_guard_sees_a_new_reader(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import datetime as dt\nx = dt.date.today()\ny = dt.datetime.now(dt.UTC)\n")
    assert _time_reads(sample) == [2, 3]


def test_today_is_the_centres_date_not_the_servers(app):
    # 23:30 UTC on 31 December is already 1 January in Shanghai.
    clock.travel_to(dt.datetime(2028, 12, 31, 23, 30, tzinfo=dt.UTC))
    with app.app_context():
        assert clock.today() == dt.date(2029, 1, 1)
        app.config["TIMEZONE"] = "UTC"
        assert clock.today() == dt.date(2028, 12, 31)


def test_travel_to_a_day_is_mid_morning_at_the_centre_and_runs_on(app):
    with app.app_context():
        clock.travel_to(dt.date(2028, 2, 29))
        first = clock.now()
        assert clock.today() == dt.date(2028, 2, 29)
        assert first.astimezone(clock.centre_tz()).hour == 10
        assert clock.now() >= first


def test_day_bounds_are_the_centres_midnights(app):
    with app.app_context():
        start, end = clock.day_bounds(dt.date(2026, 10, 1))
    assert start == dt.datetime(2026, 9, 30, 16, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 10, 1, 16, tzinfo=dt.UTC)


@pytest.mark.parametrize("when", ["2028-12-31", "2028-12-31T23:59"])
def test_the_environment_moves_the_clock_at_start(monkeypatch, when):
    monkeypatch.setenv("LEGALAID_CLOCK", when)
    clock.start_from_environment()
    assert clock.today() == dt.date(2028, 12, 31)
