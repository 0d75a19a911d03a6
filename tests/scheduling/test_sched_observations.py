"""Observation policy (DESIGN.md §4), the observer's choice (rotation, clashes, never the assigner) and
the observer's report."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from legalaid import clock
from legalaid.errors import Forbidden, Invalid, NotAllowed
from supervision.scheduling import observation_decision, observations
from supervision.scheduling.hearings import cancel_hearing, move_hearing
from supervision.scheduling.models import Hearing, Observation, Reminder
from tests.scheduling.conftest import future


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"group_size": 10}, "group_case"),
        ({"major": True}, "major_case"),
        ({"case_type": "criminal", "cause": "murder", "max_sentence": "death"}, "life_or_death"),
        ({"case_type": "criminal", "cause": "robbery", "max_sentence": "life"}, "life_or_death"),
    ],
)
def test_first_hearing_of_special_case_is_always_observed(
    make_case, hearing_at, supervisors, sample_rate, fields, reason
):
    supervisors(2)
    sample_rate(0.0)
    hearing = hearing_at(make_case(**fields), future(10))
    assert hearing.observe and hearing.observation_reason == reason
    assert hearing.observation.status == "scheduled"


def test_only_the_first_hearing_of_a_group_case_is_forced(make_case, hearing_at, supervisors, sample_rate):
    supervisors(2)
    sample_rate(0.0)
    case = make_case(group_size=12)
    assert hearing_at(case, future(10)).observation_reason == "group_case"
    second = hearing_at(case, future(20))
    assert not second.observe and second.observation_reason == "not_sampled"


def test_group_of_nine_is_not_a_group_case(make_case, hearing_at, supervisors, sample_rate):
    supervisors(1)
    sample_rate(0.0)
    assert hearing_at(make_case(group_size=9), future(10)).observation_reason == "yearly"


def test_providers_first_legal_aid_case_is_observed(
    make_case, make_lawyer, hearing_at, supervisors, sample_rate
):
    supervisors(1)
    sample_rate(0.0)
    newcomer = make_lawyer(prior_legal_aid_cases=0)
    assert hearing_at(make_case(provider=newcomer), future(10)).observation_reason == "first_case"


def test_imported_provider_is_not_first(make_case, make_lawyer, hearing_at, supervisors, sample_rate):
    supervisors(1)
    sample_rate(0.0)
    imported = make_lawyer(prior_legal_aid_cases=12)
    assert hearing_at(make_case(provider=imported), future(10)).observation_reason == "yearly"


def test_providers_second_case_is_not_first(make_case, make_lawyer, hearing_at, supervisors, sample_rate):
    supervisors(2)
    sample_rate(0.0)
    newcomer = make_lawyer(prior_legal_aid_cases=0)
    make_case(provider=newcomer)
    hearing = hearing_at(make_case(provider=newcomer), future(10))
    assert hearing.observation_reason == "yearly"


def test_every_provider_observed_once_a_year(make_case, make_lawyer, hearing_at, supervisors, sample_rate):
    supervisors(2)
    sample_rate(0.0)
    lawyer = make_lawyer()
    first = hearing_at(make_case(provider=lawyer), future(3))
    second = hearing_at(make_case(provider=lawyer), future(5))
    assert first.observation_reason == "yearly"
    assert second.observation_reason == "not_sampled" and not second.observe


def test_yearly_rule_starts_again_next_year(
    session, make_case, make_lawyer, hearing_at, supervisors, sample_rate, centre_clock
):
    centre_clock.travel_to(dt.date(centre_clock.today().year, 6, 1))  # tomorrow is still this year
    supervisors(2)
    sample_rate(0.0)
    lawyer = make_lawyer()
    this_year = clock.today().year
    jan = dt.datetime(this_year + 1, 1, 15, 9, tzinfo=future(0).tzinfo)
    hearing_at(make_case(provider=lawyer), future(1))
    assert hearing_at(make_case(provider=lawyer), jan).observation_reason == "yearly"


def test_sample_is_seeded_and_stored(
    make_case, make_lawyer, hearing_at, supervisors, sample_rate, centre_clock
):
    # Mid-year, so the 31 hearings below stay in one year (a new year owes a new yearly observation).
    centre_clock.travel_to(dt.date(centre_clock.today().year, 6, 1))
    supervisors(2)
    sample_rate(0.2)
    lawyer = make_lawyer()
    hearing_at(make_case(provider=lawyer), future(1))  # the yearly observation
    decided = [hearing_at(make_case(provider=lawyer), future(2 + i)) for i in range(30)]
    for h in decided:
        assert h.sample_draw == observation_decision.sample_draw(h)
        assert h.sample_rate == 0.2
        assert h.observe == (h.sample_draw < 0.2)
        assert h.observation_reason == ("sampled" if h.observe else "not_sampled")
    assert 0 < sum(h.observe for h in decided) < 30


def test_inactive_provider_is_not_owed_a_yearly_observation(
    session, make_case, make_lawyer, hearing_at, supervisors, sample_rate
):
    supervisors(1)
    sample_rate(0.0)
    lawyer = make_lawyer()
    case = make_case(provider=lawyer)
    lawyer.active = False
    session.commit()
    assert hearing_at(case, future(4)).observation_reason == "not_sampled"


# --- the observer ---


def test_never_the_supervisor_who_assigned_the_case(make_case, hearing_at, supervisors, sample_rate):
    sample_rate(1.0)
    assigner, other = supervisors(2)
    for i in range(4):
        hearing = hearing_at(make_case(assigned_by=assigner), future(3 + i))
        assert hearing.observation.observer_id == other.id


def test_overlapping_hearings_get_different_observers(make_case, hearing_at, supervisors, sample_rate):
    sample_rate(1.0)
    a, b = supervisors(2)
    start = future(5, hour=9)
    first = hearing_at(make_case(), start)
    second = hearing_at(make_case(), start + dt.timedelta(hours=1))
    assert {first.observation.observer_id, second.observation.observer_id} == {a.id, b.id}


def test_at_most_two_observations_a_day(make_case, hearing_at, supervisors, sample_rate):
    sample_rate(1.0)
    (only,) = supervisors(1)
    day = future(6, hour=8)
    hearings = [
        hearing_at(make_case(), day + dt.timedelta(hours=3 * i), day + dt.timedelta(hours=3 * i + 2))
        for i in range(3)
    ]
    assert [h.observation.observer_id for h in hearings] == [only.id, only.id, None]
    assert hearings[2].observation.status == "unassigned"


def test_no_free_supervisor_leaves_it_unassigned_and_alerts(
    session, make_case, hearing_at, supervisors, make_person, sample_rate
):
    sample_rate(1.0)
    (assigner,) = supervisors(1)
    coordinator = make_person("coordinator")
    hearing = hearing_at(make_case(assigned_by=assigner), future(4))
    assert hearing.observation.status == "unassigned" and hearing.observation.observer_id is None
    alerted = set(
        session.scalars(sa.select(Reminder.user_id).where(Reminder.kind == "observation_unstaffed"))
    )
    assert {assigner.id, coordinator.id} <= alerted


def test_unassigned_observation_is_staffed_when_someone_is_free(
    session, make_case, hearing_at, supervisors, make_person, sample_rate
):
    from supervision.scheduling.scheduler import check_deadlines

    sample_rate(1.0)
    (assigner,) = supervisors(1)
    hearing = hearing_at(make_case(assigned_by=assigner), future(4))
    newcomer = make_person("supervisor")
    check_deadlines(session)
    assert hearing.observation.observer_id == newcomer.id and hearing.observation.status == "scheduled"


def test_rotation_is_fair(make_case, hearing_at, supervisors, sample_rate):
    sample_rate(1.0)
    people = supervisors(4)
    counts = {p.id: 0 for p in people}
    for i in range(22):
        hearing = hearing_at(make_case(), future(2 + i))
        counts[hearing.observation.observer_id] += 1
        assert max(counts.values()) - min(counts.values()) <= 1


def test_skipped_supervisor_keeps_place(make_case, hearing_at, supervisors, sample_rate):
    sample_rate(1.0)
    a, b, c = supervisors(3)
    assert hearing_at(make_case(), future(2)).observation.observer_id == a.id
    # b assigned this case: skipped, and goes first on the next hearing.
    assert hearing_at(make_case(assigned_by=b), future(3)).observation.observer_id == c.id
    assert hearing_at(make_case(), future(4)).observation.observer_id == b.id


# --- moving and cancelling ---


def test_moved_hearing_moves_its_reminders(
    session, make_case, hearing_at, supervisors, sample_rate, coordinator
):
    sample_rate(1.0)
    supervisors(1)
    hearing = hearing_at(make_case(), future(10))
    observation = hearing.observation
    before = {
        r.kind: r.due_at
        for r in session.scalars(
            sa.select(Reminder).where(Reminder.object_id == observation.id, Reminder.status == "pending")
        )
    }
    assert set(before) == {"observation_3d", "observation_1d"}
    assert before["observation_3d"] == hearing.starts_at - dt.timedelta(days=3)
    new_start = future(20, hour=14)
    move_hearing(session, coordinator, hearing, starts_at=new_start)
    session.commit()
    pending = {
        r.kind: r
        for r in session.scalars(
            sa.select(Reminder).where(Reminder.object_id == observation.id, Reminder.status == "pending")
        )
    }
    assert pending["observation_3d"].due_at == new_start - dt.timedelta(days=3)
    assert pending["observation_1d"].due_at == new_start - dt.timedelta(days=1)
    assert pending["observation_1d"].event_at == new_start
    assert hearing.ends_at == new_start + dt.timedelta(hours=3)
    assert observation.starts_at == new_start
    cancelled = session.scalar(
        sa.select(sa.func.count()).where(Reminder.object_id == observation.id, Reminder.status == "cancelled")
    )
    assert cancelled == 2


def test_moved_into_a_clash_gets_another_observer(
    session, make_case, hearing_at, supervisors, sample_rate, coordinator
):
    sample_rate(1.0)
    a, b = supervisors(2)
    h1 = hearing_at(make_case(), future(5, hour=9))
    h2 = hearing_at(make_case(), future(6, hour=9))
    assert (h1.observation.observer_id, h2.observation.observer_id) == (a.id, b.id)
    h3 = hearing_at(make_case(), future(7, hour=9))
    assert h3.observation.observer_id == a.id
    move_hearing(session, coordinator, h3, starts_at=future(6, hour=10))  # now overlaps b's h2: a keeps it
    assert h3.observation.observer_id == a.id
    move_hearing(session, coordinator, h3, starts_at=future(5, hour=10))  # overlaps a's h1
    session.commit()
    assert h3.observation.observer_id == b.id


def test_cancelled_hearing_cancels_observation_and_reminders(
    session, make_case, hearing_at, supervisors, sample_rate, coordinator
):
    sample_rate(1.0)
    supervisors(1)
    hearing = hearing_at(make_case(), future(10))
    cancel_hearing(session, coordinator, hearing, "adjourned")
    session.commit()
    assert hearing.status == "cancelled" and hearing.observation.status == "cancelled"
    assert not session.scalar(
        sa.select(sa.func.count()).where(
            Reminder.object_id == hearing.observation.id, Reminder.status == "pending"
        )
    )
    with pytest.raises(NotAllowed):
        cancel_hearing(session, coordinator, hearing)


def test_hearing_end_must_follow_start(make_case, hearing_at, supervisors):
    supervisors(1)
    with pytest.raises(Invalid):
        hearing_at(make_case(), future(5), future(5) - dt.timedelta(hours=1))


# --- the report ---


def _past_observation(session, make_case, hearing_at):
    hearing = hearing_at(make_case(group_size=20), future(3))
    hearing.starts_at = hearing.observation.starts_at = clock.now() - dt.timedelta(hours=4)
    hearing.ends_at = hearing.observation.ends_at = clock.now() - dt.timedelta(hours=1)
    session.commit()
    return hearing.observation


def test_observer_reports_and_scoring_reads_ratings(session, make_case, hearing_at, supervisors):
    observer, _other = supervisors(2)
    observation = _past_observation(session, make_case, hearing_at)
    assert observation.observer_id == observer.id
    observations.report_observation(
        session,
        observer,
        observation,
        preparation=4,
        examination=5,
        argument=3,
        effect=4,
        court_view="Well prepared",
        notes="ok",
    )
    session.commit()
    (ratings,) = observations.hearing_ratings(session, observation.case_id)
    assert (ratings["preparation"], ratings["examination"], ratings["argument"], ratings["effect"]) == (
        4,
        5,
        3,
        4,
    )
    with pytest.raises(NotAllowed):
        observations.report_observation(
            session, observer, observation, preparation=4, examination=5, argument=3, effect=4
        )


def test_report_rules(session, make_case, hearing_at, supervisors):
    observer, other = supervisors(2)
    observation = _past_observation(session, make_case, hearing_at)
    with pytest.raises(Invalid):
        observations.report_observation(
            session, observer, observation, preparation=6, examination=5, argument=3, effect=4
        )
    with pytest.raises(Forbidden):
        observations.report_observation(
            session, other, observation, preparation=3, examination=5, argument=3, effect=4
        )
    upcoming = hearing_at(make_case(group_size=20), future(9)).observation
    with pytest.raises(NotAllowed):
        observations.report_observation(
            session,
            session.get(type(observer), upcoming.observer_id),
            upcoming,
            preparation=3,
            examination=3,
            argument=3,
            effect=3,
        )


def test_hearing_rows_are_consistent(session, make_case, hearing_at, supervisors):
    supervisors(1)
    hearing_at(make_case(major=True), future(3))
    assert session.scalar(sa.select(sa.func.count()).select_from(Hearing)) == 1
    assert session.scalar(sa.select(sa.func.count()).select_from(Observation)) == 1


def test_recorded_hearing_objects_are_ordinary_rows_of_the_session(
    session, make_case, coordinator, supervisors, sample_rate
):
    """record_hearing writes its rows with single INSERTs: what it returns is the session's own
    persistent objects, already linked, and later changes to them are saved as usual."""
    from supervision.scheduling.hearings import record_hearing
    from supervision.scheduling.models import FollowUpCall

    sample_rate(1.0)
    (sup,) = supervisors(1)
    case = make_case()
    hearing = record_hearing(session, coordinator, case, starts_at=future(6), court=" Court ", room="")
    observation = hearing.observation
    assert observation is not None and observation.hearing is hearing and observation.observer_id == sup.id
    assert session.scalars(sa.select(Hearing).where(Hearing.id == hearing.id)).one() is hearing
    assert hearing.court == "Court" and hearing.room is None and hearing.recorded_at is not None
    assert not session.dirty and not session.new
    call = session.scalars(
        sa.select(FollowUpCall).where(
            FollowUpCall.case_id == case.id, FollowUpCall.purpose == "after_hearing"
        )
    ).one()
    assert call.hearing_id == hearing.id and call.caller_id == sup.id and call.failed_attempts == 0
    hearing.room = "7"
    session.commit()
    session.expire_all()
    assert session.get(Hearing, hearing.id).room == "7"
    assert session.get(Observation, observation.id).hearing_id == hearing.id
