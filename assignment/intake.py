"""Intake: registering applications and notices, deciding them, missing materials, withdrawal, and
the statutory deadlines of each case (DESIGN.md §3 and §4). One function per transition."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.exc import UnmappedInstanceError

from assignment import labels
from assignment.deadlines import due_date, limits
from assignment.models import (
    APPLICANT_CATEGORIES,
    APPLICANT_SEXES,
    CASE_TYPES,
    MAX_SENTENCES,
    MEANS_TESTS,
    SOURCES,
    STAGES,
    Assignment,
    Case,
    CaseCounter,
)
from assignment.roles import actor_id, require_role
from assignment.station_cases import (
    decision_start,
    forwarding_deadline,
    judge_forwarding,
    station_columns,
    station_problems,
)
from legalaid import audit, clock
from legalaid.db import db, lock_for_update
from legalaid.errors import Invalid, NotAllowed, NotFound, say
from legalaid.models import CASE_STAFF

# API.md: the causes of non-criminal cases, published with labels at GET /api/v1/causes.
CAUSES = {
    "wage_arrears": ("Wage arrears", "追索劳动报酬"),
    "work_injury": ("Work injury compensation", "工伤赔偿"),
    "labour_contract": ("Labour contract dispute", "劳动合同纠纷"),
    "traffic_accident": ("Traffic accident", "交通事故赔偿"),
    "medical_dispute": ("Medical dispute", "医疗纠纷"),
    "marriage_family": ("Marriage and family", "婚姻家庭纠纷"),
    "maintenance": ("Maintenance and support", "赡养抚养扶养"),
    "inheritance": ("Inheritance", "继承纠纷"),
    "personal_injury": ("Personal injury", "人身损害赔偿"),
    "consumer": ("Consumer rights", "消费者权益"),
    "contract": ("Contract dispute", "合同纠纷"),
    "property": ("Property dispute", "物权纠纷"),
    "administrative_act": ("Administrative act", "行政行为"),
    "other": ("Other", "其他"),
}
CASE_TYPE_CODES = {"criminal": "XS", "civil": "MS", "administrative": "XZ", "non_litigation": "FS"}
# DESIGN.md §4 "who is green channel" (local practice, Law art. 42).
GREEN_CATEGORIES = {"disabled", "elderly", "minor", "service_member", "domestic_violence"}
GREEN_MIGRANT_CAUSES = {"wage_arrears", "work_injury"}

COORDINATOR = ("coordinator",)
CASE_READERS = CASE_STAFF


def is_green_channel(categories, cause: str, case_type: str) -> bool:
    """Priority handling: vulnerable applicants, or a migrant worker's wage or work-injury claim."""
    categories = set(categories or ())
    if categories & GREEN_CATEGORIES:
        return True
    return "migrant_worker" in categories and case_type != "criminal" and cause in GREEN_MIGRANT_CAUSES


def case_number(session: Session, year: int, case_type: str) -> tuple[int, str]:
    """The next sequence and case number for (year, type), e.g. ``2026-MS-00042``: gapless, the
    counter row is locked until commit. Every case row gets its number here."""
    seq = _next_case_number(session, year, case_type)
    return seq, f"{year}-{CASE_TYPE_CODES[case_type]}-{seq:05d}"


def _next_case_number(session: Session, year: int, case_type: str) -> int:
    """The next number for (year, type), gapless: the counter row is locked until commit."""
    table = CaseCounter.__table__
    if session.get_bind().dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    session.execute(
        insert(table).values(year=year, case_type=case_type, last_number=0).on_conflict_do_nothing()
    )
    counter = session.scalars(
        lock_for_update(
            sa.select(CaseCounter).where(CaseCounter.year == year, CaseCounter.case_type == case_type)
        ).execution_options(populate_existing=True)
    ).one()
    counter.last_number += 1
    return counter.last_number


def _check_case_input(session: Session, data: dict) -> None:
    problems: dict[str, list[str]] = {}
    case_type = data.get("case_type")
    criminal = case_type == "criminal"
    if case_type not in CASE_TYPES:
        problems["case_type"] = [say("One of %(choices)s.", choices=", ".join(CASE_TYPES))]
    cause = (data.get("cause") or "").strip()
    if not cause:
        problems["cause"] = [say("Required.")]
    elif not criminal and cause not in CAUSES:
        problems["cause"] = [say("Unknown cause; see GET /api/v1/causes.")]
    applicant = data.get("applicant") or {}
    for key in ("name", "id_number"):
        if not (applicant.get(key) or "").strip():
            problems[f"applicant.{key}"] = [say("Required.")]
    unknown = set(applicant.get("categories") or ()) - set(APPLICANT_CATEGORIES)
    if unknown:
        problems["applicant.categories"] = [
            say("Unknown: %(categories)s.", categories=", ".join(sorted(unknown)))
        ]
    if applicant.get("sex") not in (None, *APPLICANT_SEXES):
        problems["applicant.sex"] = [say("One of %(choices)s.", choices=", ".join(APPLICANT_SEXES))]
    if data.get("received_on") is None:
        problems["received_on"] = [say("Required.")]
    elif data["received_on"] > clock.today():
        problems["received_on"] = [say("In the future.")]
    if not criminal:
        for key in ("stage", "max_sentence"):
            if data.get(key):
                problems[key] = [say("Only for criminal cases.")]
        if data.get("source") == "notification":
            problems["source"] = [say("Only criminal cases are notified (Law arts. 25, 36).")]
    if data.get("stage") and data["stage"] not in STAGES:
        problems["stage"] = [say("One of %(choices)s.", choices=", ".join(STAGES))]
    if data.get("max_sentence") and data["max_sentence"] not in MAX_SENTENCES:
        problems["max_sentence"] = [say("life or death.")]
    if data.get("source", "application") not in SOURCES:
        problems["source"] = [say("One of %(choices)s.", choices=", ".join(SOURCES))]
    if (data.get("group_size") or 1) < 1:
        problems["group_size"] = [say("At least 1.")]
    for key in ("previous_case_id", "opposing_case_id"):
        if data.get(key) is not None and session.get(Case, data[key]) is None:
            problems[key] = [say("Unknown case.")]
    problems.update(station_problems(session, data))
    if problems:
        raise Invalid(say("The application is not valid."), fields=problems)


def register_case(session: Session, data: dict, actor, *, roles: tuple[str, ...] = COORDINATOR) -> Case:
    """Register an application (``applied``) or a police/procuratorate/court notice of a criminal
    case (``accepted`` at once, no means test: Law arts. 25, 36). Numbered per year and type.
    ``roles``: who may register it (the front desk too, from a consultation: DESIGN.md §5)."""
    require_role(actor, *roles)
    _check_case_input(session, data)
    applicant = data["applicant"]
    case_type, received_on = data["case_type"], data["received_on"]
    cause = data["cause"].strip()
    categories = sorted(set(applicant.get("categories") or ()))
    notified = data.get("source") == "notification"
    seq, number = case_number(session, received_on.year, case_type)
    contact = data.get("contact") or {}
    case = Case(
        number=number,
        year=received_on.year,
        seq=seq,
        case_type=case_type,
        cause=cause,
        status="accepted" if notified else "applied",
        received_on=received_on,
        source="notification" if notified else "application",
        applicant_name=applicant["name"].strip(),
        applicant_id_number=applicant["id_number"].strip(),
        applicant_phone=applicant.get("phone"),
        applicant_categories=categories,
        applicant_sex=applicant.get("sex") or None,
        contact_name=contact.get("name"),
        contact_phone=contact.get("phone"),
        opposing_party=(data.get("opposing_party") or "").strip() or None,
        group_size=data.get("group_size") or 1,
        major=bool(data.get("major")),
        max_sentence=data.get("max_sentence") if case_type == "criminal" else None,
        juvenile=bool(data.get("juvenile")),
        stage=(data.get("stage") or "trial") if case_type == "criminal" else None,
        previous_case_id=data.get("previous_case_id"),
        opposing_case_id=data.get("opposing_case_id"),
        green_channel=is_green_channel(categories, cause, case_type),
        decided_on=received_on if notified else None,
        created_by=actor_id(actor),
        **station_columns(session, data),  # intake point, station, both receipts, detained
    )
    judge_forwarding(session, case)  # taken at a station and already received by the centre
    session.add(case)
    session.flush()
    audit.record(
        session,
        actor,
        "case.register",
        "case",
        case.id,
        None,
        {
            "number": case.number,
            "status": case.status,
            "case_type": case_type,
            "source": case.source,
            "station_id": case.station_id,
            "detained": case.detained,
        },
    )
    return case


def get_case(session: Session, case_id: int, actor=None, *, for_update: bool = False) -> Case:
    """A case, if the actor may see it: staff see all; a provider only a case whose live assignment
    is theirs (offered, or accepted: in progress, closed or archived). A provider whose assignment was
    declined, expired or replaced no longer sees the case, its client or its new provider."""
    stmt = sa.select(Case).where(Case.id == case_id)
    if for_update:
        stmt = lock_for_update(stmt).execution_options(populate_existing=True)
    case = session.scalars(stmt).one_or_none()
    if case is None:
        raise NotFound(say("No such case."))
    if actor is not None and not actor.has_role(*CASE_READERS):
        mine = actor.provider_id is not None and session.scalar(
            sa.select(Assignment.id).where(
                Assignment.case_id == case.id,
                Assignment.provider_id == actor.provider_id,
                Assignment.live.is_(True),
            )
        )
        if not mine:
            raise NotFound(say("No such case."))
    return case


def _require_status(case: Case, *statuses: str, doing: str) -> None:
    if case.status not in statuses:
        values = {"number": case.number, "status": labels.case_status(case.status)}
        messages = {  # one whole sentence per transition, for the translators
            "decided": say("Case %(number)s is %(status)s; it cannot be decided now.", **values),
            "sent a materials request": say(
                "Case %(number)s is %(status)s; it cannot be sent a materials request now.", **values
            ),
            "marked as supplied": say(
                "Case %(number)s is %(status)s; it cannot be marked as supplied now.", **values
            ),
            "withdrawn": say("Case %(number)s is %(status)s; it cannot be withdrawn now.", **values),
        }
        raise NotAllowed(messages[doing])


def waiver_ground(case: Case) -> str | None:
    """The Law art. 42 ground the applicant's categories give for waiving the means test, if any:
    minors, the elderly and the disabled, and migrant workers claiming wages or work-injury compensation
    (people on public support name their proof)."""
    categories = set(case.applicant_categories or ())
    if "migrant_worker" in categories and case.cause in ("wage_arrears", "work_injury"):
        return "art. 42: migrant worker claiming wages or work-injury compensation"
    for category in ("minor", "elderly", "disabled"):
        if category in categories:
            return f"art. 42: {category}"
    return None


def decide_application(
    session: Session,
    case: Case,
    actor,
    *,
    approved: bool,
    means_test: str | None = None,
    means_test_proof: str | None = None,
    reason: str | None = None,
    on: dt.date | None = None,
) -> Case:
    """Approve (``accepted``, recording the means-test basis: exempt art. 32, waived art. 42 with the
    proof named, or checked) or reject with a written reason (``rejected``). Law arts. 32, 42, 43."""
    require_role(actor, *COORDINATOR)
    _require_status(case, "applied", doing="decided")
    on = on or clock.today()
    before = {"status": case.status}
    if approved:
        means_test = means_test or "checked"
        if means_test not in MEANS_TESTS:
            raise Invalid(
                say("Unknown means-test basis."),
                fields={"means_test": [say("One of %(choices)s.", choices=", ".join(MEANS_TESTS))]},
            )
        if means_test == "waived":
            means_test_proof = (means_test_proof or "").strip() or waiver_ground(case)
            if not means_test_proof:
                raise Invalid(
                    say(
                        "A waived means test names its proof (Law art. 42); none of the applicant's "
                        "categories is a ground for waiving it."
                    ),
                    fields={"means_test_proof": [say("Name the proof, or choose 'checked' or 'exempt'.")]},
                )
        case.status, case.means_test, case.means_test_proof = "accepted", means_test, means_test_proof
    else:
        if not (reason or "").strip():
            raise Invalid(say("A rejection needs a written reason."), fields={"reason": [say("Required.")]})
        case.status, case.rejection_reason = "rejected", reason.strip()
    case.decided_on, case.decided_by = on, actor_id(actor)
    audit.record(
        session,
        actor,
        "case.decide",
        "case",
        case.id,
        before,
        {"status": case.status, "means_test": case.means_test, "reason": case.rejection_reason},
    )
    return case


def request_materials(
    session: Session, case: Case, missing: list[str], actor, *, supply_by: dt.date | None = None, on=None
) -> Case:
    """One notice listing everything missing; the decision clock pauses until they are supplied or
    the supply period (default 15 days) lapses (Law art. 43)."""
    require_role(actor, *COORDINATOR)
    _require_status(case, "applied", doing="sent a materials request")
    if case.materials_requested_on is not None:
        raise NotAllowed(say("Missing materials were already requested once; one notice lists everything."))
    missing = [m.strip() for m in missing if m and m.strip()]
    if not missing:
        raise Invalid(say("List what is missing."), fields={"missing": [say("At least one item.")]})
    on = on or clock.today()
    supply_by = supply_by or on + dt.timedelta(days=limits()["materials_supply_days"])
    if supply_by < on:
        raise Invalid(say("The supply date is in the past."), fields={"supply_by": [say("In the past.")]})
    case.status = "pending_materials"
    case.materials_missing, case.materials_requested_on, case.materials_supply_by = missing, on, supply_by
    audit.record(
        session, actor, "case.request_materials", "case", case.id, {"status": "applied"},
        {"status": case.status, "missing": missing, "supply_by": supply_by},
    )  # fmt: skip
    return case


def supply_materials(session: Session, case: Case, actor, *, on: dt.date | None = None) -> Case:
    """The applicant handed in the missing materials: back to ``applied``; the clock resumes."""
    require_role(actor, *COORDINATOR)
    _require_status(case, "pending_materials", doing="marked as supplied")
    on = on or clock.today()
    case.paused_days += max((on - case.materials_requested_on).days, 0)
    case.status = "applied"
    audit.record(
        session, actor, "case.supply_materials", "case", case.id, {"status": "pending_materials"},
        {"status": "applied", "paused_days": case.paused_days},
    )  # fmt: skip
    return case


def withdraw_case(session: Session, case: Case, actor, *, reason: str | None = None) -> Case:
    """The applicant withdraws (or the supply period lapsed) before any provider took the case."""
    require_role(actor, *COORDINATOR)
    _require_status(case, "applied", "pending_materials", "accepted", doing="withdrawn")
    before = {"status": case.status}
    case.status, case.withdrawn_reason = "withdrawn", (reason or "").strip() or None
    audit.record(
        session, actor, "case.withdraw", "case", case.id, before, {"status": "withdrawn", "reason": reason}
    )
    return case


def lapse_overdue_material_requests(session: Session, today: dt.date) -> list[Case]:
    """Withdraw every case whose missing materials were not supplied by the supply date (Law art.
    43). Run daily by the scheduler and by ``legalaid cases lapse-materials``."""
    overdue = session.scalars(
        lock_for_update(
            sa.select(Case).where(Case.status == "pending_materials", Case.materials_supply_by < today)
        ).order_by(Case.id)
    ).all()
    for case in overdue:
        withdraw_case(session, case, None, reason="missing materials not supplied in time")
    return overdue


# --- deadlines ---


def _deadline(due: dt.date | None, done: dt.date | None, today: dt.date, paused: bool = False) -> dict:
    if paused:
        state = "paused"
    elif done is not None:
        state = "done" if due is None or done <= due else "done_late"
    else:
        state = "overdue" if due is not None and today > due else "open"
    return {"due_on": due, "done_on": done, "state": state}


def _session_of(case) -> Session:
    """The case's session; the provider's lean list passes plain rows, read in the request's session."""
    try:
        session = object_session(case)
    except UnmappedInstanceError:
        session = None
    return session or db.session


def case_deadlines(case: Case, today: dt.date | None = None) -> dict:
    """The statutory deadlines of a case as they stand (DESIGN.md §4), counted by the one calculator
    (``assignment.deadlines``, calendar or working days): decision 7 days from receipt (paused while
    materials are awaited), assignment 3 days after approval or notice, acceptance by the provider,
    retainer 5 days after assignment."""
    session = _session_of(case)
    # The time zone and the limits are read once for the case, not once per deadline.
    tz = clock.centre_tz()
    table = limits()

    def local(moment: dt.datetime) -> dt.date:
        return moment.astimezone(tz).date()

    centre_today = local(clock.now())
    today = today or centre_today
    out: dict[str, dict] = {}
    if case.station_received_at is not None:
        forwarding = forwarding_deadline(
            session, case, None if today == centre_today else clock.day_bounds(today)[1]
        )
        if forwarding is not None:
            out["forwarding"] = forwarding
    if case.source == "application":
        pending = case.status == "pending_materials"
        start = decision_start(case)  # the centre's receipt; none while the station still has it
        due = due_date(session, "decision", start, case.paused_days or 0, table=table) if start else None
        out["decision"] = _deadline(None if pending else due, case.decided_on, today, paused=pending)
        if pending:
            out["materials_supply"] = _deadline(case.materials_supply_by, None, today)
    assignment = case.current_assignment
    if case.decided_on is not None and case.status not in ("rejected",):
        due = due_date(session, "assignment", case.decided_on, table=table)
        done = local(assignment.assigned_at) if assignment is not None else None
        if done is not None or case.status == "accepted":
            out["assignment"] = _deadline(due, done, today)
    if assignment is not None:
        assigned_on = local(assignment.assigned_at)
        accepted = local(assignment.accepted_at) if assignment.accepted_at else None
        out["acceptance"] = _deadline(local(assignment.respond_by), accepted, today)
        out["retainer"] = _deadline(due_date(session, "retainer", assigned_on, table=table), None, today)
    return out


CASE_CURSOR = re.compile(r"^([01])\.(\d{4}-\d{2}-\d{2})\.(\d{1,10})$")


def case_cursor(text: str | None) -> tuple[bool, dt.date, int] | None:
    """A place in the case list (``green.received_on.id``, what ``next`` gives); None when ``text`` is
    not one."""
    found = CASE_CURSOR.match(text or "")
    if found is None:
        return None
    try:
        return found[1] == "1", dt.date.fromisoformat(found[2]), int(found[3])
    except ValueError:
        return None


def cursor_of(case: Case) -> str:
    """The place after ``case`` in the case list."""
    return f"{int(bool(case.green_channel))}.{case.received_on.isoformat()}.{case.id}"


def case_list_statement(
    *,
    status: str | None = None,
    case_type: str | None = None,
    q: str | None = None,
    green_channel=None,
    after: tuple[bool, dt.date, int] | None = None,
) -> sa.Select:
    """Cases for the lists: green-channel cases first (assigned before non-priority cases), then by
    receipt. ``after`` (``case_cursor``): only the cases after that place, read along the list's
    index (keyset paging: a deep page costs what the first does)."""
    stmt = sa.select(Case)
    if after is not None:
        green, received_on, case_id = after
        later = sa.and_(
            Case.green_channel.is_(green),
            sa.tuple_(Case.received_on, Case.id) > sa.tuple_(sa.literal(received_on), sa.literal(case_id)),
        )
        stmt = stmt.where(sa.or_(later, Case.green_channel.is_(False)) if green else later)
    if status:
        stmt = stmt.where(Case.status == status)
    if case_type:
        stmt = stmt.where(Case.case_type == case_type)
    if green_channel is not None:
        stmt = stmt.where(Case.green_channel.is_(green_channel))
    if q and q.strip():
        from assignment.case_search import case_matches  # number / phone prefix, names (issue 16)

        stmt = stmt.where(case_matches(q))
    # Served by ix_legal_case_list_order / ix_legal_case_status_order on PostgreSQL (migration 0018).
    return stmt.order_by(Case.green_channel.desc(), Case.received_on, Case.id)
