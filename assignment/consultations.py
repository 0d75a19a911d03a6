"""The front desk's consultation register (DESIGN.md "Front desk: consultations and complaints"):
registering a consultation, the register's list and search, a person's earlier consultations and
cases by phone, and registering an application from a consultation (linked both ways)."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from assignment import intake
from assignment.consultations_models import CHANNELS, OUTCOMES, Consultation, Station
from assignment.intake import CAUSES
from assignment.models import APPLICANT_CATEGORIES, Case
from assignment.roles import actor_id, require_role
from legalaid import audit, clock
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotAllowed, NotFound, say

# DESIGN.md §5: the desk (and coordinators) register; supervisors and admins read.
REGISTRARS = ("desk", "coordinator")
READERS = ("desk", "coordinator", "supervisor", "admin")
# The case cause list, and criminal defence (a criminal case's charge is typed at intake).
CONSULTATION_CAUSES = {**CAUSES, "criminal_defence": ("Criminal defence", "刑事辩护")}
# A desk clock a few minutes ahead of the server's is not "in the future".
CLOCK_SKEW = dt.timedelta(minutes=10)
MAX_DURATION_S = 24 * 3600
EARLIER_ROWS = 20


def normalise_phone(phone: str | None) -> str | None:
    """Digits only (a leading + kept): "138 0000-0000" and "13800000000" are one number."""
    if phone is None:
        return None
    text = phone.strip()
    digits = re.sub(r"\D", "", text)
    if not digits:
        return None
    return ("+" + digits) if text.startswith("+") else digits


def _check_input(session: Session, data: dict) -> None:
    problems: dict[str, list] = {}
    if data.get("channel") not in CHANNELS:
        problems["channel"] = [say("One of %(choices)s.", choices=", ".join(CHANNELS))]
    outcome = data.get("outcome")
    if outcome not in OUTCOMES:
        problems["outcome"] = [say("One of %(choices)s.", choices=", ".join(OUTCOMES))]
    elif outcome == "application_registered":
        problems["outcome"] = [
            say("This outcome is set when an application is registered from the consultation.")
        ]
    elif outcome == "referred" and not (data.get("referred_to") or "").strip():
        problems["referred_to"] = [say("Name where the person was referred.")]
    occurred_at = data.get("occurred_at")
    if occurred_at is None:
        problems["occurred_at"] = [say("Required.")]
    elif occurred_at > clock.now() + CLOCK_SKEW:
        problems["occurred_at"] = [say("In the future.")]
    station_id = data.get("station_id")
    if station_id is not None:
        station = session.get(Station, station_id)
        if station is None or not station.active:
            problems["station_id"] = [say("Unknown station.")]
    elif data.get("channel") == "workstation":
        problems["station_id"] = [say("Name the workstation.")]
    cause = data.get("cause")
    if cause and cause not in CONSULTATION_CAUSES:
        problems["cause"] = [say("Unknown cause; see GET /api/v1/causes.")]
    person = data.get("person") or {}
    unknown = set(person.get("categories") or ()) - set(APPLICANT_CATEGORIES)
    if unknown:
        problems["person.categories"] = [
            say("Unknown: %(categories)s.", categories=", ".join(sorted(unknown)))
        ]
    if person.get("phone") and normalise_phone(person["phone"]) is None:
        problems["person.phone"] = [say("A phone number has digits.")]
    for key in ("question", "answer"):
        if not (data.get(key) or "").strip():
            problems[key] = [say("Required.")]
    duration = data.get("duration_s")
    if duration is not None and not 0 <= duration <= MAX_DURATION_S:
        problems["duration_s"] = [say("From 0 to %(most)s seconds.", most=MAX_DURATION_S)]
    if problems:
        raise Invalid(say("The consultation is not valid."), fields=problems)


def register_consultation(session: Session, data: dict, actor) -> Consultation:
    """Record one consultation as the desk answered it (DESIGN.md "Consultation record")."""
    require_role(actor, *REGISTRARS)
    _check_input(session, data)
    person = data.get("person") or {}
    consultation = Consultation(
        occurred_at=data["occurred_at"],
        channel=data["channel"],
        station_id=data.get("station_id"),
        answered_by=actor_id(actor),
        person_name=(person.get("name") or "").strip() or None,
        person_phone=normalise_phone(person.get("phone")),
        person_categories=sorted(set(person.get("categories") or ())),
        cause=data.get("cause") or None,
        question=data["question"].strip(),
        answer=data["answer"].strip(),
        duration_s=data.get("duration_s"),
        outcome=data["outcome"],
        referred_to=(data.get("referred_to") or "").strip() or None
        if data["outcome"] == "referred"
        else None,
    )
    session.add(consultation)
    session.flush()
    audit.record(
        session,
        actor,
        "consultation.register",
        "consultation",
        consultation.id,
        None,
        {"channel": consultation.channel, "outcome": consultation.outcome, "cause": consultation.cause},
    )
    return consultation


def get_consultation(session: Session, consultation_id: int) -> Consultation:
    consultation = session.get(Consultation, consultation_id)
    if consultation is None:
        raise NotFound(say("No such consultation."))
    return consultation


def consultation_list_statement(
    *,
    from_: dt.date | None = None,
    to: dt.date | None = None,
    channel: str | None = None,
    outcome: str | None = None,
    station_id: int | None = None,
    cause: str | None = None,
    phone: str | None = None,
    q: str | None = None,
) -> sa.Select:
    """The register, newest first, filtered; ``from``/``to`` are the centre's days, both included."""
    stmt = sa.select(Consultation)
    if from_ is not None:
        stmt = stmt.where(Consultation.occurred_at >= clock.day_bounds(from_)[0])
    if to is not None:
        stmt = stmt.where(Consultation.occurred_at < clock.day_bounds(to)[1])
    for column, value in (
        (Consultation.channel, channel),
        (Consultation.outcome, outcome),
        (Consultation.station_id, station_id),
        (Consultation.cause, cause),
    ):
        if value:
            stmt = stmt.where(column == value)
    if phone and normalise_phone(phone):
        stmt = stmt.where(Consultation.person_phone == normalise_phone(phone))
    if q and q.strip():
        text = q.strip()  # "%" and "_" typed in a search are searched for, not wildcards
        if len(text) >= 2:
            stmt = stmt.where(HasTextPairs(text))  # PostgreSQL: the index finds the candidates
        stmt = stmt.where(
            sa.or_(
                *(
                    column.icontains(text, autoescape=True)
                    for column in (Consultation.question, Consultation.answer, Consultation.person_name)
                )
            )
        )
    return stmt.order_by(Consultation.occurred_at.desc(), Consultation.id.desc())


class HasTextPairs(ColumnElement[bool]):
    """On PostgreSQL: the consultation's text holds the pairs of adjacent characters of ``term``
    (served by the GIN index ``ix_consultation_text_pairs``, migration 0010), a necessary condition
    the ``ILIKE`` beside it makes exact. Elsewhere (SQLite) always true: ``LIKE`` alone decides.
    The expression is the index's own, so PostgreSQL's planner matches it."""

    type = sa.Boolean()
    inherit_cache = False

    def __init__(self, term: str):
        # Its first and last pair only: the planner multiplies the pairs' frequencies as if they were
        # independent, and with every pair of 工伤认定 (each in a seventh of the register, always
        # together) it would expect a handful of rows, fetch 140,000 through the index and sort them,
        # instead of walking the newest first and stopping at the page. ``ILIKE`` checks the rest.
        # A two-character term has one pair: named twice, the planner would count its frequency twice.
        self.first = sa.bindparam(None, term[:2], type_=sa.String)
        self.last = None if len(term) == 2 else sa.bindparam(None, term[-2:], type_=sa.String)


@compiles(HasTextPairs)
def _pairs_anywhere(element, compiler, **kw):
    return compiler.process(sa.true(), **kw)


@compiles(HasTextPairs, "postgresql")
def _pairs_postgresql(element, compiler, **kw):
    pairs = f"legalaid_char_pairs({compiler.process(element.first, **kw)})"
    if element.last is not None:
        pairs = f"({pairs} || legalaid_char_pairs({compiler.process(element.last, **kw)}))"
    return (
        "legalaid_char_pairs(COALESCE(consultation.person_name, '') || ' ' || consultation.question"
        f" || ' ' || consultation.answer) @> {pairs}"
    )


def earlier_by_phone(session: Session, phone: str | None, limit: int = EARLIER_ROWS) -> dict:
    """What the desk sees when a caller gives their number: their earlier consultations and the cases
    registered for that phone, newest first."""
    number = normalise_phone(phone)
    if number is None:
        return {"consultations": [], "cases": []}
    consultations = session.scalars(consultation_list_statement(phone=number).limit(limit)).all()
    typed = {number, phone.strip()} if phone else {number}
    cases = session.scalars(
        sa.select(Case)
        .where(Case.applicant_phone.in_(typed) | Case.contact_phone.in_(typed))
        .order_by(Case.received_on.desc(), Case.id.desc())
        .limit(limit)
    ).all()
    return {"consultations": list(consultations), "cases": list(cases)}


# --- from consultation to application ---


def application_prefill(consultation: Consultation) -> dict:
    """The intake fields a consultation already answers (name, phone, categories, cause, station)."""
    criminal = consultation.cause == "criminal_defence"
    station = consultation.station_id
    return {
        "case_type": "criminal" if criminal else "civil",
        "cause": None if criminal else consultation.cause,
        "received_on": clock.local_date(consultation.occurred_at),
        "intake_point": None if station is None else _station_name(consultation),
        "applicant": {
            "name": consultation.person_name,
            "phone": consultation.person_phone,
            "categories": list(consultation.person_categories or []),
        },
    }


def _station_name(consultation: Consultation) -> str | None:
    from sqlalchemy.orm import object_session

    station = object_session(consultation).get(Station, consultation.station_id)
    return station.name[:100] if station is not None else None


def merged_application(consultation: Consultation, data: dict) -> dict:
    """The body of ``POST /cases``: what the request gives, the consultation's answers for the rest."""
    prefill = application_prefill(consultation)
    merged = {**prefill, **{k: v for k, v in data.items() if v is not None and k != "applicant"}}
    applicant = dict(prefill["applicant"])
    for key, value in (data.get("applicant") or {}).items():
        if value not in (None, [], ""):
            applicant[key] = value
    merged["applicant"] = applicant
    return merged


def register_application(session: Session, consultation_id: int, data: dict, actor) -> Case:
    """Register a case from a consultation: prefilled, then linked both ways (the consultation's
    outcome becomes ``application_registered``). A consultation gives at most one case: the
    consultation row is locked, so of two clerks at once the second is refused (409)."""
    require_role(actor, *REGISTRARS)
    consultation = lock_row(session, Consultation, consultation_id)
    if consultation is None:
        raise NotFound(say("No such consultation."))
    if consultation.case_id is not None:
        raise NotAllowed(say("An application was already registered from this consultation."))
    case = intake.register_case(session, merged_application(consultation, data), actor, roles=REGISTRARS)
    before = {"outcome": consultation.outcome}
    consultation.case_id, consultation.outcome = case.id, "application_registered"
    audit.record(
        session,
        actor,
        "consultation.register_application",
        "consultation",
        consultation.id,
        before,
        {"outcome": consultation.outcome, "case_id": case.id},
    )
    return case


def consultation_of_case(session: Session, case_id: int) -> Consultation | None:
    """The consultation a case was registered from, if any (the link's other way)."""
    return session.scalar(sa.select(Consultation).where(Consultation.case_id == case_id))


# --- the register as a file ---

EXPORT_COLUMNS = [
    "id",
    "occurred_at",
    "channel",
    "station",
    "person_name",
    "phone",
    "categories",
    "cause",
    "question",
    "answer",
    "duration_s",
    "outcome",
    "referred_to",
    "case_number",
]
EXPORT_CHUNK = 2000


def _export_rows(session: Session, filters: dict):
    stmt = (
        consultation_list_statement(**filters)
        .outerjoin(Station, Station.id == Consultation.station_id)
        .outerjoin(Case, Case.id == Consultation.case_id)
        .with_only_columns(Consultation, Station.name, Case.number)
    )
    # A spreadsheet read in part (or a client that goes away) closes the generator: the ``with`` then
    # closes the streaming cursor at once instead of leaving it to the garbage collector.
    with session.execute(stmt.execution_options(yield_per=EXPORT_CHUNK)) as result:
        yield from _export_row_values(result)


def _export_row_values(result):
    from assignment.panel import mask

    for c, station, number in result:
        yield [
            c.id,
            c.occurred_at.astimezone(clock.centre_tz()).strftime("%Y-%m-%d %H:%M"),
            c.channel,
            station,
            c.person_name,
            mask(c.person_phone),
            " ".join(c.person_categories or []),
            c.cause,
            c.question,
            c.answer,
            c.duration_s,
            c.outcome,
            c.referred_to,
            number,
        ]


def register_count(session: Session, filters: dict) -> int:
    """How many consultations the register holds as filtered (the rows of its export)."""
    stmt = consultation_list_statement(**filters).order_by(None).with_only_columns(Consultation.id)
    return session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0


def register_export_kind():
    """The register as a file prepared in the background (1,000,000 consultations: 18 s and 105 MB
    written in a request): the same rows as ``export_register``."""
    from flask_babel import lazy_gettext as _l

    from assignment.consultations_schemas import ConsultationListArgs
    from legalaid.export_jobs import ExportKind

    return ExportKind(
        name="consultations",
        label=lambda: str(_l("Consultation register")),
        readers=READERS,
        filters=ConsultationListArgs,
        columns=EXPORT_COLUMNS,
        count=register_count,
        rows=_export_rows,
        stem=lambda f: "consultations",
        page="consultation_pages.register",
    )


def export_register(session: Session, actor, fmt: str, filters: dict):
    """The register as filtered, for a spreadsheet (phones masked); the export is audited."""
    from legalaid.exports import csv_stream, xlsx_file

    require_role(actor, *READERS)
    audit.record(
        session, actor, "consultation.export", "consultation", None, None,
        {"format": fmt, "filters": {k: str(v) for k, v in filters.items() if v}},
    )  # fmt: skip
    rows = _export_rows(session, filters)
    if fmt == "xlsx":
        return xlsx_file("consultations", EXPORT_COLUMNS, rows)
    return csv_stream(EXPORT_COLUMNS, rows)
