"""Who observes a hearing: the next free supervisor in rotation (no clash, not the case's assigner),
the observer's reminders, the alert when nobody is free, staffing again after a move or later, and
cancelling an observation with its hearing."""

from __future__ import annotations

import datetime as dt
from functools import cache

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from assignment.models import Case
from legalaid import audit, clock
from legalaid.db import lock_row
from supervision.scheduling import reminders
from supervision.scheduling.case_assignment import current_assignment
from supervision.scheduling.models import Hearing, Observation
from supervision.scheduling.rota import Pick, pick_supervisor, users_with_role
from supervision.scheduling.rows import insert_entity
from supervision.scheduling.rules import local_time_text, setting

UNKNOWN = "?"  # the observer's language is looked up
UNSET = object()  # "not given" (None is a value: nobody)


def _assigner(session: Session, case_id: int) -> int | None:
    """Who ran the case's current assignment (the assignment's actor)."""
    case = session.identity_map.get(sa.inspect(Case).identity_key_from_primary_key((case_id,)))
    assignment = current_assignment(session, case if case is not None else case_id)
    return assignment.assigned_by if assignment is not None else None


@cache
def _clashes_statement() -> sa.Select:
    return sa.select(Observation.observer_id, Observation.starts_at, Observation.ends_at).where(
        Observation.observer_id.is_not(None),
        Observation.status.in_(("scheduled", "reported")),
        Observation.starts_at < sa.bindparam("before"),
        Observation.ends_at > sa.bindparam("after"),
        Observation.id != sa.bindparam("exclude_id"),
    )


def observer_clashes(
    session: Session, starts_at: dt.datetime, ends_at: dt.datetime, exclude_id: int | None = None
) -> dict[int, str]:
    """Supervisors who cannot observe a hearing from ``starts_at`` to ``ends_at`` because of their other
    observations: an overlapping hearing, or already the day's maximum (2) observations."""
    day_start, day_end = clock.day_bounds(clock.local_date(starts_at))
    params = {
        "before": max(day_end, ends_at),
        "after": min(day_start, starts_at),
        "exclude_id": exclude_id if exclude_id is not None else 0,  # ids start at 1
    }
    per_day: dict[int, int] = {}
    busy: dict[int, str] = {}
    for observer_id, other_start, other_end in session.execute(_clashes_statement(), params):
        if other_start < ends_at and other_end > starts_at:
            busy[observer_id] = "overlapping_hearing"
        if day_start <= other_start < day_end:
            per_day[observer_id] = per_day.get(observer_id, 0) + 1
    for observer_id, count in per_day.items():
        if count >= setting("observations_per_day"):
            busy.setdefault(observer_id, "day_full")
    return busy


def choose_observer(
    session: Session,
    case_id: int,
    provider_id: int | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_id: int | None = None,
    *,
    assigned_by: int | None | object = UNSET,
) -> Pick:
    """The next supervisor in rotation who is free: no clash, not the one who assigned the case, not
    the provider themself. Takes their turn. ``assigned_by``: who ran the case's current assignment,
    when the caller knows it (else it is read)."""
    busy = observer_clashes(session, starts_at, ends_at, exclude_id)
    assigner = _assigner(session, case_id) if assigned_by is UNSET else assigned_by

    def skip(user_id: int) -> str | None:
        if user_id == assigner:
            return "assigned_the_case"
        return busy.get(user_id)

    return pick_supervisor(session, "observation", skip, own_provider_id=provider_id)


def schedule_observation(
    session: Session,
    hearing: Hearing,
    reason: str,
    actor=None,
    *,
    assigned_by: int | None | object = UNSET,
    case_number: str | None = None,
) -> Observation:
    """Create the observation of ``hearing`` and give it to the next free supervisor; with none free it
    stays unassigned and supervisors and coordinators are alerted. The hearing's audit entry records
    the choice (``observation.skipped``). ``assigned_by`` and ``case_number`` save reading them when
    the caller has them."""
    observer_id, skipped, locale = choose_observer(
        session,
        hearing.case_id,
        hearing.provider_id,
        hearing.starts_at,
        hearing.ends_at,
        assigned_by=assigned_by,
    )
    # One INSERT … RETURNING (the reminder keys need the id), not a unit-of-work flush.
    observation = insert_entity(
        session,
        Observation,
        hearing_id=hearing.id,
        case_id=hearing.case_id,
        provider_id=hearing.provider_id,
        observer_id=observer_id,
        reason=reason,
        status="scheduled" if observer_id else "unassigned",
        starts_at=hearing.starts_at,
        ends_at=hearing.ends_at,
    )
    set_committed_value(observation, "hearing", hearing)
    if observer_id is None:
        _alert_unstaffed(session, observation, hearing=hearing, case_number=case_number)
    else:
        plan_observer_reminders(
            session, observation, fresh=True, locale=locale, hearing=hearing, case_number=case_number
        )
    observation.skipped = skipped
    return observation


def staff_observation(session: Session, observation: Observation, actor=None) -> None:
    """Give the observation to the next free supervisor in rotation (or leave it unassigned and alert)."""
    reminders.cancel_reminders(session, "observation", observation.id)
    observer_id, skipped, locale = choose_observer(
        session,
        observation.case_id,
        observation.provider_id,
        observation.starts_at,
        observation.ends_at,
        observation.id,
    )
    if observer_id is None:
        observation.observer_id, observation.status = None, "unassigned"
        _alert_unstaffed(session, observation)
    else:
        observation.observer_id, observation.status = observer_id, "scheduled"
        plan_observer_reminders(session, observation, fresh=True, locale=locale)
    audit.record(
        session,
        actor,
        "observation.schedule",
        "observation",
        observation.id,
        None,
        {
            "observer_id": observer_id,
            "status": observation.status,
            "reason": observation.reason,
            "skipped": skipped[:20],
        },
    )


def restaff_observation(session: Session, observation: Observation, actor=None) -> None:
    """After the hearing moved: keep the observer if still free, else pick again."""
    if observation.observer_id is not None:
        busy = observer_clashes(session, observation.starts_at, observation.ends_at, observation.id)
        if observation.observer_id not in busy:
            plan_observer_reminders(session, observation)
            return
    staff_observation(session, observation, actor)


def staff_unassigned_observations(session: Session, now: dt.datetime | None = None) -> int:
    """Try again to find observers for upcoming unassigned observations (someone may be free now)."""
    now = now or clock.now()
    staffed = 0
    for observation in session.scalars(
        sa.select(Observation)
        .where(Observation.status == "unassigned", Observation.starts_at > now)
        .order_by(Observation.starts_at)
    ):
        staff_observation(session, observation)
        staffed += observation.status == "scheduled"
    return staffed


def _case_number(session: Session, case_id: int) -> str:
    case = session.get(Case, case_id)  # usually already in the session
    return case.number if case is not None else str(case_id)


def plan_observer_reminders(
    session: Session,
    observation: Observation,
    *,
    fresh: bool = False,
    locale: str | None = UNKNOWN,
    hearing: Hearing | None = None,
    case_number: str | None = None,
) -> None:
    """Observers are reminded 3 days and 1 day before the hearing; the keys carry the start time, so
    a moved hearing gets new reminders and the old ones are cancelled. ``hearing`` and
    ``case_number`` save looking them up when the caller has them."""
    if not fresh:
        reminders.cancel_reminders(session, "observation", observation.id)
    hearing = hearing or session.get(Hearing, observation.hearing_id)
    number = case_number or _case_number(session, observation.case_id)
    now = clock.now()
    stamp = hearing.starts_at.strftime("%Y%m%dT%H%M")
    when = local_time_text(hearing.starts_at)
    subject, body = reminders.in_user_locale(
        session,
        observation.observer_id,
        lambda: (
            _(
                "Hearing observation %(when)s: case %(number)s at %(court)s",
                when=when,
                number=number,
                court=hearing.court,
            ),
            _(
                "You observe the hearing of case %(number)s on %(when)s at %(court)s %(room)s.",
                number=number,
                when=when,
                court=hearing.court,
                room=hearing.room or "",
            ),
        ),
        None if locale is UNKNOWN else {observation.observer_id: locale},
    )
    facts = {
        "number": number,
        "starts_at": hearing.starts_at.isoformat(),
        "court": hearing.court,
        "room": hearing.room or "",
    }
    days_before = setting("observer_reminder_days")
    rows = []
    for days in days_before:
        due = hearing.starts_at - dt.timedelta(days=days)
        # A reminder for "3 days before" that is already late is left out; the last one always goes.
        if due < now and days != min(days_before):
            continue
        rows.append(
            dict(
                key=f"observation:{observation.id}:{observation.observer_id}:{days}d:{stamp}",
                user_id=observation.observer_id,
                kind=f"observation_{days}d",
                subject=subject,
                body=body,
                due_at=max(due, now),
                event_at=hearing.starts_at,
                link=f"/supervision/observations/{observation.id}",
                object_type="observation",
                object_id=observation.id,
                message="observation",
                params=facts,
            )
        )
    reminders.plan_reminders(session, rows)


def _alert_unstaffed(
    session: Session,
    observation: Observation,
    *,
    hearing: Hearing | None = None,
    case_number: str | None = None,
) -> None:
    hearing = hearing or session.get(Hearing, observation.hearing_id)
    number = case_number or _case_number(session, observation.case_id)
    stamp = hearing.starts_at.strftime("%Y%m%dT%H%M")
    alerted = users_with_role(session, "supervisor", "coordinator")
    locales = reminders.user_locales(session, alerted)
    for user_id in alerted:
        reminders.plan_reminder(
            session,
            key=f"unstaffed:{observation.id}:{stamp}:{user_id}",
            user_id=user_id,
            kind="observation_unstaffed",
            subject=reminders.in_user_locale(
                session,
                user_id,
                lambda: _(
                    "No supervisor is free to observe the hearing of case %(number)s on %(when)s",
                    number=number,
                    when=local_time_text(hearing.starts_at),
                ),
                locales,
            ),
            due_at=clock.now(),
            event_at=hearing.starts_at,
            link=f"/supervision/observations/{observation.id}",
            object_type="observation",
            object_id=observation.id,
            message="observation_unstaffed",
            params={"number": number, "starts_at": hearing.starts_at.isoformat()},
        )


def cancel_observation(session: Session, observation: Observation, actor=None) -> None:
    lock_row(session, Observation, observation.id)  # a report made meanwhile is kept, not cancelled
    if observation.status == "reported":
        return
    observation.status = "cancelled"
    reminders.cancel_reminders(session, "observation", observation.id)
    audit.record(session, actor, "observation.cancel", "observation", observation.id)
