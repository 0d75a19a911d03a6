"""The one deadline calculator: every statutory and local limit of DESIGN.md §4 in one table, counted
in calendar or working days (``DEADLINE_UNITS``; the holiday calendar of ``assignment.workdays``).

The case page and the API (``intake.case_deadlines``), the coordinators' deadlines page and digest
(``supervision.scheduling.deadlines``), the sweeps and the statistics all count a limit here, so they
cannot disagree about the day a limit falls on."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy.orm import Session

from assignment.workdays import add_days

# Days per limit (``CASE_LIMITS`` overrides any of them).
LIMITS = {
    "decision_days": 7,  # Law art. 43: decide within 7 days of receipt
    "assignment_days": 3,  # Law art. 43; arts. 25, 36 for notices
    "acceptance_days": 2,  # local practice: no answer counts as the provider's turn
    "retainer_days": 5,  # procedure rules 2023 art. 27
    "materials_supply_days": 15,  # Law art. 43: materials not supplied in time → withdrawn
    "closing_materials_days": 30,  # local guides (15 in Zhejiang)
    "file_review_days": 30,  # local guides
    "subsidy_days": 90,  # Hunan guide
    # 法律援助投诉处理办法 (2025): accept or refuse a complaint within 5 working days of receipt,
    # decide within 45 days of acceptance (one extension), answer within 5 working days of deciding.
    "complaint_acceptance_days": 5,
    "complaint_decision_days": 45,
    "complaint_answer_days": 5,
    # DESIGN.md "Workstations": a station forwards an application to the centre within 3 working days
    # of taking it; a detained applicant's request within 24 hours (Law art. 39), counted to the minute.
    "forwarding_days": 3,
    "forwarding_detained_hours": 24,
}
# Limits the rules count in working days unless ``DEADLINE_UNITS`` says otherwise.
WORKING_DAY_LIMITS = ("complaint_acceptance", "complaint_answer", "forwarding")


UNITS = ("calendar", "working")


def declare_rules(app) -> None:
    """The limits and how they count, for the rules configuration (``legalaid.rules``)."""
    from flask_babel import lazy_gettext as _l

    from legalaid import rules

    rules.declare(app, "CASE_LIMITS", LIMITS, _l("Time limits (days)"))
    rules.declare(
        app,
        "DEADLINE_UNITS",
        {
            name.removesuffix("_days"): "working"
            if name.removesuffix("_days") in WORKING_DAY_LIMITS
            else "calendar"
            for name in LIMITS
            if name.endswith("_days")  # an hour limit counts hours, neither calendar nor working days
        },
        _l("How each time limit counts: calendar or working days"),
        check=lambda name, value: None if value in UNITS else "must be calendar or working",
    )


def limits() -> dict[str, int]:
    """The limits in force: the table above with the centre's ``CASE_LIMITS``."""
    return {**LIMITS, **current_app.config.get("CASE_LIMITS", {})}


def unit(name: str) -> str:
    """``calendar`` (the default) or ``working`` days for limit ``name`` (``DEADLINE_UNITS``)."""
    default = "working" if name in WORKING_DAY_LIMITS else "calendar"
    return current_app.config.get("DEADLINE_UNITS", {}).get(name, default)


def due_date(
    session: Session, name: str, start: dt.date, paused_days: int = 0, *, table: dict | None = None
) -> dt.date:
    """The last day of limit ``name`` counted from ``start``; ``paused_days`` the clock stood still
    (missing materials, Law art. 43) come on top as calendar days. ``table``: ``limits()`` read once
    by a caller counting several limits."""
    days = (table or limits())[f"{name}_days"]
    return add_days(session, start, days, unit(name)) + dt.timedelta(days=paused_days)


def forwarding_due(session: Session, station_received_at: dt.datetime, detained: bool) -> dt.datetime:
    """The last moment a station may forward an application taken at ``station_received_at`` (aware),
    inclusive: 24 hours later to the minute for a detained applicant; otherwise the last instant of the
    3rd working day after the station's day of receipt (``forwarding``, working days unless configured)."""
    from legalaid import clock

    if detained:
        return station_received_at + dt.timedelta(hours=limits()["forwarding_detained_hours"])
    last_day = due_date(session, "forwarding", clock.local_date(station_received_at))
    return clock.day_bounds(last_day)[1] - dt.timedelta(microseconds=1)
