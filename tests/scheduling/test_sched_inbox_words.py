"""Inbox messages are stored as a message code with its facts and said in the reader's language when
read (issue 11, item 10): the inbox page and the API in the reader's language, the e-mail in the
recipient's; a row stored before codes existed keeps its text."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import force_locale, refresh

from legalaid import clock
from supervision.scheduling import reminders
from supervision.scheduling.messages import reminder_words
from supervision.scheduling.models import OutboxMessage, Reminder
from tests.conftest import PASSWORD


def _plan(session, user, key, **fields):
    reminders.plan_reminder(
        session,
        key=key,
        user_id=user.id,
        kind="red_flag",
        subject="Red flag on case 2026-MS-00001: the client says money was taken",
        due_at=clock.now() - dt.timedelta(seconds=5),
        link="/supervision/red-flags/1",
        **fields,
    )


def test_a_coded_message_is_said_in_the_readers_language_and_an_old_one_keeps_its_text(
    app, session, make_person
):
    user = make_person("supervisor", email="sup@centre.example")
    user.locale = "zh_Hans"
    _plan(session, user, "coded", message="red_flag", params={"number": "2026-MS-00001"})
    _plan(session, user, "old")
    session.commit()
    reminders.sweep_due_reminders(session)
    session.commit()
    coded = session.scalar(sa.select(Reminder).where(Reminder.key == "coded"))
    old = session.scalar(sa.select(Reminder).where(Reminder.key == "old"))
    with app.test_request_context("/"):
        with force_locale("zh_Hans"):
            assert "2026-MS-00001" in reminder_words(coded)[0]
            assert "Red flag" not in reminder_words(coded)[0]
            assert reminder_words(old)[0].startswith("Red flag")  # stored before codes: as stored
        with force_locale("en"):
            assert reminder_words(coded)[0].startswith("Red flag on case 2026-MS-00001")
    # The e-mail is in its recipient's language.
    mails = {m.reminder_id: m.subject for m in session.scalars(sa.select(OutboxMessage))}
    assert "Red flag" not in mails[coded.id] and "2026-MS-00001" in mails[coded.id]
    assert mails[old.id].startswith("Red flag")


def test_the_inbox_page_says_a_coded_message_in_the_readers_language(app, session, make_person):
    user = make_person("supervisor", username="inboxreader")
    _plan(
        session,
        user,
        "unstaffed",
        message="observation_unstaffed",
        params={"number": "2026-MS-00002", "starts_at": "2026-12-11T01:00:00+00:00"},
    )
    session.commit()
    reminders.sweep_due_reminders(session)
    session.commit()
    client = app.test_client()
    assert client.post("/login", data={"username": "inboxreader", "password": PASSWORD}).status_code in (
        302,
        303,
    )
    for locale, words in (("en", "No supervisor is free"), ("zh_Hans", "的庭审没有空闲的")):
        client.post("/language", data={"locale": locale, "next": "/supervision/inbox"})
        refresh()  # the test's app context keeps the first request's catalog otherwise
        html = client.get("/supervision/inbox").get_data(as_text=True)
        assert words in html and "2026-MS-00002" in html and "2026-12-11 09:00" in html
    answer = client.get("/api/v1/me/inbox", headers={"Accept-Language": "en"})
    if answer.status_code == 200:  # the API keeps the field as text
        assert any("2026-MS-00002" in item["subject"] for item in answer.get_json()["items"])
