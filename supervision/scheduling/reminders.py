"""Reminders: rows written in the transaction of the change that causes them, each with a unique key,
delivered by a sweep to the in-app inbox and (through the outbox) by e-mail.

DESIGN.md §4 "The clock is APScheduler; the truth is the database": a sweep marks what is due in the
same transaction that delivers it, so downtime loses nothing (the next sweep catches up), a reminder
whose event has passed is expired rather than sent, and two sweeps never deliver one in-app reminder
twice (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: a single writer)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.orm import Session

from legalaid import clock
from legalaid.db import is_sqlite
from legalaid.models import User
from supervision.scheduling.models import DailyRun, OutboxMessage, Reminder
from supervision.scheduling.rules import setting

log = logging.getLogger(__name__)


def _insert(session: Session, model):
    if is_sqlite(session):
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    return insert(model)


def user_locales(session: Session, user_ids) -> dict[int, str]:
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "en")
    rows = session.execute(sa.select(User.id, User.locale).where(User.id.in_(set(user_ids)))).all()
    return {uid: locale or default for uid, locale in rows}


def in_user_locale(session: Session, user_id: int, render, locales: dict[int, str | None] | None = None):
    """Text for a reminder, in its recipient's language (it is stored as sent)."""
    if locales is None or user_id not in locales:
        locales = user_locales(session, [user_id])
    with force_locale(locales.get(user_id) or current_app.config.get("BABEL_DEFAULT_LOCALE", "en")):
        return render()


def plan_reminder(
    session: Session,
    *,
    key: str,
    user_id: int,
    kind: str,
    subject: str,
    due_at: dt.datetime,
    body: str = "",
    event_at: dt.datetime | None = None,
    link: str | None = None,
    email: bool = True,
    object_type: str | None = None,
    object_id: int | None = None,
    message: str | None = None,
    params: dict | None = None,
) -> bool:
    """Add a reminder unless one with ``key`` exists; True when it was added. ``message`` and
    ``params`` (``scheduling.messages``) let it be said in the reader's language when read."""
    return bool(
        plan_reminders(
            session,
            [
                dict(
                    key=key,
                    user_id=user_id,
                    kind=kind,
                    subject=subject,
                    due_at=due_at,
                    body=body,
                    event_at=event_at,
                    link=link,
                    email=email,
                    object_type=object_type,
                    object_id=object_id,
                    message=message,
                    params=params,
                )
            ],
        )
    )


@cache
def _reminders_insert(sqlite: bool):
    if sqlite:
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    table = Reminder.__table__  # a Core statement: no ORM bulk-insert machinery
    return insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)


def plan_reminders(session: Session, rows: list[dict]) -> int:
    """Add several reminders in one statement (those whose key exists are left alone); how many went in."""
    if not rows:
        return 0
    now = clock.now()
    values = [
        {
            "body": "",
            "event_at": None,
            "link": None,
            "email": True,
            "object_type": None,
            "object_id": None,
            "message": None,
            "params": None,
            **row,
            "key": row["key"][:160],
            "subject": row["subject"][:300],
            "status": "pending",
            "created_at": now,
        }
        for row in rows
    ]
    # Built once per dialect; the rows go as parameters (one multi-row INSERT … RETURNING on
    # PostgreSQL and SQLite, "insertmanyvalues"), not coerced into a new statement every time.
    stmt = _reminders_insert(is_sqlite(session))
    return len(session.execute(stmt, values).all())


def cancel_reminders(session: Session, object_type: str, object_id: int, kinds: tuple[str, ...] = ()) -> int:
    """Cancel the pending reminders about an object (its event moved or was cancelled)."""
    stmt = sa.update(Reminder).where(
        Reminder.object_type == object_type, Reminder.object_id == object_id, Reminder.status == "pending"
    )
    if kinds:
        stmt = stmt.where(Reminder.kind.in_(kinds))
    return session.execute(stmt.values(status="cancelled")).rowcount


def message_id(key: str) -> str:
    """The same reminder always carries the same Message-ID, so a resent copy folds into the first."""
    domain = parseaddr(current_app.config.get("MAIL_FROM", "legalaid@localhost"))[1].partition("@")[2]
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain or 'localhost'}>"


def sweep_due_reminders(session: Session, now: dt.datetime | None = None, limit: int | None = None) -> dict:
    """Deliver what is due: expire reminders whose event has passed, mark the rest sent (the in-app
    inbox shows sent reminders) and queue their e-mails, all in the caller's transaction.

    Returns ``{"sent": [ids], "expired": n}``; commit to make the delivery happen."""
    now = now or clock.now()
    limit = limit or setting("sweep_batch")
    expired = session.execute(
        sa.update(Reminder)
        .where(
            Reminder.status == "pending",
            Reminder.due_at <= now,
            Reminder.event_at.is_not(None),
            Reminder.event_at <= now,
        )
        .values(status="expired")
        .execution_options(synchronize_session=False)
    ).rowcount
    due = (
        sa.select(Reminder.id)
        .where(Reminder.status == "pending", Reminder.due_at <= now)
        .order_by(Reminder.due_at)
        .limit(limit)
        # Another sweep's rows are skipped, not waited for, and never delivered twice.
        .with_for_update(skip_locked=True)
    )
    rows = session.execute(
        sa.update(Reminder)
        .where(Reminder.id.in_(due.scalar_subquery()), Reminder.status == "pending")
        .values(status="sent", sent_at=now)
        .returning(
            Reminder.id,
            Reminder.user_id,
            Reminder.key,
            Reminder.subject,
            Reminder.body,
            Reminder.link,
            Reminder.email,
            Reminder.message,
            Reminder.params,
        )
        .execution_options(synchronize_session=False)
    ).all()
    mailed = [r for r in rows if r.email]
    if mailed:
        _queue_emails(session, mailed, now)
    return {"sent": [r.id for r in rows], "expired": expired}


def _queue_emails(session: Session, rows, now: dt.datetime) -> None:
    from supervision.scheduling.messages import words

    recipients = {r.user_id for r in rows}
    addresses = dict(
        session.execute(
            sa.select(User.id, User.email).where(
                User.id.in_(recipients), User.email.is_not(None), User.active.is_(True)
            )
        ).all()
    )
    locales = user_locales(session, recipients)
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    values = []
    for r in rows:
        if not addresses.get(r.user_id):
            continue
        # In the recipient's language, from the message's code when it has one.
        subject, body = in_user_locale(
            session, r.user_id, lambda r=r: words(r.message, r.params, r.subject, r.body), locales
        )
        values.append(
            {
                "reminder_id": r.id,
                "message_id": message_id(r.key),
                "to_address": addresses[r.user_id],
                "subject": subject[:300],
                "body": body + (f"\n\n{base}{r.link}" if r.link else ""),
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    if values:
        session.execute(_insert(session, OutboxMessage).on_conflict_do_nothing(), values)


# --- the outbox ---


def _claim_outbox(session: Session, now: dt.datetime, limit: int) -> list[OutboxMessage]:
    claimable = (
        sa.select(OutboxMessage.id)
        .where(
            sa.or_(
                sa.and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
                # A sender that crashed after claiming: its claim runs out and the message goes again.
                sa.and_(OutboxMessage.status == "sending", OutboxMessage.claimed_until < now),
            )
        )
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = (
        session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_(claimable.scalar_subquery()))
            .values(
                status="sending",
                attempts=OutboxMessage.attempts + 1,
                claimed_until=now + dt.timedelta(seconds=setting("outbox_claim_seconds")),
            )
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    session.commit()
    if not ids:
        return []
    return list(
        session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id))
    )


def _email(message: OutboxMessage) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = current_app.config["MAIL_FROM"]
    mail["To"] = message.to_address
    mail["Subject"] = message.subject
    mail["Message-ID"] = message.message_id
    mail["Date"] = format_datetime(message.created_at)
    mail.set_content(message.body or message.subject)
    return mail


def _smtp() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10)
    if config.get("MAIL_USE_TLS"):
        smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


def send_outbox(session: Session, now: dt.datetime | None = None, limit: int = 100) -> dict:
    """Send the e-mails that are due, committing each result: at-least-once (a crash between the SMTP
    answer and the commit resends, with the same Message-ID). A failure is retried with backoff and
    given up (``failed``, with the error) after the configured number of attempts. When the server
    cannot be reached at all, the rest of the batch waits for the next try instead of each timing out."""
    now = now or clock.now()
    messages = _claim_outbox(session, now, limit)
    result = {"sent": 0, "retrying": 0, "failed": 0}
    smtp = None
    unreachable = None
    for message in messages:
        if unreachable is None:
            try:
                if smtp is None:
                    try:
                        smtp = _smtp()
                    except OSError as exc:
                        unreachable = exc
                        raise
                smtp.send_message(_email(message))
            except OSError as exc:  # smtplib's errors are OSErrors too
                if smtp is not None:  # the next message starts on a fresh connection
                    smtp.close()
                    smtp = None
                result[_failed(message, exc)] += 1
            else:
                message.status, message.sent_at, message.claimed_until = "sent", clock.now(), None
                message.last_error = None
                result["sent"] += 1
        else:
            result[_failed(message, unreachable)] += 1
        session.commit()
    if smtp is not None:
        try:
            smtp.quit()
        except OSError:
            smtp.close()
    return result


def _failed(message: OutboxMessage, exc: Exception) -> str:
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    message.claimed_until = None
    if message.attempts >= setting("outbox_max_attempts"):
        message.status = "failed"
        log.warning(
            "gave up e-mail %s to %s after %d attempts: %s",
            message.message_id,
            message.to_address,
            message.attempts,
            message.last_error,
        )
        return "failed"
    backoff = setting("outbox_retry_seconds")
    message.status = "pending"
    message.next_attempt_at = clock.now() + dt.timedelta(
        seconds=backoff[min(message.attempts - 1, len(backoff) - 1)]
    )
    return "retrying"


def failed_emails(session: Session, limit: int = 200) -> list[OutboxMessage]:
    return list(
        session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.status == "failed")
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def retry_email(session: Session, actor, message: OutboxMessage) -> None:
    """An admin sends a given-up e-mail again (the cap starts over). Only a given-up one: of two
    admins sending it again at once, the second is told it is already on its way (409)."""
    from legalaid import audit
    from legalaid.db import lock_row
    from legalaid.errors import NotAllowed, NotFound, say

    message = lock_row(session, OutboxMessage, message.id)
    if message is None:
        raise NotFound(say("No such e-mail."))
    if message.status != "failed":
        raise NotAllowed(say("This e-mail is no longer given up; it is already being sent again or sent."))
    before = {"status": message.status, "attempts": message.attempts}
    message.status, message.attempts, message.next_attempt_at = "pending", 0, clock.now()
    audit.record(
        session,
        actor,
        "outbox.retry",
        "outbox_message",
        message.id,
        before,
        {"status": "pending", "attempts": 0},
    )


# --- the in-app inbox ---


def unread_count(session: Session, user_id: int) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count())
            .select_from(Reminder)
            .where(Reminder.user_id == user_id, Reminder.status == "sent", Reminder.read_at.is_(None))
        )
        or 0
    )


def inbox_statement(user_id: int) -> sa.Select:
    return (
        sa.select(Reminder)
        .where(Reminder.user_id == user_id, Reminder.status == "sent")
        .order_by(Reminder.sent_at.desc(), Reminder.id.desc())
    )


def mark_read(session: Session, user_id: int, reminder_ids: list[int] | None = None) -> int:
    stmt = sa.update(Reminder).where(
        Reminder.user_id == user_id, Reminder.status == "sent", Reminder.read_at.is_(None)
    )
    if reminder_ids is not None:
        stmt = stmt.where(Reminder.id.in_(reminder_ids))
    return session.execute(
        stmt.values(read_at=clock.now()).execution_options(synchronize_session=False)
    ).rowcount


# --- once a day ---


def claim_daily_run(session: Session, job: str, day: dt.date) -> bool:
    """True the first time ``job`` is claimed for ``day`` (committed with the caller's transaction)."""
    stmt = (
        _insert(session, DailyRun)
        .values(job=job, day=day, done_at=clock.now())
        .on_conflict_do_nothing()
        .returning(DailyRun.job)
    )
    return session.execute(stmt).scalar() is not None
