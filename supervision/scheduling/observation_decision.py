"""Whether a hearing is observed, and why (DESIGN.md §4 "Hearing observation"): the first hearing of a
group, major or life/death case or of a provider's first case; each provider once a year; else a
seeded 20% sample. The facts are read in one statement on the path of every new hearing."""

from __future__ import annotations

import datetime as dt
import random
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from assignment.models import Assignment, Case, Provider
from legalaid import clock
from supervision.scheduling.case_assignment import AssignmentRef
from supervision.scheduling.models import Hearing, Observation
from supervision.scheduling.rules import setting

LIVE = ("unassigned", "scheduled", "reported")


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
