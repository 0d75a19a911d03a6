"""Hearing observations (庭审旁听): reading them, and the observer's report with its four ratings
(DESIGN.md §4 "Hearing observation"). Whether a hearing is observed: ``observation_decision``; by
whom: ``observer_staffing``."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.roles import require_role
from legalaid import audit, clock
from legalaid.db import lock_row
from legalaid.errors import Forbidden, Invalid, NotAllowed, NotFound, say
from supervision.scheduling import reminders
from supervision.scheduling.models import RATINGS, Observation

SUPERVISOR = ("supervisor",)


def get_observation(session: Session, observation_id: int) -> Observation:
    observation = session.get(Observation, observation_id)
    if observation is None:
        raise NotFound(say("No such observation."))
    return observation


def report_observation(
    session: Session,
    actor,
    observation: Observation,
    *,
    preparation: int,
    examination: int,
    argument: int,
    effect: int,
    court_view: str | None = None,
    notes: str | None = None,
) -> Observation:
    """The observer's four ratings (庭前准备, 法庭调查, 法庭辩论, 庭审效果, each 1–5), the court's view of
    the provider (征询办案机关意见) and notes. An unassigned observation goes to whoever reports it."""
    require_role(actor, *SUPERVISOR)
    ratings = {"preparation": preparation, "examination": examination, "argument": argument, "effect": effect}
    bad = {k: [say("From 1 to 5.")] for k, v in ratings.items() if not isinstance(v, int) or not 1 <= v <= 5}
    if bad:
        raise Invalid(say("Ratings are from 1 to 5."), fields=bad)
    lock_row(session, Observation, observation.id)  # two reports at once: the second sees it reported
    if observation.status not in ("scheduled", "unassigned"):
        raise NotAllowed(
            say("This observation is %(status)s; it cannot be reported.", status=observation.status)
        )
    actor_id = getattr(actor, "id", None)
    if actor is not None and observation.observer_id not in (None, actor_id):
        raise Forbidden(say("Another supervisor observes this hearing."))
    if observation.starts_at > clock.now():
        raise NotAllowed(say("The hearing has not started yet."))
    for name, value in ratings.items():
        setattr(observation, name, value)
    observation.court_view = (court_view or "").strip() or None
    observation.notes = (notes or "").strip() or None
    observation.observer_id = observation.observer_id or actor_id
    observation.status, observation.reported_at, observation.reported_by = "reported", clock.now(), actor_id
    reminders.cancel_reminders(session, "observation", observation.id)
    audit.record(
        session,
        actor,
        "observation.report",
        "observation",
        observation.id,
        {"status": "scheduled"},
        {"status": "reported", **ratings},
    )
    return observation


def observations_statement(
    *,
    observer_id: int | None = None,
    status: str | None = None,
    provider_id: int | None = None,
    case_id: int | None = None,
) -> sa.Select:
    stmt = sa.select(Observation)
    if observer_id is not None:
        stmt = stmt.where(Observation.observer_id == observer_id)
    if status:
        stmt = stmt.where(Observation.status == status)
    if provider_id is not None:
        stmt = stmt.where(Observation.provider_id == provider_id)
    if case_id is not None:
        stmt = stmt.where(Observation.case_id == case_id)
    return stmt.order_by(Observation.starts_at, Observation.id)


def hearing_ratings(session: Session, case_id: int) -> list[dict]:
    """The reported observations of a case's hearings: the hearing item's suggested score reads them."""
    rows = session.scalars(
        sa.select(Observation)
        .where(Observation.case_id == case_id, Observation.status == "reported")
        .order_by(Observation.starts_at, Observation.id)
    )
    return [
        {
            **{r: getattr(o, r) for r in RATINGS},
            "observation_id": o.id,
            "hearing_id": o.hearing_id,
            "observer_id": o.observer_id,
            "court_view": o.court_view,
            "notes": o.notes,
            "reported_at": o.reported_at,
        }
        for o in rows
    ]
