"""The subsidy lifecycle (DESIGN.md §4): pending when the provider accepts → payable when archived →
batched → paid; cancelled on reassignment; held and released with a reason; reversed by a new
negative entry. One function per transition."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.deadlines import limits
from assignment.models import Assignment, Case, Provider
from assignment.roles import require_role
from legalaid import audit, clock, listing
from legalaid.db import lock_for_update
from legalaid.errors import Invalid, NotAllowed, NotFound, joined, say
from supervision.subsidies.archive import archive_missing_many
from supervision.subsidies.labels import subsidy_status
from supervision.subsidies.models import ArchiveRecord, Subsidy
from supervision.subsidies.prerequisites import ClosingFacts, ScoreFacts
from supervision.subsidies.rates import compute_subsidy
from supervision.subsidies.reasons import (
    REASSIGNED,
    TOOK_MONEY_CONFIRMED,
    ZERO_BY_RULE,
    coded,
    keeping_typed,
    typed_reason,
    words,
)

HOLDERS = ("supervisor",)
REVERSERS = ("finance",)
READERS = ("finance", "supervisor", "admin")

# A zero subsidy is closed (status ``cancelled``, with its archive record and amount 0) with its reason
# (``reasons``: stored as a code, read in words); nothing is queued for payment at ¥0.00.


def _summary(subsidy: Subsidy) -> dict:
    return {
        "status": subsidy.status,
        "amount_fen": subsidy.amount_fen,
        "archive_id": subsidy.archive_id,
        "batch_id": subsidy.batch_id,
        "held_from": subsidy.held_from,
    }


def _lock(session: Session, subsidy_id: int) -> Subsidy:
    subsidy = session.scalars(
        lock_for_update(sa.select(Subsidy).where(Subsidy.id == subsidy_id)).execution_options(
            populate_existing=True
        )
    ).one_or_none()
    if subsidy is None:
        raise NotFound(say("No such subsidy."))
    return subsidy


def get_subsidy(session: Session, subsidy_id: int, actor=None) -> Subsidy:
    """A subsidy, if the actor may see it: staff who handle subsidies, or the provider it pays."""
    subsidy = session.get(Subsidy, subsidy_id)
    if subsidy is None:
        raise NotFound(say("No such subsidy."))
    if (
        actor is not None
        and not actor.has_role(*READERS)
        and (actor.provider_id is None or actor.provider_id != subsidy.provider_id)
    ):
        raise NotFound(say("No such subsidy."))
    return subsidy


def create_pending_subsidy(session: Session, actor, assignment: Assignment) -> Subsidy:
    """The provider accepted the assignment: the subsidy exists from now on, pending."""
    existing = session.scalar(sa.select(Subsidy).where(Subsidy.assignment_id == assignment.id))
    if existing is not None:
        return existing
    subsidy = Subsidy(
        case_id=assignment.case_id,
        assignment_id=assignment.id,
        provider_id=assignment.provider_id,
        status="pending",
    )
    session.add(subsidy)
    session.flush()
    audit.record(session, actor, "subsidy.create", "subsidy", subsidy.id, None, _summary(subsidy))
    return subsidy


def cancel_subsidy(session: Session, actor, assignment: Assignment, reason: str) -> Subsidy | None:
    """The provider was replaced (DESIGN.md §4 "Reassignment"): their pending subsidy is cancelled.
    ``reason`` is stored as given: a code from ``reasons.coded``."""
    subsidy = session.scalar(
        lock_for_update(sa.select(Subsidy).where(Subsidy.assignment_id == assignment.id))
    )
    if subsidy is None or subsidy.status == "cancelled":
        return subsidy
    if subsidy.status not in ("pending", "held") or subsidy.archive_id is not None:
        raise NotAllowed(
            say("The subsidy is %(status)s; it cannot be cancelled.", status=subsidy_status(subsidy.status))
        )
    before = _summary(subsidy)
    subsidy.status, subsidy.held_from, subsidy.reason = "cancelled", None, reason
    session.flush()
    audit.record(
        session,
        actor,
        "subsidy.cancel",
        "subsidy",
        subsidy.id,
        before,
        {**_summary(subsidy), "reason": str(words(reason))},
    )
    return subsidy


def freeze_subsidy(
    session: Session,
    actor,
    case: Case,
    archive: ArchiveRecord,
    closing: ClosingFacts,
    score: ScoreFacts,
) -> Subsidy | None:
    """On archiving: compute the amount once, freeze it with its breakdown, and make it payable
    (a held subsidy stays held, and will return to payable when released)."""
    subsidy = session.scalar(
        lock_for_update(
            sa.select(Subsidy).where(
                Subsidy.case_id == case.id, Subsidy.status != "cancelled", Subsidy.reversal_of_id.is_(None)
            )
        )
    )
    assignment = None
    if subsidy is not None and subsidy.assignment_id is not None:
        assignment = session.get(Assignment, subsidy.assignment_id)
    if assignment is None:
        assignment = session.scalar(
            sa.select(Assignment)
            .where(Assignment.case_id == case.id, Assignment.status == "accepted")
            .order_by(Assignment.id.desc())
            .limit(1)
        )
    if assignment is None:
        return subsidy
    if subsidy is None:  # accepted before subsidies were recorded: the subsidy starts now
        subsidy = create_pending_subsidy(session, actor, assignment)
    if subsidy.status not in ("pending", "held") or subsidy.archive_id is not None:
        raise NotAllowed(
            say(
                "The subsidy of case %(number)s is %(status)s; it was frozen already.",
                number=case.number,
                status=subsidy_status(subsidy.status),
            )
        )
    before = _summary(subsidy)
    amount, breakdown = compute_subsidy(session, case, assignment, closing, score)
    subsidy.amount_fen, subsidy.breakdown = amount, breakdown
    subsidy.archive_id, subsidy.archived_on = archive.id, archive.archived_on
    subsidy.computed_at = clock.now()
    if amount == 0:  # nothing to pay: closed with its reason, never queued (nor held) at ¥0.00
        reason = coded(TOOK_MONEY_CONFIRMED if score.took_money_confirmed else ZERO_BY_RULE)
        subsidy.status, subsidy.held_from, subsidy.hold_reason, subsidy.reason = (
            "cancelled",
            None,
            None,
            reason,
        )
    elif subsidy.status == "held":
        subsidy.held_from = "payable"
    else:
        subsidy.status = "payable"
    session.flush()
    audit.record(
        session,
        actor,
        "subsidy.freeze",
        "subsidy",
        subsidy.id,
        before,
        {**_summary(subsidy), "breakdown": breakdown, "reason": subsidy.reason},
    )
    return subsidy


def is_closed_at_zero(subsidy: Subsidy) -> bool:
    """Archived with nothing to pay (a confirmed took-money veto, or ¥0.00 by the rules)."""
    return subsidy.status == "cancelled" and subsidy.archive_id is not None


def hold_subsidy(
    session: Session, actor, subsidy_id: int, reason: str, *, by_service: bool = False
) -> Subsidy:
    """A red flag or a complaint: the subsidy may not be batched until released. ``reason`` is what a
    supervisor typed, or (``by_service``) a code from ``reasons.coded`` when the service holds it."""
    require_role(actor, *HOLDERS)
    if not (reason or "").strip():
        raise Invalid(say("Give a reason for the hold."), fields={"reason": [say("Required.")]})
    subsidy = _lock(session, subsidy_id)
    if subsidy.status == "held":
        raise NotAllowed(say("The subsidy is already held."))
    if subsidy.status == "batched":
        raise NotAllowed(
            say(
                "The subsidy is in payment batch %(id)s; "
                "finance must cancel the batch before it can be held.",
                id=subsidy.batch_id,
            )
        )
    if subsidy.status not in ("pending", "payable"):
        raise NotAllowed(
            say("The subsidy is %(status)s; it cannot be held.", status=subsidy_status(subsidy.status))
        )
    before = _summary(subsidy)
    stored = reason if by_service else typed_reason(reason)
    subsidy.held_from, subsidy.status, subsidy.hold_reason = subsidy.status, "held", stored
    session.flush()
    audit.record(
        session,
        actor,
        "subsidy.hold",
        "subsidy",
        subsidy.id,
        before,
        # The stored reason (a code with its facts, or the person's words), put into words when read.
        {**_summary(subsidy), "reason": stored},
    )
    return subsidy


def release_subsidy(
    session: Session, actor, subsidy_id: int, reason: str, *, by_service: bool = False
) -> Subsidy:
    """The hold is lifted: the subsidy returns to the state it was held in. ``reason`` is what a
    supervisor typed, or (``by_service``) a code from ``reasons.coded`` (a red flag resolved)."""
    require_role(actor, *HOLDERS)
    if not (reason or "").strip():
        raise Invalid(say("Give a reason for the release."), fields={"reason": [say("Required.")]})
    subsidy = _lock(session, subsidy_id)
    if subsidy.status != "held":
        raise NotAllowed(say("The subsidy is %(status)s, not held.", status=subsidy_status(subsidy.status)))
    before = _summary(subsidy)
    stored = reason if by_service else typed_reason(reason)
    subsidy.status, subsidy.held_from, subsidy.hold_reason = subsidy.held_from, None, None
    session.flush()
    audit.record(
        session,
        actor,
        "subsidy.release",
        "subsidy",
        subsidy.id,
        before,
        {**_summary(subsidy), "reason": stored},
    )
    return subsidy


def hold_case_subsidy(
    session: Session, actor, case_id: int, reason: str, *, by_service: bool = False
) -> Subsidy | None:
    """For red flags and complaints raised on a case: hold its live subsidy, if any and not held."""
    subsidy_id = session.scalar(
        sa.select(Subsidy.id).where(
            Subsidy.case_id == case_id,
            Subsidy.status.in_(("pending", "payable")),
            Subsidy.reversal_of_id.is_(None),
        )
    )
    return hold_subsidy(session, actor, subsidy_id, reason, by_service=by_service) if subsidy_id else None


def reverse_subsidy(
    session: Session, actor, subsidy_id: int, reason: str, amount_fen: int | None = None
) -> Subsidy:
    """A paid subsidy is never changed: a new negative entry with a reason takes money back."""
    require_role(actor, *REVERSERS)
    if not (reason or "").strip():
        raise Invalid(say("Give a reason for the reversal."), fields={"reason": [say("Required.")]})
    original = _lock(session, subsidy_id)
    if original.status != "paid":
        raise NotAllowed(
            say(
                "Only a paid subsidy can be reversed; this one is %(status)s.",
                status=subsidy_status(original.status),
            )
        )
    reversed_already = -int(
        session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Subsidy.amount_fen), 0)).where(
                Subsidy.reversal_of_id == original.id
            )
        )
        or 0
    )
    left = original.amount_fen - reversed_already
    amount = left if amount_fen is None else amount_fen
    if not isinstance(amount, int) or amount <= 0 or amount > left:
        raise Invalid(
            say("The reversal must be between 1 and %(most)s fen.", most=left),
            fields={"amount_fen": [say("At most %(most)s.", most=left)]},
        )
    entry = Subsidy(
        case_id=original.case_id,
        assignment_id=original.assignment_id,
        provider_id=original.provider_id,
        status="reversed",
        amount_fen=-amount,
        breakdown={"reversal_of": original.id, "amount_fen": -amount},
        archive_id=original.archive_id,
        archived_on=original.archived_on,
        reversal_of_id=original.id,
        reason=typed_reason(reason),
        computed_at=clock.now(),
    )
    session.add(entry)
    session.flush()
    audit.record(
        session,
        actor,
        "subsidy.reverse",
        "subsidy",
        entry.id,
        None,
        {"reversal_of": original.id, "amount_fen": -amount, "reason": reason},
    )
    return entry


# --- reading: the payable queue, ageing, and why a subsidy is not payable yet ---


def age_days(archived_on: dt.date | None, today: dt.date) -> int | None:
    return None if archived_on is None else (today - archived_on).days


def ageing(archived_on: dt.date | None, today: dt.date) -> dict:
    """Days since archiving against the payment limit (Hunan guide: 90 days)."""
    limit = limits()["subsidy_days"]
    days = age_days(archived_on, today)
    if days is None:
        return {"age_days": None, "days_left": None, "overdue": False}
    return {"age_days": days, "days_left": limit - days, "overdue": days > limit}


def subsidy_list_statement(
    *,
    status: str | None = None,
    provider_id: int | None = None,
    organization_id: int | None = None,
    case_type: str | None = None,
    archived_from: dt.date | None = None,
    archived_to: dt.date | None = None,
    overdue_on: dt.date | None = None,
    q: str | None = None,
    sort: str | None = None,
    join_provider: bool = False,
) -> sa.Select:
    """Subsidies with their case and provider, for the queue, the API list and batching by filter;
    ``q`` finds a provider's name or a case number, ``sort`` is one of ``SORTS`` ("-" first: descending)."""
    # The case and the provider are joined only for what reads them (a search, an organisation, a case
    # type, their order): every subsidy has a provider and at most one case, so the rows are the same,
    # and the default list walks ``ix_subsidy_archived_order`` instead of joining 900,000 rows.
    needs_case = bool(q and q.strip()) or (case_type not in (None, "", "duty")) or _sorts_on(sort, "case")
    needs_provider = (
        join_provider or bool(q and q.strip()) or bool(organization_id) or _sorts_on(sort, "provider")
    )
    stmt = sa.select(Subsidy).order_by(Subsidy.archived_on, Subsidy.id)
    if needs_case:
        stmt = stmt.outerjoin(Case, Case.id == Subsidy.case_id)  # a duty shift's subsidy has no case
    if needs_provider:
        stmt = stmt.join(Provider, Provider.id == Subsidy.provider_id)
    if status:
        stmt = stmt.where(Subsidy.status == status)
    if provider_id:
        stmt = stmt.where(Subsidy.provider_id == provider_id)
    if organization_id:
        stmt = stmt.where(Provider.organization_id == organization_id)
    if case_type == "duty":
        stmt = stmt.where(Subsidy.kind == "duty")
    elif case_type:
        stmt = stmt.where(Case.case_type == case_type)
    if archived_from:
        stmt = stmt.where(Subsidy.archived_on >= archived_from)
    if archived_to:
        stmt = stmt.where(Subsidy.archived_on <= archived_to)
    if overdue_on:
        stmt = stmt.where(Subsidy.archived_on < overdue_on - dt.timedelta(days=limits()["subsidy_days"]))
    if q and q.strip():
        text = q.strip().lower()
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Provider.name).contains(text, autoescape=True),
                sa.func.lower(Case.number).contains(text, autoescape=True),
            )
        )
    if sort:
        column = SORTS.get(sort.lstrip("-"))
        if column is not None:
            descending = sort.startswith("-")
            tie = Subsidy.id.desc() if descending else Subsidy.id.asc()
            stmt = stmt.order_by(None).order_by(listing.ordered(column, descending), tie)
    return stmt


# The key columns a subsidy list sorts on (the page and ``GET /api/v1/subsidies?sort=``).
def _sorts_on(sort: str | None, key: str) -> bool:
    return bool(sort) and sort.lstrip("-") == key


SORTS = {
    "id": Subsidy.id,
    "case": Case.number,
    "provider": Provider.name,
    "status": Subsidy.status,
    "amount": Subsidy.amount_fen,
    "archived_on": Subsidy.archived_on,
}
SORT_VALUES = tuple(key for name in SORTS for key in (name, f"-{name}"))


def why_not_payable_many(session: Session, rows: list[Subsidy]) -> dict[int, str | None]:
    """For the provider and every list: exactly what each subsidy is waiting for (None when there is
    nothing to wait for), asking the one archive check once for all the pending ones."""
    pending = {s.case_id for s in rows if s.status == "pending"}
    cases = {}
    if pending:
        cases = {
            c.id: c for c in session.execute(sa.select(Case.id, Case.status).where(Case.id.in_(pending)))
        }
    # The one archive check: the provider reads exactly what archiving waits for.
    missing = archive_missing_many(session, [c for c in cases.values() if c.status == "closed"])
    return {s.id: _why(s, cases.get(s.case_id), missing.get(s.case_id)) for s in rows}


def why_not_payable(session: Session, subsidy: Subsidy) -> str | None:
    """For the provider: exactly what the subsidy is waiting for (None when there is nothing to wait for)."""
    return why_not_payable_many(session, [subsidy])[subsidy.id]


def _why(subsidy: Subsidy, case, missing: list[str] | None) -> str | None:
    if subsidy.status == "held":
        return keeping_typed(say("Held: %(reason)s", reason=words(subsidy.hold_reason) or ""))
    if is_closed_at_zero(subsidy):
        reason = words(subsidy.reason) or words(coded(ZERO_BY_RULE))
        return keeping_typed(say("Nothing to pay: %(reason)s", reason=reason))
    if subsidy.status == "cancelled":
        reason = words(subsidy.reason) or words(coded(REASSIGNED))
        return keeping_typed(say("Cancelled: %(reason)s", reason=reason))
    if subsidy.status == "batched":
        return say("In payment batch %(id)s, awaiting the bank", id=subsidy.batch_id)
    if subsidy.status != "pending":
        return None
    if case is None or case.status != "closed":
        return say("The case is not closed yet")
    if missing:
        return say("Waiting for %(missing)s", missing=joined(missing))
    return say("Awaiting archiving by the centre")


def provider_subsidies(session: Session, provider_id: int) -> list[Subsidy]:
    return list(
        session.scalars(
            sa.select(Subsidy).where(Subsidy.provider_id == provider_id).order_by(Subsidy.id.desc())
        )
    )
