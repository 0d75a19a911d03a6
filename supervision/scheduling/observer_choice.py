"""A coordinator staffs an observation by hand when the rotation found nobody free (the "no free
supervisor" alert): who could observe and why not, and giving it to one of them. The case's assigner,
the provider themself and a supervisor already at an overlapping hearing never observe it; the
day's maximum of observations is a planning rule the coordinator may knowingly go beyond."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.roles import require_role
from legalaid import audit, clock
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotAllowed, labelled, say
from legalaid.models import User, UserRole
from supervision.scheduling import reminders
from supervision.scheduling.case_assignment import current_assignment
from supervision.scheduling.labels import STATUS_LABELS
from supervision.scheduling.models import Observation
from supervision.scheduling.observer_staffing import (
    observer_clashes,
    plan_observer_reminders,
    staff_observation,
)

STAFFERS = ("coordinator", "admin")
# Reasons that keep a supervisor from observing whoever asks; "day_full" only warns.
NEVER = ("assigned_the_case", "own_case", "overlapping_hearing")
WHY_NOT = {
    "assigned_the_case": say("This supervisor assigned the case."),
    "own_case": say("This supervisor is the case's own provider."),
    "overlapping_hearing": say("This supervisor observes another hearing at the same time."),
}


def observer_options(session: Session, observation: Observation) -> list[dict]:
    """Every active supervisor, by name, with why they may not observe this hearing (``reason``:
    None when free, else ``assigned_the_case``, ``own_case``, ``overlapping_hearing`` or ``day_full``)."""
    busy = observer_clashes(session, observation.starts_at, observation.ends_at, observation.id)
    assignment = current_assignment(session, observation.case_id)
    assigner = assignment.assigned_by if assignment is not None else None
    name = sa.func.coalesce(User.display_name, User.username)
    rows = session.execute(
        sa.select(User.id, name, User.provider_id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "supervisor", User.active.is_(True))
        .order_by(name, User.id)
    )
    options = []
    for user_id, user_name, provider_id in rows:
        if user_id == assigner:
            reason = "assigned_the_case"
        elif provider_id is not None and provider_id == observation.provider_id:
            reason = "own_case"
        else:
            reason = busy.get(user_id)
        options.append({"user_id": user_id, "name": user_name, "reason": reason})
    return options


def _check_open(observation: Observation) -> None:
    if observation.status not in ("unassigned", "scheduled"):
        raise NotAllowed(
            say(
                "This observation is %(status)s; it can no longer be staffed.",
                status=labelled(observation.status, STATUS_LABELS),
            )
        )
    if observation.starts_at <= clock.now():
        raise NotAllowed(say("The hearing has already started; it can no longer be staffed."))


def assign_observer(session: Session, actor, observation: Observation, observer_id: int) -> Observation:
    """The coordinator gives the observation to ``observer_id``; their reminders are planned."""
    require_role(actor, *STAFFERS)
    lock_row(session, Observation, observation.id)  # two coordinators at once: the second sees the first
    _check_open(observation)
    option = next((o for o in observer_options(session, observation) if o["user_id"] == observer_id), None)
    if option is None:
        raise Invalid(say("Choose a supervisor."), fields={"observer_id": [say("Not an active supervisor.")]})
    if option["reason"] in NEVER:
        raise Invalid(WHY_NOT[option["reason"]], fields={"observer_id": [WHY_NOT[option["reason"]]]})
    before = {"observer_id": observation.observer_id, "status": observation.status}
    reminders.cancel_reminders(session, "observation", observation.id)
    observation.observer_id, observation.status = observer_id, "scheduled"
    plan_observer_reminders(session, observation, fresh=True)
    audit.record(
        session,
        actor,
        "observation.assign",
        "observation",
        observation.id,
        before,
        {
            "observer_id": observer_id,
            "status": "scheduled",
            "beyond_day_limit": option["reason"] == "day_full",
        },
    )
    return observation


def ask_rotation_again(session: Session, actor, observation: Observation) -> Observation:
    """The coordinator asks the rotation again (someone may be free now); it may stay unassigned."""
    require_role(actor, *STAFFERS)
    lock_row(session, Observation, observation.id)
    _check_open(observation)
    staff_observation(session, observation, actor)
    return observation
