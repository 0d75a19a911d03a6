"""The outbox page: a given-up e-mail reads as not sent (a "Not sent" state, the reason in words, the
server's answer in a detail), and sending it again asks first, is audited, and is refused (409) once
it is no longer given up."""

from __future__ import annotations

import sqlalchemy as sa

from legalaid.models import AuditEntry
from supervision.scheduling import reminders
from supervision.scheduling.models import OutboxMessage
from tests.conftest import AuthActions


def _given_up(session, subject="Lost mail", error="SMTPRecipientsRefused: {'a@b.example': (550, b'no')}"):
    message = OutboxMessage(
        message_id=f"<{subject}@y>",
        to_address="a@b.example",
        subject=subject,
        body="",
        status="failed",
        attempts=5,
        last_error=error,
    )
    session.add(message)
    session.commit()
    return message


def _admin(app, make_person):
    client = app.test_client()
    AuthActions(client).login(make_person("admin").username)
    return client


def test_given_up_emails_read_as_not_sent_with_the_reason(app, session, make_person):
    _given_up(session)
    _given_up(session, "Server away", "ConnectionRefusedError: [Errno 111] Connection refused")
    page = _admin(app, make_person).get("/supervision/outbox").get_data(as_text=True)
    section = page.split('id="not-sent"', 1)[1]
    assert "Not sent: given up" in section
    assert section.count(">Not sent</span>") == 2
    assert "The mail server refused the recipient&#39;s address." in section
    assert "The mail server could not be reached." in section
    assert "SMTPRecipientsRefused" in section.split("<details>", 1)[1]  # the server's words, in a detail


def test_sending_again_asks_first_then_requeues_once_audited(app, session, make_person):
    message = _given_up(session)
    admin = _admin(app, make_person)
    asked = admin.post("/supervision/outbox", data={"message_id": str(message.id)})
    assert asked.status_code == 200 and 'id="confirm-yes"' in asked.get_data(as_text=True)
    assert "a@b.example · Lost mail" in asked.get_data(as_text=True)
    session.expire_all()
    assert session.get(OutboxMessage, message.id).status == "failed"

    done = admin.post("/supervision/outbox", data={"message_id": str(message.id), "confirmed": "yes"})
    assert done.status_code in (302, 303)
    session.expire_all()
    again = session.get(OutboxMessage, message.id)
    assert again.status == "pending" and again.attempts == 0
    entry = session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "outbox.retry"))
    assert entry.before == {"status": "failed", "attempts": 5} and entry.after["status"] == "pending"

    twice = admin.post(
        "/supervision/outbox", data={"message_id": str(message.id), "confirmed": "yes"}, follow_redirects=True
    )
    assert "no longer given up" in twice.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "outbox.retry")) == 1
    assert admin.post("/supervision/outbox", data={"message_id": "987654"}).status_code == 404


def test_retry_refuses_a_message_that_is_not_given_up(session, make_person):
    import pytest

    from legalaid.errors import NotAllowed

    message = _given_up(session)
    message.status = "sent"
    session.commit()
    with pytest.raises(NotAllowed):
        reminders.retry_email(session, make_person("admin"), message)
