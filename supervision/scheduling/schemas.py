"""Bodies and answers of the supervision scheduling API (API.md "Supervision")."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from marshmallow import fields, validate

from legalaid import clock, limits
from supervision.scheduling.models import RATINGS, SATISFACTION


class AwareDateTime(limits.DateTime):
    """ISO 8601 with its offset (API.md); a naive time is refused, not guessed; a hearing lies within
    a few years of today (the "hearing" window of legalaid.limits)."""

    def __init__(self, **kwargs):
        super().__init__(window="hearing", **kwargs)


class HearingCreateSchema(ma.Schema):
    starts_at = AwareDateTime(required=True)
    ends_at = AwareDateTime(load_default=None, allow_none=True)
    court = fields.String(required=True, validate=validate.Length(min=1, max=200))
    room = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))


class HearingMoveSchema(ma.Schema):
    starts_at = AwareDateTime(required=True)
    ends_at = AwareDateTime(load_default=None, allow_none=True)
    court = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))
    room = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))


class HearingCancelSchema(ma.Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))


def _rating():
    return limits.Int(required=True, strict=True, validate=validate.Range(min=1, max=5))


class ObservationReportSchema(ma.Schema):
    preparation = _rating()
    examination = _rating()
    argument = _rating()
    effect = _rating()
    court_view = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


class CallAttemptSchema(ma.Schema):
    reached = limits.Bool(required=True)
    satisfaction = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(SATISFACTION))
    took_money = limits.Bool(load_default=None, allow_none=True)
    notes = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=4000))


class RedFlagResolveSchema(ma.Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(("confirmed", "dismissed")))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class CalendarDaySchema(ma.Schema):
    working = limits.Bool(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


# The lists' query arguments (hearings, observations, follow-up calls, red flags) are in
# ``supervision.scheduling.lists``, with their sort keys and their pages' filter forms.


class CallListArgs(ma.Schema):
    day = limits.Date(window="planning", load_default=None)


class CalendarYearArgs(ma.Schema):
    year = limits.Year(load_default=None)


class InboxReadSchema(ma.Schema):
    """The reminders to mark read; none named: all of them."""

    ids = limits.List(
        limits.Int(strict=True), load_default=None, allow_none=True, max_items=1000, unique=True
    )


def iso(value):
    """Dates as YYYY-MM-DD; times in the centre's time zone, with the offset (API.md)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.astimezone(clock.centre_tz()).isoformat()
    return value.isoformat()


def dump_observation(o) -> dict:
    return {
        "id": o.id,
        "hearing_id": o.hearing_id,
        "case_id": o.case_id,
        "provider_id": o.provider_id,
        "observer_id": o.observer_id,
        "status": o.status,
        "reason": o.reason,
        "starts_at": iso(o.starts_at),
        "ends_at": iso(o.ends_at),
        **{r: getattr(o, r) for r in RATINGS},
        "court_view": o.court_view,
        "notes": o.notes,
        "reported_at": iso(o.reported_at),
    }


def dump_observation_brief(o) -> dict | None:
    if o is None:
        return None
    return {"id": o.id, "observer_id": o.observer_id, "status": o.status, "reason": o.reason}


def dump_hearing(h) -> dict:
    return {
        "id": h.id,
        "case_id": h.case_id,
        "provider_id": h.provider_id,
        "starts_at": iso(h.starts_at),
        "ends_at": iso(h.ends_at),
        "court": h.court,
        "room": h.room,
        "status": h.status,
        "observe": h.observe,
        "observation_reason": h.observation_reason,
        "sample_draw": h.sample_draw,
        "sample_rate": h.sample_rate,
        "observation": dump_observation_brief(h.observation),
    }


def dump_call(c, *, with_script: bool = False) -> dict:
    out = {
        "id": c.id,
        "case_id": c.case_id,
        "purpose": c.purpose,
        "due_on": iso(c.due_on),
        "status": c.status,
        "caller_id": c.caller_id,
        "provider_id": c.provider_id,
        "via_contact": c.via_contact,
        "callee_name": c.callee_name,
        "phone": c.phone,
        "failed_attempts": c.failed_attempts,
        "done_at": iso(c.done_at),
        "attempts": [dump_attempt(a) for a in c.attempts],
    }
    if with_script:
        from supervision.scheduling.calls import script

        out["script"] = script(c.purpose)
    return out


def dump_attempt(a) -> dict:
    return {
        "id": a.id,
        "call_id": a.call_id,
        "by_id": a.by_id,
        "at": iso(a.at),
        "reached": a.reached,
        "satisfaction": a.satisfaction,
        "took_money": a.took_money,
        "notes": a.notes,
    }


def dump_red_flag(f) -> dict:
    return {
        "id": f.id,
        "case_id": f.case_id,
        "provider_id": f.provider_id,
        "call_id": f.call_id,
        "kind": f.kind,
        "status": f.status,
        "raised_at": iso(f.raised_at),
        "resolved_at": iso(f.resolved_at),
        "resolved_by": f.resolved_by,
        "resolution_reason": f.resolution_reason,
    }


def dump_reminder(r) -> dict:
    from supervision.scheduling.messages import reminder_words

    subject, body = reminder_words(r)  # in the caller's language, as the inbox page says it
    return {
        "id": r.id,
        "kind": r.kind,
        "subject": subject,
        "body": body,
        "link": r.link,
        "sent_at": iso(r.sent_at),
        "read": r.read_at is not None,
        "event_at": iso(r.event_at),
    }
