"""``legalaid scheduler``: APScheduler (3.x) wakes a few fixed sweeps; the schedule of record is our own
tables (STYLE.md: shared job stores run jobs twice, missed one-off jobs are dropped, a failed job is
not retried). One process per deployment runs them: it holds a lease row, renewed while it runs, and
a second copy stays idle until the lease runs out."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid

import sqlalchemy as sa
from flask import Flask
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from legalaid import clock
from legalaid.db import db, is_sqlite
from supervision.scheduling import calls, deadlines, observer_staffing, reminders
from supervision.scheduling.models import SchedulerLease
from supervision.scheduling.rota import users_with_role
from supervision.scheduling.rules import setting

log = logging.getLogger(__name__)
LEASE = "scheduler"


def new_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire_lease(session: Session, holder: str, now: dt.datetime | None = None) -> bool:
    """Take or renew the scheduler lease; False while another holder's lease runs. Commits."""
    now = now or clock.now()
    expires = now + dt.timedelta(seconds=setting("lease_seconds"))
    taken = session.execute(
        sa.update(SchedulerLease)
        .where(
            SchedulerLease.name == LEASE,
            sa.or_(SchedulerLease.holder == holder, SchedulerLease.expires_at < now),
        )
        .values(holder=holder, expires_at=expires)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        if is_sqlite(session):
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        taken = (
            session.execute(
                insert(SchedulerLease)
                .values(name=LEASE, holder=holder, expires_at=expires)
                .on_conflict_do_nothing()
                .returning(SchedulerLease.name)
            ).scalar()
            is not None
        )
    session.commit()
    return bool(taken)


def release_lease(session: Session, holder: str) -> None:
    session.execute(
        sa.delete(SchedulerLease).where(SchedulerLease.name == LEASE, SchedulerLease.holder == holder)
    )
    session.commit()


# --- the sweeps (each commits its own work) ---


def deliver_due_reminders(session: Session, now: dt.datetime | None = None, batch: int | None = None) -> dict:
    """Sweep until nothing due is left, one transaction per batch."""
    total = {"sent": 0, "expired": 0}
    batch = batch or setting("sweep_batch")
    while True:
        result = reminders.sweep_due_reminders(session, now, limit=batch)
        session.commit()
        total["sent"] += len(result["sent"])
        total["expired"] += result["expired"]
        if len(result["sent"]) < batch:
            return total


def plan_morning_reminders(session: Session, now: dt.datetime | None = None) -> bool:
    """Once a day from 08:00 local time: each caller's call list, the coordinators' deadline digest.
    Runs at most once per day even across restarts (a restart at 10:00 still sends them)."""
    now = now or clock.now()
    today = clock.local_date(now)
    if now.astimezone(clock.centre_tz()).hour < setting("morning_hour"):
        return False
    if not reminders.claim_daily_run(session, "morning", today):
        session.rollback()
        return False
    end_of_day = clock.day_bounds(today)[1]
    by_caller: dict[int, list] = {}
    for call in calls.daily_call_list(session, today):
        if call.caller_id is not None:
            by_caller.setdefault(call.caller_id, []).append(call)
    numbers = _case_numbers(session, {c.case_id for cs in by_caller.values() for c in cs})
    for user_id, todo in by_caller.items():
        reminders.plan_reminder(
            session,
            key=f"calls:{user_id}:{today}",
            user_id=user_id,
            kind="call_list",
            subject=reminders.in_user_locale(
                session, user_id, lambda n=len(todo): _("%(count)s follow-up calls to make today", count=n)
            ),
            body="\n".join(f"{numbers.get(c.case_id, c.case_id)}  {c.purpose}  {c.due_on}" for c in todo),
            due_at=now,
            event_at=end_of_day,
            link="/supervision/calls",
            message="call_list",
            params={
                "lines": [[numbers.get(c.case_id, str(c.case_id)), c.purpose, str(c.due_on)] for c in todo]
            },
        )
    due = deadlines.open_deadlines(session, today)
    if due:
        body = "\n".join(f"{d.case_number}  {d.name}  {d.due_on}  ({d.state})" for d in due[:200])
        digest = {
            "count": len(due),
            "lines": [[d.case_number, d.name, str(d.due_on), d.state] for d in due[:200]],
        }
        for user_id in users_with_role(session, "coordinator"):
            reminders.plan_reminder(
                session,
                key=f"digest:{user_id}:{today}",
                user_id=user_id,
                kind="deadline_digest",
                subject=reminders.in_user_locale(
                    session, user_id, lambda: _("%(count)s deadlines due today or overdue", count=len(due))
                ),
                body=body,
                due_at=now,
                event_at=end_of_day,
                link="/supervision/deadlines",
                message="deadline_digest",
                params=digest,
            )
    from supervision.complaints.digest import plan_complaint_digest

    plan_complaint_digest(session, today, now, end_of_day)  # to those who handle complaints
    session.commit()
    return True


def _case_numbers(session: Session, ids: set[int]) -> dict[int, str]:
    from assignment.models import Case

    if not ids:
        return {}
    return dict(session.execute(sa.select(Case.id, Case.number).where(Case.id.in_(ids))).all())


def check_deadlines(session: Session, now: dt.datetime | None = None) -> dict:
    """Withdraw cases whose missing materials were not supplied in time (Law art. 43), move unanswered
    assignments on to the next in line, find observers for unassigned observations again, and tell
    coordinators on the first day a statutory deadline is overdue."""
    from assignment.intake import lapse_overdue_material_requests
    from assignment.rotation import expire_unanswered_assignments

    now = now or clock.now()
    today = clock.local_date(now)
    lapsed = lapse_overdue_material_requests(session, today)
    expired = expire_unanswered_assignments(session, now)
    staffed = observer_staffing.staff_unassigned_observations(session, now)
    alerts = 0
    newly = [d for d in deadlines.open_deadlines(session, today) if d.days_overdue == 1]
    coordinators = users_with_role(session, "coordinator") if newly else []
    for d in newly:
        for user_id in coordinators:
            alerts += reminders.plan_reminder(
                session,
                key=f"overdue:{d.case_id}:{d.name}:{d.due_on}:{user_id}",
                user_id=user_id,
                kind="deadline_overdue",
                subject=reminders.in_user_locale(
                    session,
                    user_id,
                    lambda d=d: _(
                        "Case %(number)s: deadline passed (%(deadline)s, due %(due)s)",
                        number=d.case_number,
                        deadline=d.label,
                        due=d.due_on.isoformat(),
                    ),
                ),
                due_at=now,
                link="/supervision/deadlines",
                message="deadline_overdue",
                params={"number": d.case_number, "name": d.name, "due": d.due_on.isoformat()},
            )
    session.commit()
    return {"lapsed": len(lapsed), "expired": len(expired), "staffed": staffed, "alerts": alerts}


def run_sweeps(session: Session, now: dt.datetime | None = None) -> dict:
    """Everything a minute's sweep does: today's morning reminders if due, then deliver, then mail;
    files prepared in the background whose process died are failed, old ones removed."""
    from legalaid.export_jobs import sweep_exports

    plan_morning_reminders(session, now)
    delivered = deliver_due_reminders(session, now)
    mailed = reminders.send_outbox(session, now)
    sweep_exports(session, now)
    return {**delivered, "mail": mailed}


# --- APScheduler ---


def _job(app: Flask, holder: str, work):
    def run():
        with app.app_context():
            try:
                if acquire_lease(db.session, holder):
                    work(db.session)
            except Exception:
                log.exception("scheduler job %s failed; the next run catches up", work.__name__)
                db.session.rollback()
            finally:
                db.session.remove()

    run.__name__ = work.__name__
    return run


def build_scheduler(
    app: Flask, holder: str | None = None, *, blocking: bool = True, minute_seconds: int = 60
):
    """The scheduler with its fixed sweeps: due reminders and e-mail every minute, the morning digest
    and call lists at 08:00 local time, deadline checks every 15 minutes, ended sign-in sessions
    pruned nightly, lease renewal."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    holder = holder or new_holder()
    with app.app_context():
        tz = clock.centre_tz()
        morning = setting("morning_hour")
        lease_seconds = setting("lease_seconds")
    scheduler = (BlockingScheduler if blocking else BackgroundScheduler)(timezone=tz)
    start = clock.machine_now().astimezone(tz)  # APScheduler waits in the machine's seconds
    options = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 3600}

    def sweep(session):
        run_sweeps(session)

    def morning_digest(session):
        plan_morning_reminders(session)
        deliver_due_reminders(session)

    def deadline_check(session):
        check_deadlines(session)

    def renew_lease(session):
        pass  # _job renews before calling

    def prune_sessions(session):
        from legalaid.auth import prune_sessions as prune

        prune(session)
        session.commit()

    scheduler.add_job(
        _job(app, holder, sweep),
        IntervalTrigger(seconds=minute_seconds),
        id="sweep",
        next_run_time=start,
        **options,
    )
    scheduler.add_job(
        _job(app, holder, morning_digest),
        CronTrigger(hour=morning, minute=0, timezone=tz),
        id="morning",
        **options,
    )
    scheduler.add_job(
        _job(app, holder, deadline_check),
        IntervalTrigger(minutes=15),
        id="deadlines",
        next_run_time=start + dt.timedelta(seconds=5),
        **options,
    )
    scheduler.add_job(
        _job(app, holder, prune_sessions),
        CronTrigger(hour=3, minute=30, timezone=tz),  # ended sign-ins, once a day at night
        id="prune_sessions",
        **options,
    )
    scheduler.add_job(
        _job(app, holder, renew_lease),
        IntervalTrigger(seconds=max(lease_seconds // 3, 1)),
        id="lease",
        **options,
    )
    scheduler.legalaid_holder = holder
    return scheduler
