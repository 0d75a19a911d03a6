"""The scheduler's promises (DESIGN.md §4 "The clock is APScheduler; the truth is the database"):
catch-up after downtime, exactly-once in-app delivery across two processes, e-mail retried then given
up, stable Message-IDs, the lease, the morning digest. E-mail goes to a real local SMTP server."""

from __future__ import annotations

import datetime as dt
import email
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from legalaid import clock
from supervision.scheduling import reminders
from supervision.scheduling.models import OutboxMessage, Reminder
from supervision.scheduling.scheduler import (
    acquire_lease,
    build_scheduler,
    plan_morning_reminders,
)
from tests.scheduling.conftest import TZ

LEGALAID = str(Path(sys.executable).with_name("legalaid"))


class Sink:
    """An aiosmtpd handler keeping what it receives; ``fail`` answers that many messages with 451."""

    def __init__(self, fail: int = 0):
        self.messages: list[email.message.Message] = []
        self.fail = fail

    async def handle_DATA(self, server, session, envelope):
        if self.fail:
            self.fail -= 1
            return "451 4.3.0 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    """smtp(fail=0) -> Sink served by aiosmtpd on 127.0.0.1; the app sends mail there."""
    from aiosmtpd.controller import Controller

    controllers = []

    def start(fail: int = 0) -> Sink:
        sink = Sink(fail)
        port = _free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="legalaid@centre.example")
        return sink

    yield start
    for controller in controllers:
        controller.stop()


def remind(session, user, key="k1", due=-60, event=3600, email=True):
    now = clock.now()
    reminders.plan_reminder(
        session,
        key=key,
        user_id=user.id,
        kind="test",
        subject=f"subject {key}",
        body="body",
        due_at=now + dt.timedelta(seconds=due),
        event_at=now + dt.timedelta(seconds=event) if event is not None else None,
        email=email,
    )


def test_sweep_sends_due_expires_passed_and_leaves_future(session, make_person):
    user = make_person("supervisor", email="sup@centre.example")
    remind(session, user, "due")
    remind(session, user, "passed", due=-7200, event=-60)
    remind(session, user, "later", due=3600)
    remind(session, user, "due", due=-5)  # the same key again: no second reminder
    session.commit()
    result = reminders.sweep_due_reminders(session)
    session.commit()
    status = dict(session.execute(sa.select(Reminder.key, Reminder.status)).all())
    assert status == {"due": "sent", "passed": "expired", "later": "pending"}
    assert len(result["sent"]) == 1 and result["expired"] == 1
    assert reminders.unread_count(session, user.id) == 1
    (mail,) = session.scalars(sa.select(OutboxMessage)).all()
    assert mail.to_address == "sup@centre.example" and mail.message_id == reminders.message_id("due")
    assert reminders.sweep_due_reminders(session)["sent"] == []


def test_reminder_due_while_stopped_is_sent_once_after_start(app, session, make_person, smtp):
    sink = smtp()
    user = make_person("supervisor", email="sup@centre.example")
    remind(session, user, "missed-while-down", due=-3600, event=86400)
    session.commit()
    scheduler = build_scheduler(app, "test-holder", blocking=False, minute_seconds=1)
    scheduler.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not sink.messages:
            time.sleep(0.2)
        time.sleep(2.5)  # a few more sweeps: nothing more may go out
    finally:
        scheduler.shutdown(wait=True)
    session.rollback()
    (reminder,) = session.scalars(sa.select(Reminder)).all()
    assert reminder.status == "sent"
    assert len(sink.messages) == 1
    assert sink.messages[0]["Message-ID"] == reminders.message_id("missed-while-down")
    assert session.scalar(sa.select(OutboxMessage.status)) == "sent"


def test_failing_email_is_retried_then_given_up(app, session, make_person, smtp):
    sink = smtp(fail=100)
    app.config["SCHEDULING"] = {"outbox_max_attempts": 3, "outbox_retry_seconds": (60, 300)}
    user = make_person("supervisor", email="sup@centre.example")
    remind(session, user, "doomed")
    session.commit()
    reminders.sweep_due_reminders(session)
    session.commit()
    now = clock.now()
    assert reminders.send_outbox(session, now) == {"sent": 0, "retrying": 1, "failed": 0}
    message = session.scalar(sa.select(OutboxMessage))
    assert message.status == "pending" and message.attempts == 1 and "451" in message.last_error
    assert reminders.send_outbox(session, now)["retrying"] == 0  # not due again for a minute
    assert reminders.send_outbox(session, now + dt.timedelta(seconds=61))["retrying"] == 1
    assert reminders.send_outbox(session, now + dt.timedelta(hours=1)) == {
        "sent": 0,
        "retrying": 0,
        "failed": 1,
    }
    assert message.status == "failed" and message.attempts == 3
    assert reminders.send_outbox(session, now + dt.timedelta(days=1))["failed"] == 0
    assert [m.id for m in reminders.failed_emails(session)] == [message.id]
    assert sink.messages == []


def test_failing_email_succeeds_on_retry_with_same_message_id(app, session, make_person, smtp):
    sink = smtp(fail=1)
    user = make_person("supervisor", email="sup@centre.example")
    remind(session, user, "flaky")
    session.commit()
    reminders.sweep_due_reminders(session)
    session.commit()
    now = clock.now()
    reminders.send_outbox(session, now)
    assert reminders.send_outbox(session, now + dt.timedelta(minutes=5))["sent"] == 1
    (received,) = sink.messages
    assert received["Message-ID"] == reminders.message_id("flaky")
    assert received["Subject"] == "subject flaky"


def test_crashed_sender_resends_with_the_same_message_id(app, session, make_person, smtp):
    sink = smtp()
    user = make_person("supervisor", email="sup@centre.example")
    remind(session, user, "crash")
    session.commit()
    reminders.sweep_due_reminders(session)
    session.commit()
    message = session.scalar(sa.select(OutboxMessage))
    # A sender claimed it, sent it and died before recording the answer.
    message.status, message.claimed_until, message.attempts = (
        "sending",
        clock.now() - dt.timedelta(seconds=1),
        1,
    )
    session.commit()
    assert reminders.send_outbox(session)["sent"] == 1
    assert sink.messages[0]["Message-ID"] == reminders.message_id("crash")


def test_failed_email_is_visible_to_admins(app, session, make_person, client):
    from tests.conftest import AuthActions

    admin = make_person("admin")
    session.add(
        OutboxMessage(
            message_id="<x@y>",
            to_address="a@b.example",
            subject="Lost mail",
            body="",
            status="failed",
            attempts=5,
            last_error="SMTPServerDisconnected: gone",
        )
    )
    session.commit()
    AuthActions(client).login(admin.username)
    page = client.get("/supervision/outbox")
    assert page.status_code == 200 and b"Lost mail" in page.data and b"SMTPServerDisconnected" in page.data


def test_lease_keeps_a_second_scheduler_idle(app, session):
    now = clock.now()
    assert acquire_lease(session, "first", now)
    assert not acquire_lease(session, "second", now + dt.timedelta(seconds=10))
    assert acquire_lease(session, "first", now + dt.timedelta(seconds=30))  # renewed
    assert not acquire_lease(session, "second", now + dt.timedelta(seconds=100))
    assert acquire_lease(session, "second", now + dt.timedelta(seconds=200))  # the first stopped renewing


def test_idle_scheduler_does_not_sweep(app, session, make_person):
    from supervision.scheduling.scheduler import _job

    user = make_person("supervisor")
    remind(session, user, "held", email=False)
    session.commit()
    assert acquire_lease(session, "first")
    ran = []
    _job(app, "second", lambda s: ran.append(1))()
    assert ran == []
    _job(app, "first", lambda s: ran.append(1))()
    assert ran == [1]


def _sweeper(database_url: str, seconds: float) -> subprocess.Popen:
    # The sweepers keep the machine's time, as the test does (it resets the clock): a moved clock
    # handed to a process starts late by its start-up time, and the process that started first would
    # then see every reminder due before the other one does.
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="test-secret")
    env.pop("LEGALAID_DEBUG", None)
    env.pop("LEGALAID_CLOCK", None)
    return subprocess.Popen(
        [LEGALAID, "sweep", "--loop", str(seconds), "--batch", "40", "--list-ids", "--no-mail"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_deliver_each_in_app_reminder_exactly_once(
    app, session, make_person, database_url, centre_clock
):
    centre_clock.reset()  # the two sweeper processes run on the machine's time; so does this test
    users = [make_person("supervisor") for _ in range(3)]
    now = clock.now()
    # Due over a few seconds from when both processes are up, so they sweep side by side.
    rows = [
        {
            "key": f"many:{i}",
            "user_id": users[i % 3].id,
            "kind": "test",
            "subject": f"s{i}",
            "body": "",
            "due_at": now + dt.timedelta(seconds=8, milliseconds=2 * i),  # both sweepers are up by then
            "email": False,
            "status": "pending",
            "created_at": now,
        }
        for i in range(1500)
    ]
    session.execute(sa.insert(Reminder), rows)
    session.commit()
    session.close()
    first, second = _sweeper(database_url, 13), _sweeper(database_url, 13)
    outputs = [p.communicate(timeout=90) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    ids = [
        [int(line.split()[1]) for line in out.splitlines() if line.startswith("sent ")] for out, _ in outputs
    ]
    assert all(ids), "both processes must have delivered some"
    assert not set(ids[0]) & set(ids[1])
    assert len(ids[0]) + len(ids[1]) == 1500
    assert session.scalar(sa.select(sa.func.count()).where(Reminder.status == "sent")) == 1500


def test_morning_digest_and_call_lists_once_a_day(session, make_person, make_case, supervisors, coordinator):
    from assignment.models import Case

    (caller,) = supervisors(1)
    make_case(accepted_at=clock.now() - dt.timedelta(days=8))
    late = make_case()
    late.status, late.source, late.received_on = (
        "applied",
        "application",
        clock.today() - dt.timedelta(days=9),
    )
    session.commit()
    today = clock.today()
    seven = dt.datetime(today.year, today.month, today.day, 7, tzinfo=TZ)
    assert not plan_morning_reminders(session, seven)
    assert plan_morning_reminders(session, seven + dt.timedelta(hours=1, minutes=5))
    assert not plan_morning_reminders(session, seven + dt.timedelta(hours=3))
    kinds = dict(session.execute(sa.select(Reminder.kind, Reminder.user_id)).all())
    assert kinds == {"call_list": caller.id, "deadline_digest": coordinator.id}
    digest = session.scalar(sa.select(Reminder).where(Reminder.kind == "deadline_digest"))
    assert session.get(Case, late.id).number in digest.body


def test_unreachable_server_fails_the_batch_at_once(app, session, make_person):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())  # nothing listens there
    user = make_person("supervisor", email="sup@centre.example")
    for key in ("a", "b", "c"):
        remind(session, user, key)
    session.commit()
    reminders.sweep_due_reminders(session)
    session.commit()
    assert reminders.send_outbox(session) == {"sent": 0, "retrying": 3, "failed": 0}
    errors = set(session.scalars(sa.select(OutboxMessage.last_error)))
    assert len(errors) == 1 and "Connection refused" in errors.pop()


def test_plan_reminders_counts_only_new_keys(session, make_person):
    user = make_person("supervisor")
    now = clock.now()

    def row(key):
        return {"key": key, "user_id": user.id, "kind": "test", "subject": key, "due_at": now}

    assert reminders.plan_reminders(session, [row("a"), row("b")]) == 2
    assert reminders.plan_reminders(session, [row("b"), row("c")]) == 1
    assert reminders.plan_reminders(session, [row("a")]) == 0
    assert (
        reminders.plan_reminder(session, key="c", user_id=user.id, kind="test", subject="c", due_at=now)
        is False
    )
    session.commit()
