"""What scheduling does when assignment and closing announce a change (inside their transaction)."""

from __future__ import annotations

from assignment import signals as assignment_signals
from supervision import signals as supervision_signals
from supervision.scheduling import calls


def on_assignment_accepted(session, assignment, actor=None, **_extra) -> None:
    calls.move_future_hearings_to(session, assignment)
    calls.plan_follow_up_calls(session, assignment.case, assignment)


def on_assignment_ended(session, assignment, reason=None, actor=None, **_extra) -> None:
    calls.cancel_assignment_calls(session, assignment, actor)


def on_case_closed(session, case, actor=None, **_extra) -> None:
    calls.plan_follow_up_calls(session, case)


def connect() -> None:
    # Blinker keys receivers by identity: connecting again (one app per test) changes nothing.
    assignment_signals.assignment_accepted.connect(on_assignment_accepted, weak=False)
    assignment_signals.assignment_ended.connect(on_assignment_ended, weak=False)
    supervision_signals.case_closed.connect(on_case_closed, weak=False)
    from assignment.duty import signals as duty_signals
    from supervision.scheduling import duty_notices

    duty_signals.rota_published.connect(duty_notices.on_rota_published, weak=False)
    duty_signals.shift_changed.connect(duty_notices.on_shift_changed, weak=False)
