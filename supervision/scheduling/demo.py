"""Scheduling's part of ``legalaid demo``: hearings (held, coming, moved, cancelled), observations in
every state (reported, awaiting the report, scheduled, without an observer), follow-up calls in every
state (due today, retrying, done, unreachable, cancelled), red flags open and resolved, the National Day
holidays, and reminders in the inboxes."""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from assignment import workdays
from assignment.demo import cases_in_progress
from legalaid import clock
from legalaid.demo import on_day
from legalaid.models import User, UserRole
from supervision.scheduling import calls, hearings, observations, reminders
from supervision.scheduling.models import FollowUpCall

COURTS = ["城关区人民法院", "西湖区人民法院", "市中级人民法院", "南山人民法庭"]
HOLIDAYS_2026 = [(dt.date(2026, 10, d), False, "国庆节") for d in range(1, 8)] + [
    (dt.date(2026, 9, 27), True, "国庆调休"),
    (dt.date(2026, 10, 10), True, "国庆调休"),
    (dt.date(2027, 1, 1), False, "元旦"),
]


def _user(session: Session, username: str) -> User | None:
    return session.scalar(sa.select(User).where(User.username == username))


def _at(days: int, hour: int) -> dt.datetime:
    day = clock.today() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), clock.centre_tz()).astimezone(dt.UTC)


def _recorded_at(session: Session, case, starts_at: dt.datetime, *, lead_days: int) -> dt.datetime:
    """When the demo records a hearing: ``lead_days`` before it, as a court's notice comes, but not
    before the case's assignment was accepted, and a day before the demo is loaded at the latest (a
    real centre's hearings were recorded on many days, not all at the load moment)."""
    from assignment.models import Assignment

    accepted = session.scalar(
        sa.select(sa.func.max(Assignment.accepted_at)).where(Assignment.case_id == case.id)
    )
    moment = starts_at - dt.timedelta(days=lead_days)
    if accepted is not None:
        moment = max(moment, accepted + dt.timedelta(hours=3))
    return min(moment, clock.now() - dt.timedelta(hours=20))


def build_schedule(session: Session, progress) -> None:
    rng = random.Random(2026)
    for day, working, note in HOLIDAYS_2026:
        workdays.set_calendar_day(session, None, day, working, note)
    coordinator = _user(session, "coord")
    sups = [u for u in (_user(session, n) for n in ("sup", "sup2", "sup3", "sup4")) if u is not None]
    if not sups:
        sups = list(session.scalars(sa.select(User).join(UserRole).where(UserRole.role == "supervisor")))
    cases = cases_in_progress(
        session, rng, 24, coordinator, case_types=("civil",) * 7 + ("criminal",) * 3,
        accepted_days_ago=(3, 7, 7, 8, 10, 20, 40),
    )  # fmt: skip
    if not cases:
        progress("  no providers: no hearings or calls")
        return
    # Hearings: held ones (reported or awaiting the report), coming ones, a busy day, moved and cancelled.
    recorded = []
    for i, case in enumerate(cases[:18]):
        days = [-20, -9, -3, -1, 2, 4, 6, 9, 12, 15, 20, 25, 30, 3, 3, 3, 3, 40][i]
        hour = 9 if days != 3 else 9 + (i % 2) * 4
        starts_at = _at(days, hour)
        with on_day(_recorded_at(session, case, starts_at, lead_days=4 + i % 11)):
            recorded.append(
                hearings.record_hearing(
                    session,
                    coordinator,
                    case,
                    starts_at=starts_at,
                    court=rng.choice(COURTS),
                    room=str(rng.randint(1, 12)),
                )
            )
    # A morning with more observed hearings than supervisors (the demo samples them all): the last stay
    # without an observer, and supervisors and coordinators are alerted.
    settings = current_app.config.setdefault("SCHEDULING", {})
    rate = settings.get("observation_sample_rate")
    settings["observation_sample_rate"] = 1.0
    try:
        for j, case in enumerate(cases[18:24]):
            starts_at = _at(5, 9)
            with on_day(_recorded_at(session, case, starts_at, lead_days=6 + j * 2)):
                recorded.append(
                    hearings.record_hearing(
                        session,
                        coordinator,
                        case,
                        starts_at=starts_at,
                        court=COURTS[0],
                        room=str(rng.randint(1, 12)),
                    )
                )
    finally:
        if rate is None:
            settings.pop("observation_sample_rate")
        else:
            settings["observation_sample_rate"] = rate
    session.flush()
    for hearing in recorded:
        observation = hearing.observation
        if observation is None or hearing.starts_at > clock.now() - dt.timedelta(days=2):
            continue
        if observation.observer_id is None:
            continue
        observer = session.get(User, observation.observer_id)
        with on_day(hearing.starts_at + dt.timedelta(days=1, hours=7)):  # the report, the day after
            observations.report_observation(
                session,
                observer,
                observation,
                preparation=rng.randint(3, 5),
                examination=rng.randint(2, 5),
                argument=rng.randint(3, 5),
                effect=rng.randint(3, 5),
                court_view=rng.choice(["承办律师准备充分，质证到位", "辩护意见有针对性", "庭审表现一般"]),
                notes="演示数据",
            )
    coming = [h for h in recorded if h.starts_at > clock.now() and h.status == "scheduled"]
    if len(coming) > 2:
        hearings.move_hearing(
            session, coordinator, coming[0], starts_at=coming[0].starts_at + dt.timedelta(days=1)
        )
        hearings.cancel_hearing(session, coordinator, coming[1], "法院通知延期")
    # The year's calls due before this week were made on their day (the demo's cases spread over the
    # year; a real centre's list holds this week's calls, not a year of them).
    past_due = session.scalars(
        sa.select(FollowUpCall)
        .where(FollowUpCall.status == "planned", FollowUpCall.due_on < clock.today() - dt.timedelta(days=3))
        .order_by(FollowUpCall.id)
    ).all()
    for i, call in enumerate(past_due):
        with on_day(call.due_on, dt.time(9 + i % 8, i * 7 % 60)):
            calls.record_call_attempt(
                session,
                sups[i % len(sups)],
                call,
                reached=True,
                satisfaction="satisfied" if i % 5 else "basically_satisfied",
                took_money=False,
                notes="受援人对办案情况表示满意",
            )
    # Calls: some attempted (done, retrying, unreachable), one with a red flag, the rest planned.
    open_calls = list(
        session.scalars(
            sa.select(FollowUpCall).where(FollowUpCall.status == "planned").order_by(FollowUpCall.id)
        )
    )
    now = clock.now()
    for i, call in enumerate(open_calls[:12]):
        caller = sups[i % len(sups)]
        if i % 4 == 0:
            calls.record_call_attempt(
                session,
                caller,
                call,
                reached=True,
                satisfaction=rng.choice(["satisfied", "satisfied", "basically_satisfied", "unsatisfied"]),
                took_money=False,
                notes="受援人表示律师已会见",
            )
        elif i % 4 == 1:
            calls.record_call_attempt(session, caller, call, reached=False, at=now - dt.timedelta(days=1))
        elif i % 4 == 2:
            for back in (4, 3, 1):
                calls.record_call_attempt(
                    session, caller, call, reached=False, at=now - dt.timedelta(days=back)
                )
    flagged = [c for c in open_calls[12:16] if c.status == "planned"]
    for i, call in enumerate(flagged[:2]):
        calls.record_call_attempt(
            session,
            sups[0],
            call,
            reached=True,
            satisfaction="unsatisfied",
            took_money=True,
            notes="受援人称向律师支付了“辛苦费”",
        )
        if i == 0:
            (flag,) = [f for f in calls.red_flags(session, call.case_id) if f.status == "open"][:1]
            calls.resolve_red_flag(session, sups[-1], flag, "dismissed", "核实为法院诉讼费，非律师收取")
    session.flush()
    # A reassignment cancels the first provider's open calls.
    last = cases[-1]
    assignment = last.current_assignment
    if assignment is not None:
        calls.cancel_assignment_calls(session, assignment)
    # Deliver what is due so the inboxes and the bell have something.
    reminders.sweep_due_reminders(session)
    counts = dict(
        session.execute(sa.select(FollowUpCall.status, sa.func.count()).group_by(FollowUpCall.status)).all()
    )
    progress(f"  {len(recorded)} hearings, calls by state {counts}, {len(HOLIDAYS_2026)} calendar days")
