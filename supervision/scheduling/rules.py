"""The numbers of DESIGN.md §4 "Supervision scheduling" (each can be changed through the
``SCHEDULING`` setting) and the centre's local time."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from legalaid import clock

DEFAULTS = {
    "observation_sample_rate": 0.2,  # DESIGN.md §4: otherwise a 20% sample
    "observation_sample_seed": "legalaid-observation-sample",
    "observations_per_day": 2,  # at most 2 observations a day per supervisor
    "group_case_size": 10,  # 群体性: 10 or more applicants
    "hearing_hours": 3,  # a hearing's end defaults to start + 3 hours
    "observer_reminder_days": (3, 1),
    "call_after_assignment_days": 7,  # Xiamen practice: three calls per case
    "call_after_hearing_days": 3,
    "call_after_closing_days": 7,
    "call_retry_working_days": 2,  # unreachable: retried on the next 2 working days
    "morning_hour": 8,  # daily digest and call lists, local time
    "outbox_max_attempts": 5,
    "outbox_retry_seconds": (60, 300, 900, 3600),
    "outbox_claim_seconds": 300,
    "lease_seconds": 90,
    "sweep_batch": 10000,
}


def declare_rules(app) -> None:
    from flask_babel import lazy_gettext as _l

    from legalaid import rules

    rules.declare(app, "SCHEDULING", DEFAULTS, _l("Supervision scheduling: observations, calls, reminders"))


def setting(name: str):
    return current_app.config.get("SCHEDULING", {}).get(name, DEFAULTS[name])


def local_time_text(moment: dt.datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(clock.centre_tz()).strftime(fmt)
