"""Hearing observations (庭审旁听): whether a hearing is observed, by whom, and the observer's report
(DESIGN.md §4 "Hearing observation")."""

from __future__ import annotations

import datetime as dt
import random
from functools import cache
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import set_committed_value

from assignment.models import Assignment, Case, Provider
from assignment.roles import require_role
from legalaid import audit, clock
from legalaid.db import lock_row
from legalaid.errors import Forbidden, Invalid, NotAllowed, NotFound, say
from supervision.scheduling import reminders
from supervision.scheduling.models import RATINGS, Hearing, Observation
from supervision.scheduling.rota import Pick, pick_supervisor, users_with_role
from supervision.scheduling.rows import insert_entity
from supervision.scheduling.rules import local_time_text, setting

SUPERVISOR = ("supervisor",)
UNKNOWN = "?"  # the observer's language is looked up
LIVE = ("unassigned", "scheduled", "reported")
UNSET = object()  # "not given" (None is a value: nobody)


class AssignmentRef(NamedTuple):
    """The few columns of a case's current assignment that scheduling needs."""

    id: int
    provider_id: int
    assigned_by: int | None


def current_assignment(session: Session, case: Case | int) -> AssignmentRef | None:
    """The case's live assignment: taken from ``case.current_assignment`` when that is already loaded,
    else read as three columns (not the entity, which joins its case, provider and organisation)."""
    if isinstance(case, Case):
        if "current_assignment" in case.__dict__:
            loaded = case.__dict__["current_assignment"]
            if loaded is None:
                return None
            return AssignmentRef(loaded.id, loaded.provider_id, loaded.assigned_by)
        case_id = case.id
    else:
        case_id = case
    row = session.execute(
        sa.select(Assignment.id, Assignment.provider_id, Assignment.assigned_by).where(
            Assignment.case_id == case_id, Assignment.live.is_(True)
        )
    ).first()
    return None if row is None else AssignmentRef(*row)


def _facts(provider_id) -> list:
    """The columns the decision reads, for one statement: whether the case (bound ``case_id``; a
    hearing of it other than ``hearing_id``) has another scheduled hearing (``others``) and the
    provider's ``active``, ``prior`` (legal aid cases before the service), ``earlier_case`` (an
    accepted assignment of another case) and ``observed`` (a live observation from ``year_start`` to
    ``year_end``). ``provider_id`` is a bound parameter or the outer statement's column."""
    earlier = aliased(Assignment)
    return [
        sa.exists()
        .where(
            Hearing.case_id == sa.bindparam("case_id"),
            Hearing.status == "scheduled",
            Hearing.id != sa.bindparam("hearing_id"),
        )
        .label("others"),
        sa.select(Provider.active).where(Provider.id == provider_id).scalar_subquery().label("active"),
        sa.select(Provider.prior_legal_aid_cases)
        .where(Provider.id == provider_id)
        .scalar_subquery()
        .label("prior"),
        sa.exists()
        .where(
            earlier.provider_id == provider_id,
            earlier.case_id != sa.bindparam("case_id"),
            earlier.accepted_at.is_not(None),
        )
        .label("earlier_case"),
        sa.exists()
        .where(
            Observation.provider_id == provider_id,
            Observation.status.in_(LIVE),
            Observation.starts_at >= sa.bindparam("year_start"),
            Observation.starts_at < sa.bindparam("year_end"),
        )
        .label("observed"),
    ]


# Statements on the path of every new hearing are built once, with bound parameters: building one
# (coercing every clause) costs several times what executing its cached compiled form does.
@cache
def _facts_statement() -> sa.Select:
    return sa.select(*_facts(sa.bindparam("provider_id")))


@cache
def _new_hearing_facts_statement() -> sa.Select:
    return sa.select(
        Assignment.id, Assignment.provider_id, Assignment.assigned_by, *_facts(Assignment.provider_id)
    ).where(Assignment.case_id == sa.bindparam("case_id"), Assignment.live.is_(True))


@cache
def _others_statement() -> sa.Select:
    return sa.select(
        sa.exists().where(
            Hearing.case_id == sa.bindparam("case_id"),
            Hearing.status == "scheduled",
            Hearing.id != sa.bindparam("hearing_id"),
        )
    )


def _facts_params(case_id: int, hearing_id: int | None, starts_at: dt.datetime) -> dict:
    year = clock.local_date(starts_at).year
    return {
        "case_id": case_id,
        "hearing_id": hearing_id if hearing_id is not None else 0,  # ids start at 1
        "year_start": clock.day_bounds(dt.date(year, 1, 1))[0],
        "year_end": clock.day_bounds(dt.date(year + 1, 1, 1))[0],
    }


def _provider_facts(row) -> dict | None:
    if row.active is None:  # no provider
        return None
    return {
        "active": bool(row.active),
        "prior_legal_aid_cases": row.prior,
        "earlier_case": bool(row.earlier_case),
        "observed": bool(row.observed),
    }


def _decision_facts(session: Session, hearing: Hearing) -> tuple[bool, dict | None]:
    """In one statement: whether the case has another scheduled hearing, and the facts about the
    hearing's provider (None without one)."""
    if hearing.provider_id is None:
        others = session.scalar(
            _others_statement(), {"case_id": hearing.case_id, "hearing_id": hearing.id or 0}
        )
        return bool(others), None
    params = _facts_params(hearing.case_id, hearing.id, hearing.starts_at)
    row = session.execute(_facts_statement(), {**params, "provider_id": hearing.provider_id}).one()
    return bool(row.others), _provider_facts(row)


def new_hearing_facts(
    session: Session, case_id: int, starts_at: dt.datetime
) -> tuple[AssignmentRef | None, tuple[bool, dict | None]]:
    """For a hearing about to be recorded, in one statement: the case's current assignment (three
    columns) and the decision's facts about its provider (``decide_observation_facts``'s ``facts``)."""
    row = session.execute(_new_hearing_facts_statement(), _facts_params(case_id, None, starts_at)).first()
    if row is None:  # no current assignment: no provider to evaluate
        others = session.scalar(_others_statement(), {"case_id": case_id, "hearing_id": 0})
        return None, (bool(others), None)
    return AssignmentRef(row.id, row.provider_id, row.assigned_by), (bool(row.others), _provider_facts(row))


def sample_draw(hearing: Hearing) -> float:
    """The seeded draw for the sample: the same hearing (case, start, court) always draws the same
    number; it is stored with the decision."""
    start = hearing.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M")
    return random.Random(
        f"{setting('observation_sample_seed')}:{hearing.case_id}:{start}:{hearing.court}"
    ).random()


def decide_observation(session: Session, hearing: Hearing, case: Case) -> tuple[bool, str, float | None]:
    """Whether to observe ``hearing`` and why (DESIGN.md §4): always the first hearing of a group
    case, a major case, a life/death criminal case or a provider's first legal aid case; each
    provider at least once in each year they have a hearing; otherwise a seeded 20% sample."""
    return decide_observation_facts(session, hearing, case)[:3]


def decide_observation_facts(
    session: Session, hearing: Hearing, case: Case, facts: tuple[bool, dict | None] | None = None
) -> tuple[bool, str, float | None, bool]:
    """``decide_observation``'s answer and whether the case has another scheduled hearing (so the
    caller knows without asking again whether this one is the first). ``facts``: what
    ``new_hearing_facts`` read already (else they are read here)."""
    others, provider = facts if facts is not None else _decision_facts(session, hearing)
    if not others:
        if case.group_size >= setting("group_case_size"):
            return True, "group_case", None, others
        if case.major:
            return True, "major_case", None, others
        if case.case_type == "criminal" and case.max_sentence in ("life", "death"):
            return True, "life_or_death", None, others
        # A provider's first case: no legal aid case before this one, none imported, none accepted
        # earlier in the service.
        if provider is not None and not provider["prior_legal_aid_cases"] and not provider["earlier_case"]:
            return True, "first_case", None, others
    if provider is not None and provider["active"] and not provider["observed"]:
        return True, "yearly", None, others
    draw = sample_draw(hearing)
    if draw < setting("observation_sample_rate"):
        return True, "sampled", draw, others
    return False, "not_sampled", draw, others


def observation_reason_label(reason: str) -> str:
    return {
        "group_case": _("first hearing of a group case"),
        "major_case": _("first hearing of a major case"),
        "life_or_death": _("first hearing of a case with possible life imprisonment or death penalty"),
        "first_case": _("first hearing of the provider's first legal aid case"),
        "yearly": _("the provider has not been observed this year"),
        "sampled": _("drawn in the random sample"),
        "not_sampled": _("not drawn in the random sample"),
    }.get(reason, reason)


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


def _staff(session: Session, observation: Observation, actor=None) -> None:
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
    _staff(session, observation, actor)


def staff_unassigned_observations(session: Session, now: dt.datetime | None = None) -> int:
    """Try again to find observers for upcoming unassigned observations (someone may be free now)."""
    now = now or clock.now()
    staffed = 0
    for observation in session.scalars(
        sa.select(Observation)
        .where(Observation.status == "unassigned", Observation.starts_at > now)
        .order_by(Observation.starts_at)
    ):
        _staff(session, observation)
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
        )


def cancel_observation(session: Session, observation: Observation, actor=None) -> None:
    lock_row(session, Observation, observation.id)  # a report made meanwhile is kept, not cancelled
    if observation.status == "reported":
        return
    observation.status = "cancelled"
    reminders.cancel_reminders(session, "observation", observation.id)
    audit.record(session, actor, "observation.cancel", "observation", observation.id)


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
