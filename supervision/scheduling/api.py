"""The JSON API of supervision scheduling (API.md "Supervision"): hearings, observations, follow-up
calls, red flags, deadlines, the inbox, the working-day calendar and the calendar feed."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import jsonify, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from assignment import workdays
from assignment.intake import get_case
from legalaid import clock, limits, listing
from legalaid.api import PageArgs, api_blueprint, paginate, query_args, use_body
from legalaid.auth import login_required, roles_required
from legalaid.db import db
from legalaid.errors import Invalid, NotFound, say
from legalaid.models import CASE_STAFF
from legalaid.openapi import DATE, no_content, page_of, responds, use_query
from supervision.scheduling import answer_schemas as answer
from supervision.scheduling import calendar as feeds
from supervision.scheduling import calls, hearings, lists, observations, reminders, schemas
from supervision.scheduling.deadlines import DEPTH, deadline_page

bp = api_blueprint("scheduling_api", __name__)

STAFF = CASE_STAFF
HEARING_USERS = (*CASE_STAFF, "provider")


# --- hearings ---


@bp.post("/cases/<int:case_id>/hearings")
@roles_required(*hearings.RECORDERS)
@use_body(schemas.HearingCreateSchema)
@responds(201, answer.HEARING, creates="hearing_id")
def create_hearing(case_id: int, body):
    """Record a hearing; the answer says whether it is observed, and by whom."""
    case = get_case(db.session, case_id, current_user)
    hearing = hearings.record_hearing(db.session, current_user, case, **body)
    db.session.commit()
    return jsonify(schemas.dump_hearing(hearing)), 201


@bp.get("/cases/<int:case_id>/hearings")
@roles_required(*HEARING_USERS)
@responds(200, page_of(answer.HEARING))
def case_hearings(case_id: int):
    """A case's hearings (a provider: their own cases only)."""
    get_case(db.session, case_id, current_user)
    stmt = hearings.hearings_statement(case_id=case_id)
    if not current_user.has_role(*STAFF):
        stmt = stmt.where(hearings.Hearing.provider_id == current_user.provider_id)
    return jsonify(paginate(db.session, stmt, schemas.dump_hearing))


@bp.get("/hearings")
@roles_required(*HEARING_USERS)
@use_query(lists.HearingListArgs)
@responds(200, page_of(answer.HEARING))
def list_hearings(args):
    """Hearings: staff see all, a provider their own; filtered by case_id, status (``held``: started),
    starts_from / starts_to (days), q (case number or court); ``sort`` by starts_at, case, court, status
    or id ("-" first: descending)."""
    provider_id = None
    if not current_user.has_role(*STAFF):
        if current_user.provider_id is None:
            return jsonify({"items": [], "total": 0})
        provider_id = current_user.provider_id
    stmt = hearings.hearings_statement(case_id=args["case_id"], provider_id=provider_id)
    return jsonify(paginate(db.session, lists.filter_hearings(stmt, args), schemas.dump_hearing))


@bp.get("/hearings/<int:hearing_id>")
@roles_required(*HEARING_USERS)
@responds(200, answer.HEARING)
def read_hearing(hearing_id: int):
    """One hearing."""
    return jsonify(schemas.dump_hearing(hearings.get_hearing(db.session, hearing_id, current_user)))


@bp.patch("/hearings/<int:hearing_id>")
@roles_required(*hearings.RECORDERS)
@use_body(schemas.HearingMoveSchema)
@responds(200, answer.HEARING)
def move_hearing(hearing_id: int, body):
    """Move a hearing (time, court, room); its observation, reminders and call move with it."""
    hearing = hearings.get_hearing(db.session, hearing_id, current_user)
    hearings.move_hearing(db.session, current_user, hearing, **body)
    db.session.commit()
    return jsonify(schemas.dump_hearing(hearing))


@bp.post("/hearings/<int:hearing_id>/cancel")
@roles_required(*hearings.RECORDERS)
@use_body(schemas.HearingCancelSchema)
@responds(200, answer.HEARING)
def cancel_hearing(hearing_id: int, body):
    """Cancel a hearing; its observation and reminders are cancelled."""
    hearing = hearings.get_hearing(db.session, hearing_id, current_user)
    hearings.cancel_hearing(db.session, current_user, hearing, body.get("reason"))
    db.session.commit()
    return jsonify(schemas.dump_hearing(hearing))


# --- observations ---


@bp.get("/observations")
@roles_required(*STAFF)
@use_query(lists.ObservationListArgs)
@responds(200, page_of(answer.OBSERVATION))
def list_observations(args):
    """Observations, filtered by status, observer_id, case_id, starts_from / starts_to, q (case
    number); ``sort`` by starts_at, case, observer, status or id."""
    stmt = observations.observations_statement(
        status=args["status"], observer_id=args["observer_id"], case_id=args["case_id"]
    )
    return jsonify(paginate(db.session, lists.filter_observations(stmt, args), schemas.dump_observation))


@bp.get("/observations/<int:observation_id>")
@roles_required(*STAFF)
@responds(200, answer.OBSERVATION)
def read_observation(observation_id: int):
    """One observation with its report."""
    return jsonify(schemas.dump_observation(observations.get_observation(db.session, observation_id)))


@bp.post("/observations/<int:observation_id>/report")
@roles_required("supervisor")
@use_body(schemas.ObservationReportSchema)
@responds(200, answer.OBSERVATION)
def report_observation(observation_id: int, body):
    """The observer's report: four ratings 1–5, the court's view, notes."""
    observation = observations.get_observation(db.session, observation_id)
    observations.report_observation(db.session, current_user, observation, **body)
    db.session.commit()
    return jsonify(schemas.dump_observation(observation))


# --- follow-up calls ---


@bp.get("/follow-ups")
@roles_required(*STAFF)
@use_query(lists.FollowUpListArgs)
@responds(200, answer.CALL_PAGE)
def list_follow_ups(args):
    """Follow-up calls, filtered by case_id, due_before (inclusive), due_from / due_to, caller_id,
    status, purpose, q (case number); ``sort`` by due_on, case, purpose, status or id. ``total``
    counts up to 10,000; past that ``total_capped`` is true: there are more."""
    stmt = calls.calls_statement(
        case_id=args["case_id"],
        due_before=args["due_before"],
        caller_id=args["caller_id"],
        status=args["status"],
    )
    stmt = lists.filter_calls(stmt, args)
    return jsonify(listing.api_capped_page(db.session, stmt, schemas.dump_call))


@bp.get("/follow-ups/<int:call_id>")
@roles_required(*STAFF)
@responds(200, answer.CALL)
def read_follow_up(call_id: int):
    """One call with its script and attempts."""
    return jsonify(schemas.dump_call(calls.get_call(db.session, call_id), with_script=True))


@bp.post("/follow-ups/<int:call_id>/attempts")
@roles_required("supervisor")
@use_body(schemas.CallAttemptSchema)
@responds(201, answer.ATTEMPT_WITH_CALL)
def record_attempt(call_id: int, body):
    """Record an attempt on any call, early or late; unreached calls are retried on working days."""
    call = calls.get_call(db.session, call_id)
    attempt = calls.record_call_attempt(db.session, current_user, call, **body)
    db.session.commit()
    return jsonify({**schemas.dump_attempt(attempt), "call": schemas.dump_call(call)}), 201


@bp.get("/me/calls")
@roles_required("supervisor")
@use_query(schemas.CallListArgs)
@responds(200, answer.MY_CALLS)
def my_calls(args):
    """Today's call list (due today or overdue): the supervisor's own calls first, then colleagues';
    paged as every list (``?page=&per_page=``: a province's day holds tens of thousands), ``total``
    counted to 1,000 (``total_capped`` past that)."""
    paging = query_args(PageArgs)
    todo = lists.daily_call_page(
        db.session, args["day"] or clock.today(), current_user.id, param="page", per_page=paging["per_page"]
    )
    ids = [c.id for c in todo.rows]
    if ids:  # the page's attempts in one statement, not one per call
        db.session.scalars(
            sa.select(calls.FollowUpCall)
            .where(calls.FollowUpCall.id.in_(ids))
            .options(selectinload(calls.FollowUpCall.attempts))
            .execution_options(populate_existing=True)
        ).all()
    return jsonify(
        {
            "items": [{**schemas.dump_call(c), "mine": c.caller_id == current_user.id} for c in todo.rows],
            "total": todo.total,
            "total_capped": todo.capped,
        }
    )


# --- red flags ---


@bp.get("/red-flags")
@roles_required(*STAFF)
@use_query(lists.RedFlagListArgs)
@responds(200, page_of(answer.RED_FLAG))
def list_red_flags(args):
    """Red flags raised by follow-up calls (took money), newest first; filtered by case_id,
    provider_id, status, raised_from / raised_to, q (case number or provider); ``sort`` by raised_at,
    case, provider, status or id."""
    stmt = lists.red_flags_statement({**args, "sort": args["sort"] or "-raised_at"})
    return jsonify(paginate(db.session, stmt, schemas.dump_red_flag))


@bp.post("/red-flags/<int:flag_id>/resolve")
@roles_required("supervisor")
@use_body(schemas.RedFlagResolveSchema)
@responds(200, answer.RED_FLAG)
def resolve_red_flag(flag_id: int, body):
    """Confirm or dismiss a red flag, with the reason (audited)."""
    flag = calls.get_red_flag(db.session, flag_id)
    calls.resolve_red_flag(db.session, current_user, flag, body["outcome"], body["reason"])
    db.session.commit()
    return jsonify(schemas.dump_red_flag(flag))


# --- deadlines and the calendar ---


@bp.get("/deadlines")
@roles_required(*STAFF)
@use_query(lists.DeadlineListArgs)
@responds(200, answer.DEADLINES)
def due_deadlines(args):
    """Statutory deadlines due today or overdue, across all cases, most overdue first; filtered by
    ``deadline`` (the limit), ``overdue`` (before today only), ``within`` (due within N days of today),
    ``due_from`` / ``due_to``; ``sort`` by due_on or -due_on; paged to the 10,000th row. ``total``
    counts up to 1,000 (or the end of the asked page); past that ``total_capped`` is true: there
    are more."""
    today = clock.today()
    first, last = lists.deadline_range(args, today)
    paging = query_args(PageArgs)
    if (paging["page"] - 1) * paging["per_page"] >= DEPTH:
        deep = say("The list shows its first 10,000 deadlines; narrow it by the due days to see further.")
        raise Invalid(deep, fields={"page": [deep]})
    found = deadline_page(
        db.session,
        today=today,
        name=args["deadline"],
        due_from=first,
        due_to=last,
        descending=args["sort"] == "-due_on",
        offset=(paging["page"] - 1) * paging["per_page"],
        limit=paging["per_page"],
    )
    return jsonify(
        {
            "items": [
                {
                    "case_id": d.case_id,
                    "case_number": d.case_number,
                    "deadline": d.name,
                    "label": d.label,
                    "due_on": d.due_on.isoformat(),
                    "state": d.state,
                    "days_overdue": d.days_overdue,
                }
                for d in found.rows
            ],
            "total": found.total,
            "total_capped": found.capped,
        }
    )


@bp.get("/calendar/days")
@login_required
@use_query(schemas.CalendarYearArgs)
@responds(200, answer.CALENDAR_DAYS)
def list_calendar_days(args):
    """The year's holidays and make-up working days (?year=)."""
    rows = workdays.calendar_days(db.session, args["year"] or clock.today().year)
    return jsonify(
        {
            "items": [{"day": r.day.isoformat(), "working": r.working, "note": r.note} for r in rows],
            "total": len(rows),
        }
    )


def _day(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise NotFound(say("Not a date.")) from exc
    if not limits.in_window("planning", day):  # a path names a day the calendar can hold, or nothing
        raise NotFound(say("Not a date."))
    return day


@bp.put("/calendar/days/<day>")
@roles_required("admin")
@use_body(schemas.CalendarDaySchema)
@responds(200, answer.CALENDAR_DAY, path={"day": DATE})
def put_calendar_day(day: str, body):
    """Mark a day as a holiday (working false) or a make-up working day (working true)."""
    row = workdays.set_calendar_day(db.session, current_user, _day(day), body["working"], body.get("note"))
    db.session.commit()
    return jsonify({"day": row.day.isoformat(), "working": row.working, "note": row.note})


@bp.delete("/calendar/days/<day>")
@roles_required("admin")
@responds(204, path={"day": DATE})
def delete_calendar_day(day: str):
    """Back to the ordinary week."""
    workdays.clear_calendar_day(db.session, current_user, _day(day))
    db.session.commit()
    return no_content()


# --- the inbox and the calendar feed ---


@bp.get("/me/inbox")
@login_required
@responds(200, answer.INBOX)
def inbox():
    """The signed-in user's reminders, newest first, with the unread count."""
    page = paginate(db.session, reminders.inbox_statement(current_user.id), schemas.dump_reminder)
    return jsonify({**page, "unread": reminders.unread_count(db.session, current_user.id)})


@bp.post("/me/inbox/read")
@login_required
@use_body(schemas.InboxReadSchema)
@responds(200, answer.MARKED)
def inbox_read(body):
    """Mark reminders read (``{"ids": [...]}``, or all)."""
    count = reminders.mark_read(db.session, current_user.id, body["ids"])
    db.session.commit()
    return jsonify({"marked": count})


@bp.post("/me/calendar-feed")
@login_required
@responds(201, answer.FEED)
def create_feed():
    """A new private calendar feed URL (the previous one stops working)."""
    token = feeds.issue_feed(db.session, current_user)
    db.session.commit()
    return jsonify({"url": url_for("scheduling_feed.calendar_feed", token=token, _external=True)}), 201


@bp.delete("/me/calendar-feed")
@login_required
@responds(204)
def revoke_feed():
    """Revoke the calendar feed."""
    feeds.revoke_feeds(db.session, current_user)
    db.session.commit()
    return no_content()
