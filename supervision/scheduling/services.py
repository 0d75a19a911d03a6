"""Supervision scheduling's service functions in one place: what pages, the API, the CLI and the
other capabilities (scoring, archiving) call. Each lives in the module of its capability."""

from __future__ import annotations

from assignment.workdays import add_working_days, is_working_day, set_calendar_day
from supervision.scheduling.calls import (
    after_closing_call_settled,
    after_closing_calls_settled,
    daily_call_list,
    get_call,
    get_red_flag,
    plan_follow_up_calls,
    record_call_attempt,
    red_flags,
    resolve_red_flag,
)
from supervision.scheduling.deadlines import open_deadlines
from supervision.scheduling.hearings import cancel_hearing, get_hearing, move_hearing, record_hearing
from supervision.scheduling.observation_decision import decide_observation
from supervision.scheduling.observations import get_observation, hearing_ratings, report_observation
from supervision.scheduling.observer_staffing import schedule_observation
from supervision.scheduling.reminders import plan_reminder, send_outbox, sweep_due_reminders

__all__ = [
    "add_working_days",
    "after_closing_call_settled",
    "after_closing_calls_settled",
    "cancel_hearing",
    "daily_call_list",
    "decide_observation",
    "get_call",
    "get_hearing",
    "get_observation",
    "get_red_flag",
    "hearing_ratings",
    "is_working_day",
    "move_hearing",
    "open_deadlines",
    "plan_follow_up_calls",
    "plan_reminder",
    "record_call_attempt",
    "record_hearing",
    "red_flags",
    "report_observation",
    "resolve_red_flag",
    "schedule_observation",
    "send_outbox",
    "set_calendar_day",
    "sweep_due_reminders",
]
