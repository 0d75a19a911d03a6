"""Each user's private iCalendar feed of their hearings (a provider), observations and calls (a
supervisor). The secret is in the URL; only its SHA-256 is stored; a new feed revokes the old one."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import icalendar
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from assignment.models import Case
from legalaid import audit, clock
from legalaid.db import lock_row
from legalaid.models import User
from supervision.scheduling.models import CalendarFeed, FollowUpCall, Hearing, Observation

PAST = dt.timedelta(days=90)
AHEAD = dt.timedelta(days=400)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_feed(session: Session, user: User) -> str:
    lock_row(session, User, user.id)  # feeds issued at once: each revokes the one before, one stays live
    revoke_feeds(session, user, audited=False)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=user.id, token_hash=_digest(token))
    session.add(feed)
    session.flush()
    audit.record(session, user, "calendar_feed.issue", "calendar_feed", feed.id)
    return token


def revoke_feeds(session: Session, user: User, *, audited: bool = True) -> int:
    count = session.execute(
        sa.update(CalendarFeed)
        .where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    ).rowcount
    if audited and count:
        audit.record(session, user, "calendar_feed.revoke", "user", user.id)
    return count


def has_feed(session: Session, user_id: int) -> bool:
    return bool(
        session.scalar(
            sa.select(sa.func.count()).where(
                CalendarFeed.user_id == user_id, CalendarFeed.revoked_at.is_(None)
            )
        )
    )


def user_for_feed(session: Session, token: str) -> User | None:
    return session.scalar(
        sa.select(User)
        .join(CalendarFeed, CalendarFeed.user_id == User.id)
        .where(
            CalendarFeed.token_hash == _digest(token),
            CalendarFeed.revoked_at.is_(None),
            User.active.is_(True),
        )
    )


def _uid(kind: str, ident: int) -> str:
    host = current_app.config.get("BASE_URL", "legalaid").split("//")[-1].split("/")[0]
    return f"{kind}-{ident}@{host}"


def build_feed(session: Session, user: User, now: dt.datetime | None = None) -> bytes:
    now = now or clock.now()
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Legal aid service//supervision scheduling//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("Legal aid: %(name)s", name=user.label))
    cal.add("x-wr-timezone", current_app.config["TIMEZONE"])
    numbers: dict[int, str] = {}

    def number(case_id: int) -> str:
        if case_id not in numbers:
            numbers[case_id] = session.scalar(sa.select(Case.number).where(Case.id == case_id)) or str(
                case_id
            )
        return numbers[case_id]

    def event(uid: str, summary: str, start, end, location: str | None = None, status="CONFIRMED"):
        ev = icalendar.Event()
        ev.add("uid", uid)
        ev.add("dtstamp", now)
        ev.add("summary", summary)
        ev.add("dtstart", start)
        ev.add("dtend", end)
        ev.add("status", status)
        if location:
            ev.add("location", location)
        cal.add_component(ev)

    if user.provider_id is not None:
        for h in session.scalars(
            sa.select(Hearing)
            .where(
                Hearing.provider_id == user.provider_id,
                Hearing.starts_at > now - PAST,
                Hearing.starts_at < now + AHEAD,
            )
            .order_by(Hearing.starts_at)
        ):
            event(
                _uid("hearing", h.id),
                _("Hearing, case %(number)s", number=number(h.case_id)),
                h.starts_at,
                h.ends_at,
                " ".join(filter(None, [h.court, h.room])),
                "CANCELLED" if h.status == "cancelled" else "CONFIRMED",
            )
        from supervision.scheduling.duty_notices import duty_shift_events

        for shift_id, summary, start, end, where, status in duty_shift_events(
            session, user.provider_id, now - PAST, now + AHEAD
        ):
            event(_uid("duty-shift", shift_id), summary, start, end, where, status)
    if user.has_role("supervisor"):
        for o in session.scalars(
            sa.select(Observation)
            .where(
                Observation.observer_id == user.id,
                Observation.status.in_(("scheduled", "reported", "cancelled")),
                Observation.starts_at > now - PAST,
                Observation.starts_at < now + AHEAD,
            )
            .order_by(Observation.starts_at)
        ):
            event(
                _uid("observation", o.id),
                _("Observe the hearing of case %(number)s", number=number(o.case_id)),
                o.starts_at,
                o.ends_at,
                " ".join(filter(None, [o.hearing.court, o.hearing.room])),
                "CANCELLED" if o.status == "cancelled" else "CONFIRMED",
            )
        today = now.date()
        for c in session.scalars(
            sa.select(FollowUpCall)
            .where(
                FollowUpCall.caller_id == user.id,
                FollowUpCall.status.in_(("planned", "retrying")),
                FollowUpCall.due_on > today - PAST,
            )
            .order_by(FollowUpCall.due_on)
        ):
            event(
                _uid("call", c.id),
                _("Follow-up call, case %(number)s", number=number(c.case_id)),
                c.due_on,
                c.due_on + dt.timedelta(days=1),
            )
    return cal.to_ical()
