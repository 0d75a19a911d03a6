"""Races for hearings, observations, follow-up calls and red flags; the calendar, the inbox, the
feed (the table and its rules: tests/races/harness.py)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from legalaid import clock
from legalaid.db import db
from legalaid.models import User
from tests.races.centre import Centre
from tests.races.harness import N, one_winner, only, race, races, seq, statuses

# --- hearings, observations, calls ---------------------------------------------------------------


@races("scheduling_api.create_hearing.post", kind="create")
def race_hearings(c: Centre):
    from supervision.scheduling.models import FollowUpCall, Hearing, Observation

    case_id = c.case_in("in_progress")
    base = clock.now() + dt.timedelta(days=20)

    def send(cl, i):
        starts = base + dt.timedelta(days=i)
        return cl.post(
            f"/api/v1/cases/{case_id}/hearings", json={"starts_at": starts.isoformat(), "court": "Court"}
        )

    answers = race(c.many("h_coord"), send)
    got = only(answers, {201, 409})
    assert c.count(Hearing, Hearing.case_id == case_id) == got[201] >= 1
    observations = c.scalars(sa.select(Observation.hearing_id).where(Observation.case_id == case_id))
    assert len(observations) == len(set(observations))  # at most one observation per hearing
    calls = c.count(FollowUpCall, FollowUpCall.case_id == case_id, FollowUpCall.purpose == "after_hearing")
    assert calls <= 1  # one call after the first hearing, not one per request
    c.goes_forward(case_id)


@races("scheduling_api.move_hearing.patch", kind="idempotent")
def race_hearing_moves(c: Centre):
    from supervision.scheduling.models import FollowUpCall, Hearing, Observation

    case_id = c.case_in("in_progress")
    hearing = c.hearing(case_id)
    base = clock.now() + dt.timedelta(days=30)
    times = [base + dt.timedelta(days=i) for i in range(N)]
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.patch(f"/api/v1/hearings/{hearing['id']}", json={"starts_at": times[i].isoformat()}),
    )
    got = only(answers, {200, 409})
    assert got[200] >= 1
    assert c.audit("hearing.move", hearing["id"]) == got[200]
    with c.app.app_context():
        starts = db.session.scalar(sa.select(Hearing.starts_at).where(Hearing.id == hearing["id"]))
        live = db.session.scalars(
            sa.select(Observation.starts_at).where(
                Observation.hearing_id == hearing["id"], Observation.status.in_(("scheduled", "unassigned"))
            )
        ).all()
    assert starts in times
    assert all(s == starts for s in live) and len(live) <= 1  # the observation moved with the hearing
    assert (
        c.count(FollowUpCall, FollowUpCall.case_id == case_id, FollowUpCall.purpose == "after_hearing") <= 1
    )
    c.goes_forward(case_id)


@races("scheduling_api.cancel_hearing.post", kind="transition")
def race_hearing_cancels(c: Centre):
    case_id = c.case_in("in_progress")
    hearing = c.hearing(case_id)
    answers = race(
        c.many("h_coord"),
        lambda cl, i: cl.post(f"/api/v1/hearings/{hearing['id']}/cancel", json={"reason": f"r{i}"}),
    )
    one_winner(answers, 200)
    assert c.audit("hearing.cancel", hearing["id"]) == 1
    c.hearing(case_id)  # a new one can be recorded
    c.goes_forward(case_id)


@races("scheduling_api.move_hearing.patch", "scheduling_api.cancel_hearing.post", kind="mixed")
def race_hearing_move_against_cancel(c: Centre):
    from supervision.scheduling.models import Hearing, Observation

    case_id = c.case_in("in_progress")
    hearing = c.hearing(case_id)
    later = (clock.now() + dt.timedelta(days=40)).isoformat()

    def send(cl, i):
        if i % 2:
            return cl.post(f"/api/v1/hearings/{hearing['id']}/cancel", json={"reason": "adjourned"})
        return cl.patch(f"/api/v1/hearings/{hearing['id']}", json={"starts_at": later})

    answers = race(c.many("h_coord"), send)
    only(answers, {200, 409})
    assert c.audit("hearing.cancel", hearing["id"]) == 1
    assert c.scalar(sa.select(Hearing.status).where(Hearing.id == hearing["id"])) == "cancelled"
    assert not c.count(
        Observation,
        Observation.hearing_id == hearing["id"],
        Observation.status.in_(("scheduled", "unassigned")),
    )  # a cancelled hearing leaves no observation to staff
    c.goes_forward(case_id)


@races("scheduling_api.report_observation.post", kind="transition")
def race_observation_reports(c: Centre):
    from supervision.scheduling.models import Observation

    case_id = c.case_in("in_progress", major=True)  # a major case's first hearing is observed
    hearing = c.hearing(case_id, hours_from_now=-3)
    observation = hearing["observation"]
    assert observation is not None, hearing
    observer = c.username(observation["observer_id"]) or "h_sup1"
    body = {"preparation": 4, "examination": 4, "argument": 5, "effect": 4, "notes": "well prepared"}
    answers = race(
        c.many(observer), lambda cl, i: cl.post(f"/api/v1/observations/{observation['id']}/report", json=body)
    )
    one_winner(answers, 200)
    assert c.audit("observation.report", observation["id"]) == 1
    assert c.scalar(sa.select(Observation.status).where(Observation.id == observation["id"])) == "reported"
    c.goes_forward(case_id)


@races("scheduling_api.report_observation.post", "scheduling_api.cancel_hearing.post", kind="mixed")
def race_observation_report_against_hearing_cancel(c: Centre):
    from supervision.scheduling.models import Observation

    case_id = c.case_in("in_progress", major=True)
    hearing = c.hearing(case_id, hours_from_now=-3)
    observation = hearing["observation"]
    observer = c.username(observation["observer_id"]) or "h_sup1"
    observers, coordinators = c.many(observer, N // 2), c.many("h_coord", N // 2)
    body = {"preparation": 3, "examination": 3, "argument": 3, "effect": 3}

    def send(cl, i):
        if i % 2:
            return cl.post(f"/api/v1/hearings/{hearing['id']}/cancel", json={"reason": "adjourned"})
        return cl.post(f"/api/v1/observations/{observation['id']}/report", json=body)

    clients = [observers[i // 2] if i % 2 == 0 else coordinators[i // 2] for i in range(N)]
    answers = race(clients, send)
    only(answers, {200, 409})
    reported = sum(1 for i, a in enumerate(answers) if a.status_code == 200 and i % 2 == 0)
    # A hearing that has started is never cancelled (issue 11, item 7): every cancel is refused, and of
    # the observer's reports exactly one is taken.
    assert reported == 1 and c.audit("hearing.cancel", hearing["id"]) == 0
    status = c.scalar(sa.select(Observation.status).where(Observation.id == observation["id"]))
    assert status == "reported"
    c.goes_forward(case_id)


@races("scheduling_api.record_attempt.post", kind="transition")
def race_reached_calls_with_took_money(c: Centre):
    from supervision.scheduling.models import CallAttempt, RedFlag

    case_id = c.case_in("in_progress")
    call_id = c.call(case_id, "after_assignment")
    body = {"reached": True, "satisfaction": "unsatisfied", "took_money": True}
    answers = race(
        c.many("h_sup1"), lambda cl, i: cl.post(f"/api/v1/follow-ups/{call_id}/attempts", json=body)
    )
    one_winner(answers, 201)
    assert c.count(CallAttempt, CallAttempt.call_id == call_id) == 1
    assert c.count(RedFlag, RedFlag.call_id == call_id) == 1
    c.goes_forward(case_id, 2)  # closed, then archived once the red flag is resolved


def _open_red_flag(c: Centre) -> tuple[int, int]:
    from supervision.scheduling.models import RedFlag

    case_id = c.case_in("in_progress")
    call_id = c.call(case_id, "after_assignment")
    body = {"reached": True, "satisfaction": "unsatisfied", "took_money": True}
    assert c.one("h_sup1").post(f"/api/v1/follow-ups/{call_id}/attempts", json=body).status_code == 201
    return case_id, c.scalar(sa.select(RedFlag.id).where(RedFlag.call_id == call_id))


@races("scheduling_api.resolve_red_flag.post", kind="transition")
def race_red_flag_dismissals(c: Centre):
    case_id, flag_id = _open_red_flag(c)
    answers = race(
        c.many("h_sup1"),
        lambda cl, i: cl.post(
            f"/api/v1/red-flags/{flag_id}/resolve", json={"outcome": "dismissed", "reason": "no"}
        ),
    )
    one_winner(answers, 200)
    assert c.audit("red_flag.resolve", flag_id) == 1
    c.goes_forward(case_id, 2)


@races("scheduling_api.resolve_red_flag.post", kind="mixed")
def race_confirm_against_dismiss(c: Centre):
    from supervision.scheduling.models import RedFlag

    case_id, flag_id = _open_red_flag(c)
    outcomes = ["confirmed", "dismissed"]

    def send(cl, i):
        return cl.post(
            f"/api/v1/red-flags/{flag_id}/resolve", json={"outcome": outcomes[i % 2], "reason": f"r{i}"}
        )

    winner = one_winner(race(c.many("h_sup1"), send), 200)
    assert c.scalar(sa.select(RedFlag.status).where(RedFlag.id == flag_id)) == outcomes[winner % 2]
    assert c.audit("red_flag.resolve", flag_id) == 1
    c.goes_forward(case_id, 2)


# --- the calendar, the inbox, the feed -----------------------------------------------------------


def _free_day() -> dt.date:
    return clock.today() + dt.timedelta(days=400 + next(seq))


@races("scheduling_api.put_calendar_day.put", kind="idempotent")
def race_calendar_day_puts(c: Centre):
    from assignment.models import CalendarDay

    day = _free_day()
    answers = race(
        c.many("h_admin"),
        lambda cl, i: cl.put(f"/api/v1/calendar/days/{day}", json={"working": False, "note": "x"}),
    )
    got = only(answers, {200, 409})
    assert got[200] >= 1
    assert c.count(CalendarDay, CalendarDay.day == day) == 1


@races("scheduling_api.delete_calendar_day.delete", kind="transition")
def race_calendar_day_deletes(c: Centre):
    from assignment.models import CalendarDay

    day = _free_day()
    assert c.admin.put(f"/api/v1/calendar/days/{day}", json={"working": False}).status_code == 200
    cleared = c.audit("calendar.clear_day")
    one_winner(
        race(c.many("h_admin"), lambda cl, i: cl.delete(f"/api/v1/calendar/days/{day}")), 204, (404, 409)
    )
    assert c.count(CalendarDay, CalendarDay.day == day) == 0
    assert c.audit("calendar.clear_day") == cleared + 1


@races("scheduling_api.inbox_read.post", kind="idempotent")
def race_inbox_reads(c: Centre):
    from supervision.scheduling.models import Reminder

    username = c.new_user(["supervisor"])
    user_id = c.scalar(sa.select(User.id).where(User.username == username))
    with c.app.app_context():
        for n in range(5):
            db.session.add(
                Reminder(
                    key=f"race-{user_id}-{n}",
                    user_id=user_id,
                    kind="digest",
                    subject=f"Reminder {n}",
                    due_at=clock.now(),
                    status="sent",
                    sent_at=clock.now(),
                )
            )
        db.session.commit()
    answers = race(c.many(username), lambda cl, i: cl.post("/api/v1/me/inbox/read", json={}))
    assert statuses(answers) == {200: N}
    assert sum(a.get_json()["marked"] for a in answers) == 5  # each reminder marked read once
    assert c.count(Reminder, Reminder.user_id == user_id, Reminder.read_at.is_(None)) == 0


@races("scheduling_api.create_feed.post", kind="idempotent")
def race_feed_issues(c: Centre):
    from supervision.scheduling.models import CalendarFeed

    username = c.new_user(["coordinator"])
    user_id = c.scalar(sa.select(User.id).where(User.username == username))
    got = only(race(c.many(username), lambda cl, i: cl.post("/api/v1/me/calendar-feed")), {201, 409})
    assert got[201] >= 1
    # "The previous one stops working": one live feed, whoever came last.
    assert c.count(CalendarFeed, CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None)) == 1
    assert c.audit("calendar_feed.issue") >= got[201]


@races("scheduling_api.revoke_feed.delete", kind="idempotent")
def race_feed_revocations(c: Centre):
    from supervision.scheduling.models import CalendarFeed

    username = c.new_user(["coordinator"])
    user_id = c.scalar(sa.select(User.id).where(User.username == username))
    assert c.one(username).post("/api/v1/me/calendar-feed").status_code == 201
    answers = race(c.many(username), lambda cl, i: cl.delete("/api/v1/me/calendar-feed"))
    only(answers, {204, 409})
    assert c.count(CalendarFeed, CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None)) == 0
    assert c.audit("calendar_feed.revoke", user_id) == 1
