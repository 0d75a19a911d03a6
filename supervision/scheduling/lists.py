"""The long lists of scheduling, paged, sorted and filtered the same way on the page and in the API
(legalaid.listing): hearings, observations, follow-up calls and red flags.

Each list has its sort keys (``*_SORTS``), its API query schema (``*ListArgs``), its page's filter form
(``*FilterForm``) and one function that filters a statement with the arguments either of them loaded,
so the page and the API cannot disagree on what a filter means."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import fields, validate
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from assignment.models import Case, Provider
from legalaid import clock, limits, listing
from legalaid.listing import Sorts, contains
from legalaid.models import User, UserRole
from supervision.scheduling.deadlines import DEADLINES
from supervision.scheduling.labels import STATUS_LABELS
from supervision.scheduling.models import FollowUpCall, Hearing, Observation, RedFlag

HEARING_STATES = ("scheduled", "held", "cancelled")
OBSERVATION_STATES = ("unassigned", "scheduled", "reported", "cancelled")
CALL_STATES = ("planned", "retrying", "done", "unreachable", "cancelled")
CALL_PURPOSES = ("after_assignment", "after_hearing", "after_closing")
FLAG_STATES = ("open", "confirmed", "dismissed")


def _case_number(model):
    return sa.select(Case.number).where(Case.id == model.case_id).scalar_subquery()


def _of_cases_numbered(model, text: str | None):
    clause = contains(Case.number, text)
    return None if clause is None else model.case_id.in_(sa.select(Case.id).where(clause))


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=clock.centre_tz())


def _between(column, first: dt.date | None, last: dt.date | None) -> list:
    """A time column within the centre's days ``first`` .. ``last`` (both included)."""
    out = []
    if first is not None:
        out.append(column >= _day_start(first))
    if last is not None:
        out.append(column < _day_start(last + dt.timedelta(days=1)))
    return out


def _where(stmt: sa.Select, *clauses) -> sa.Select:
    kept = [c for c in clauses if c is not None]
    return stmt.where(*kept) if kept else stmt


def _status_choices(codes, everything=_l("All states")):
    return [SelectChoice("", everything)] + [SelectChoice(code, STATUS_LABELS[code]) for code in codes]


class _ListArgs(ma.Schema):
    q = fields.String(load_default=None, validate=validate.Length(max=100))


# --- hearings ---

HEARING_SORTS = Sorts(
    {
        "starts_at": Hearing.starts_at,
        "case": _case_number(Hearing),
        "court": Hearing.court,
        "status": Hearing.status,
        "id": Hearing.id,
    },
    tie=Hearing.id,
    default="starts_at",
)
HEARING_SORT_LABELS = {
    "starts_at": _l("When"),
    "case": _l("Case"),
    "court": _l("Court"),
    "status": _l("Status"),
    "id": _l("Hearing"),
}


class HearingListArgs(_ListArgs):
    """``GET /hearings``: a case, a state (``held``: a scheduled hearing that has started), the days it
    starts on, a case number or court holding ``q``, and the order."""

    case_id = limits.Int(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(HEARING_STATES))
    starts_from = limits.Date(load_default=None, window="planning")
    starts_to = limits.Date(load_default=None, window="planning")
    sort = HEARING_SORTS.field()


class HearingFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Case number or court"), validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), choices=_status_choices(HEARING_STATES), validators=[Optional()])
    starts_from = DateField(_l("From"), validators=[Optional(), limits.InWindow("planning")])
    starts_to = DateField(_l("To"), validators=[Optional(), limits.InWindow("planning")])
    sort = HEARING_SORTS.select()


def filter_hearings(stmt: sa.Select, args: dict) -> sa.Select:
    now = clock.now()
    status = args.get("status")
    state = {
        "scheduled": sa.and_(Hearing.status == "scheduled", Hearing.starts_at > now),
        "held": sa.and_(Hearing.status == "scheduled", Hearing.starts_at <= now),
        "cancelled": Hearing.status == "cancelled",
    }.get(status or "")
    q = (args.get("q") or "").strip()
    text = None
    if q:
        text = sa.or_(_of_cases_numbered(Hearing, q), contains(Hearing.court, q))
    stmt = _where(
        stmt, state, text, *_between(Hearing.starts_at, args.get("starts_from"), args.get("starts_to"))
    )
    # Each row's observation is read with the page (one statement), not row by row.
    return HEARING_SORTS.apply(stmt.options(selectinload(Hearing.observation)), args.get("sort"))


# --- observations ---

OBSERVATION_SORTS = Sorts(
    {
        "starts_at": Observation.starts_at,
        "case": _case_number(Observation),
        "observer": sa.select(sa.func.coalesce(User.display_name, User.username))
        .where(User.id == Observation.observer_id)
        .scalar_subquery(),
        "status": Observation.status,
        "id": Observation.id,
    },
    tie=Observation.id,
    default="starts_at",
)
OBSERVATION_SORT_LABELS = {
    "starts_at": _l("When"),
    "case": _l("Case"),
    "observer": _l("Observer"),
    "status": _l("Status"),
    "id": _l("Observation"),
}


class ObservationListArgs(_ListArgs):
    status = fields.String(load_default=None, validate=validate.OneOf(OBSERVATION_STATES))
    observer_id = limits.Int(load_default=None)
    case_id = limits.Int(load_default=None)
    starts_from = limits.Date(load_default=None, window="planning")
    starts_to = limits.Date(load_default=None, window="planning")
    sort = OBSERVATION_SORTS.field()


class ObservationFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Case number"), validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), choices=_status_choices(OBSERVATION_STATES), validators=[Optional()])
    mine = BooleanField(_l("Only mine"))
    starts_from = DateField(_l("From"), validators=[Optional(), limits.InWindow("planning")])
    starts_to = DateField(_l("To"), validators=[Optional(), limits.InWindow("planning")])
    sort = OBSERVATION_SORTS.select()


def filter_observations(stmt: sa.Select, args: dict) -> sa.Select:
    stmt = _where(
        stmt,
        _of_cases_numbered(Observation, args.get("q")),
        *_between(Observation.starts_at, args.get("starts_from"), args.get("starts_to")),
    )
    return OBSERVATION_SORTS.apply(stmt, args.get("sort"))


# --- follow-up calls ---

CALL_SORTS = Sorts(
    {
        "due_on": FollowUpCall.due_on,
        "case": _case_number(FollowUpCall),
        "purpose": FollowUpCall.purpose,
        "status": FollowUpCall.status,
        "id": FollowUpCall.id,
    },
    tie=FollowUpCall.id,
    default="due_on",
)
CALL_SORT_LABELS = {
    "due_on": _l("Due"),
    "case": _l("Case"),
    "purpose": _l("Purpose"),
    "status": _l("Status"),
    "id": _l("Call"),
}


class FollowUpListArgs(_ListArgs):
    """``GET /follow-ups``: ``due_before`` (inclusive) as before, and the due days, purpose, case
    number and order."""

    case_id = limits.Int(load_default=None)
    due_before = limits.Date(load_default=None, window="planning")
    due_from = limits.Date(load_default=None, window="planning")
    due_to = limits.Date(load_default=None, window="planning")
    caller_id = limits.Int(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(CALL_STATES))
    purpose = fields.String(load_default=None, validate=validate.OneOf(CALL_PURPOSES))
    sort = CALL_SORTS.field()


def _purpose_choices():
    from supervision.scheduling.labels import purpose_label

    return [SelectChoice("", _l("All purposes"))] + [
        SelectChoice(code, LazyString(purpose_label, code)) for code in CALL_PURPOSES
    ]


class CallFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Case number"), validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), choices=_status_choices(CALL_STATES), validators=[Optional()])
    purpose = SelectField(_l("Purpose"), choices=_purpose_choices(), validators=[Optional()])
    mine = BooleanField(_l("Only mine"))
    # The supervisors to choose from are set by the page (``caller_choices``).
    caller_id = SelectField(_l("Caller"), choices=[SelectChoice("", "")], validators=[Optional()])
    due_from = DateField(_l("Due from"), validators=[Optional(), limits.InWindow("planning")])
    due_to = DateField(_l("Due to"), validators=[Optional(), limits.InWindow("planning")])
    sort = CALL_SORTS.select()


def caller_choices(session) -> list[SelectChoice]:
    """The supervisors a call list can be narrowed to (one statement)."""
    rows = session.execute(
        sa.select(User.id, sa.func.coalesce(User.display_name, User.username))
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "supervisor", User.active.is_(True))
        .distinct()
        .order_by(User.id)
    )
    return [SelectChoice("", _l("All callers"))] + [SelectChoice(str(uid), name) for uid, name in rows]


def filter_calls(stmt: sa.Select, args: dict) -> sa.Select:
    due_from, due_to = args.get("due_from"), args.get("due_to")
    stmt = _where(
        stmt,
        _of_cases_numbered(FollowUpCall, args.get("q")),
        FollowUpCall.purpose == args["purpose"] if args.get("purpose") else None,
        FollowUpCall.due_on >= due_from if due_from else None,
        FollowUpCall.due_on <= due_to if due_to else None,
    )
    return CALL_SORTS.apply(stmt.options(selectinload(FollowUpCall.attempts)), args.get("sort"))


# --- red flags ---

FLAG_SORTS = Sorts(
    {
        "raised_at": RedFlag.raised_at,
        "case": _case_number(RedFlag),
        "provider": sa.select(Provider.name).where(Provider.id == RedFlag.provider_id).scalar_subquery(),
        "status": RedFlag.status,
        "id": RedFlag.id,
    },
    tie=RedFlag.id,
)
FLAG_SORT_LABELS = {
    "raised_at": _l("Raised"),
    "case": _l("Case"),
    "provider": _l("Provider"),
    "status": _l("Status"),
    "id": _l("Red flag"),
}


class RedFlagListArgs(_ListArgs):
    case_id = limits.Int(load_default=None)
    provider_id = limits.Int(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(FLAG_STATES))
    raised_from = limits.Date(load_default=None, window="planning")
    raised_to = limits.Date(load_default=None, window="planning")
    sort = FLAG_SORTS.field()


class RedFlagFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Case number or provider"), validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), choices=_status_choices(FLAG_STATES), validators=[Optional()])
    raised_from = DateField(_l("Raised from"), validators=[Optional(), limits.InWindow("planning")])
    raised_to = DateField(_l("Raised to"), validators=[Optional(), limits.InWindow("planning")])
    sort = FLAG_SORTS.select()


def red_flags_statement(args: dict) -> sa.Select:
    """Red flags, the open ones first then the newest, unless ``sort`` asks otherwise."""
    stmt = sa.select(RedFlag).order_by(RedFlag.status != "open", RedFlag.raised_at.desc(), RedFlag.id.desc())
    q = (args.get("q") or "").strip()
    text = None
    if q:
        text = sa.or_(
            _of_cases_numbered(RedFlag, q),
            RedFlag.provider_id.in_(sa.select(Provider.id).where(contains(Provider.name, q))),
        )
    stmt = _where(
        stmt,
        RedFlag.case_id == args["case_id"] if args.get("case_id") is not None else None,
        RedFlag.provider_id == args["provider_id"] if args.get("provider_id") is not None else None,
        RedFlag.status == args["status"] if args.get("status") else None,
        text,
        *_between(RedFlag.raised_at, args.get("raised_from"), args.get("raised_to")),
    )
    return FLAG_SORTS.apply(stmt, args.get("sort"))


# --- deadlines ---

DEADLINE_SORTS = ("due_on", "-due_on")
WITHIN_DAYS = 366  # "due within N days": at most a year ahead


class DeadlineListArgs(ma.Schema):
    """``GET /deadlines``: the limit (``deadline``), ``overdue`` only, due ``within`` N days of today,
    the due days ``due_from`` / ``due_to``, and the order (``due_on``: most overdue first)."""

    deadline = fields.String(load_default=None, validate=validate.OneOf(tuple(DEADLINES)))
    overdue = fields.Boolean(load_default=None)
    within = limits.Int(load_default=None, validate=validate.Range(min=0, max=WITHIN_DAYS))
    due_from = limits.Date(load_default=None, window="planning")
    due_to = limits.Date(load_default=None, window="planning")
    sort = fields.String(load_default=None, validate=validate.OneOf(DEADLINE_SORTS))


def _deadline_choices():
    return [SelectChoice("", _l("All deadlines"))] + [
        SelectChoice(code, label) for code, label in DEADLINES.items()
    ]


class DeadlineFilterForm(FlaskForm):
    class Meta:
        csrf = False

    deadline = SelectField(_l("Deadline"), choices=_deadline_choices(), validators=[Optional()])
    overdue = BooleanField(_l("Only overdue"))
    within = IntegerField(
        _l("Due within (days)"), validators=[Optional(), NumberRange(min=0, max=WITHIN_DAYS)]
    )
    due_from = DateField(_l("Due from"), validators=[Optional(), limits.InWindow("planning")])
    due_to = DateField(_l("Due to"), validators=[Optional(), limits.InWindow("planning")])
    sort = SelectField(
        _l("Order"),
        choices=[
            SelectChoice("", _l("Most overdue first")),
            SelectChoice("due_on", _l("Earliest due first")),
            SelectChoice("-due_on", _l("Latest due first")),
        ],
        validators=[Optional()],
    )


def deadline_range(args: dict, today: dt.date) -> tuple[dt.date | None, dt.date]:
    """The due days a deadline list asks for: due today or earlier unless ``due_to`` or ``within``
    says how far ahead; ``overdue``: before today."""
    last = args.get("due_to") or today
    if args.get("within") is not None:
        ahead = today + dt.timedelta(days=args["within"])
        last = min(last, ahead) if args.get("due_to") else ahead
    if args.get("overdue"):
        last = min(last, today - dt.timedelta(days=1))
    return args.get("due_from"), last


# --- the day's call list ---

DUE_COUNT_CAP = 1_000  # the day's call list counts this far ("more than")


def daily_call_page(
    session, day: dt.date, caller_id: int, *, param: str = "due_page", per_page: int | None = None
) -> listing.Page:
    """One page of the day's call list (``calls.daily_call_list``: due on ``day`` or overdue and not
    done, the caller's own first), read as runs off the (state, due day) index in (due day, id)
    order: the caller's own, then the colleagues', for each open state, merged; each run reads at most
    the rows up to the end of the page, and the count stops at ``DUE_COUNT_CAP``. The same five
    statements whatever the page or the data size."""
    from supervision.scheduling.calls import OPEN, calls_statement

    per_page = per_page or current_app.config.get("LIST_PAGE_SIZE", listing.PAGE_SIZE)
    asked = limits.int_arg(request.args, param, 1, minimum=1)
    due = calls_statement(due_before=day, open_only=True)
    total, capped = listing.capped_count(session, due, max(DUE_COUNT_CAP, asked * per_page))
    pages = max(1, -(-total // per_page))
    page = min(asked, pages)
    start, end = (page - 1) * per_page, page * per_page

    def run(who) -> list[FollowUpCall]:
        found = [
            call
            for state in OPEN
            for call in session.scalars(due.where(who, FollowUpCall.status == state).limit(end))
        ]
        return sorted(found, key=lambda c: (c.due_on, c.id))

    mine = FollowUpCall.caller_id == caller_id
    rows = run(mine)[:end] + run(sa.or_(~mine, FollowUpCall.caller_id.is_(None)))
    return listing.Page(rows[start:end], total, page, pages, listing.page_query(param), capped)
