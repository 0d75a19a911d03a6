"""The arithmetic of DESIGN.md §4 "Scoring": totals, N/A re-normalisation, grades, the sample draw.

Pure functions on Decimals: no database, no request.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app, has_app_context

from supervision.scoring.defaults import DEFAULT_GRADE_BANDS, SCORING

TENTH = Decimal("0.1")
HUNDRED = Decimal(100)


def round_tenth(value: Decimal) -> Decimal:
    """Half-up to one decimal (59.95 → 60.0), never banker's rounding."""
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def has_one_decimal(value: Decimal) -> bool:
    return value == value.quantize(TENTH)


def sheet_total(lines: Iterable[tuple[Decimal, Decimal | None, bool]]) -> Decimal:
    """Total of ``(max_points, points, na)`` lines, re-normalised to 100 over the applicable items.

    total = points scored on applicable items × 100 / sum of their maximums, rounded half-up to 0.1
    once at the end. Unscored items of a draft count 0. Raises ValueError when every item is N/A.
    """
    scored = Decimal(0)
    applicable = Decimal(0)
    for max_points, points, na in lines:
        if na:
            continue
        applicable += Decimal(max_points)
        scored += Decimal(points or 0)
    if applicable == 0:
        raise ValueError("every item is N/A")
    return round_tenth(scored * HUNDRED / applicable)


def grade_for(total: Decimal, veto: bool = False, bands: dict | None = None) -> str:
    """Half-open bands: 优秀 [90, 100], 良好 [80, 90), 合格 [60, 80), 不合格 [0, 60); a veto fails."""
    if veto:
        return "fail"
    bands = bands or DEFAULT_GRADE_BANDS
    for grade in ("excellent", "good", "pass"):
        if total >= Decimal(str(bands[grade])):
            return grade
    return "fail"


def mean_total(a: Decimal, b: Decimal) -> Decimal:
    return round_tenth((Decimal(a) + Decimal(b)) / 2)


def setting(name: str):
    """A scoring rule in force (``SCORING``; the defaults outside a request)."""
    given = current_app.config.get("SCORING", {}) if has_app_context() else {}
    return {**SCORING, **given}[name]


def declare_rules(app) -> None:
    from flask_babel import lazy_gettext as _l

    from legalaid import rules

    rules.declare(app, "SCORING", SCORING, _l("Scoring: appeal, second marking and sample"))


def sample_draw(case_id: int) -> float:
    """The seeded double-marking draw of one file: the same case always draws the same number."""
    seed = setting("sample_seed")
    return random.Random(f"{seed}:{case_id}").random()


def sample_rate() -> float:
    return float(setting("sample_rate"))
