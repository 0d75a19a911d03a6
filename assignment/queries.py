"""Read-only queries behind the assignment pages: the intake queue, a case's history, the provider's
own assignments, the panel lists. No rule lives here; transitions are in intake, panel and rotation."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from assignment.intake import case_list_statement
from assignment.models import (
    Assignment,
    Case,
    Organization,
    PoolMember,
    Provider,
    ProviderConflict,
    ProviderLeave,
    RotationPool,
)
from legalaid.models import AuditEntry, User

# Rows per section of the intake queue page; ``app.config["QUEUE_PAGE_SIZE"]`` overrides it.
QUEUE_LIMIT = 25  # three sections a page: 200 a section took 450 ms to render, 50 took 45 ms (issue 16)

# The intake queue's sections, each a set of case statuses.
QUEUE_SECTIONS = {
    "decision": ("applied", "pending_materials"),
    "assignment": ("accepted",),
    "acceptance": ("assigned",),
}


@dataclass
class QueuePage:
    cases: list[Case]
    total: int
    page: int
    pages: int


def _queue_statement(statuses: tuple[str, ...], case_type: str | None, q: str | None) -> sa.Select:
    """The lists' own filters and order (case_list_statement): the queue searches as the API does."""
    return case_list_statement(case_type=case_type, q=q).where(Case.status.in_(statuses))


def queue(
    session: Session,
    statuses: tuple[str, ...],
    limit: int = QUEUE_LIMIT,
    *,
    offset: int = 0,
    case_type: str | None = None,
    q: str | None = None,
) -> list[Case]:
    """Cases in ``statuses``, green channel first then by receipt, with their live assignment loaded
    (the deadlines read it) in one extra query rather than one per case."""
    stmt = (
        _queue_statement(statuses, case_type, q)
        .options(selectinload(Case.current_assignment))
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(stmt))


def queue_count(
    session: Session, statuses: tuple[str, ...], *, case_type: str | None = None, q: str | None = None
) -> int:
    stmt = _queue_statement(statuses, case_type, q).order_by(None).subquery()
    return session.scalar(sa.select(sa.func.count()).select_from(stmt)) or 0


def queue_page(
    session: Session,
    statuses: tuple[str, ...],
    page: int,
    per_page: int = QUEUE_LIMIT,
    *,
    case_type: str | None = None,
    q: str | None = None,
) -> QueuePage:
    """One page of a queue section and the section's total. Counted first, so a page past the end (a
    link kept while the queue shrank, or a typed number) shows the last page, not an empty one."""
    total = queue_count(session, statuses, case_type=case_type, q=q)
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    cases = queue(session, statuses, per_page, offset=(page - 1) * per_page, case_type=case_type, q=q)
    return QueuePage(cases, total, page, pages)


def case_id_by_number(session: Session, number: str) -> int | None:
    return session.scalar(sa.select(Case.id).where(Case.number == number.strip()))


def case_numbers(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(sa.select(Case.id, Case.number).where(Case.id.in_(ids))).all())


def case_assignments(session: Session, case_id: int) -> list[Assignment]:
    """Every assignment of a case, newest first."""
    return list(
        session.scalars(
            sa.select(Assignment).where(Assignment.case_id == case_id).order_by(Assignment.id.desc())
        )
    )


def case_history(session: Session, case_id: int, assignment_ids) -> list[AuditEntry]:
    """The audit entries of a case and of its assignments, oldest first."""
    about = (AuditEntry.object_type == "case") & (AuditEntry.object_id == case_id)
    ids = list(assignment_ids)
    if ids:
        about = about | ((AuditEntry.object_type == "assignment") & AuditEntry.object_id.in_(ids))
    return list(session.scalars(sa.select(AuditEntry).where(about).order_by(AuditEntry.id)))


def my_assignments_statement(provider_id: int | None) -> sa.Select:
    """A provider's own assignments: live ones first, newest first (each with its case, joined)."""
    return (
        sa.select(Assignment)
        .where(Assignment.provider_id == provider_id)
        .order_by(Assignment.live.desc(), Assignment.id.desc())
    )


def offered_to(session: Session, provider_id: int | None) -> list[Assignment]:
    """Assignments waiting for the provider's answer, the earliest answer date first."""
    if provider_id is None:
        return []
    return list(
        session.scalars(
            sa.select(Assignment)
            .where(Assignment.provider_id == provider_id, Assignment.status == "offered")
            .order_by(Assignment.respond_by)
        )
    )


def provider_names(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(sa.select(Provider.id, Provider.name).where(Provider.id.in_(ids))).all())


def user_names(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    rows = session.execute(sa.select(User.id, User.display_name, User.username).where(User.id.in_(ids)))
    return {uid: name or username for uid, name, username in rows}


def organizations(session: Session) -> list[Organization]:
    return list(session.scalars(sa.select(Organization).order_by(Organization.name)))


def provider_matches(
    session: Session, text: str | None, kinds, *, limit: int, include_id: int | None = None
) -> tuple[list[Provider], bool]:
    """Providers of these kinds whose name or organisation holds the text, by name, at most ``limit``
    (and whether more match); ``include_id`` is always among them when it is of those kinds (a choice
    just posted)."""
    stmt = (
        sa.select(Provider)
        .join(Organization, Organization.id == Provider.organization_id)
        .where(Provider.kind.in_(list(kinds)))
        .options(selectinload(Provider.organization))
        .order_by(Provider.name, Provider.id)
    )
    words = (text or "").strip()
    if words:
        stmt = stmt.where(
            sa.or_(
                Provider.name.icontains(words, autoescape=True),
                Organization.name.icontains(words, autoescape=True),
            )
        )
    found = list(session.scalars(stmt.limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    if include_id is not None and all(p.id != include_id for p in found):
        extra = session.scalar(
            sa.select(Provider).where(Provider.id == include_id, Provider.kind.in_(list(kinds)))
        )
        if extra is not None:
            found.append(extra)
    return found, more


def provider_leaves(session: Session, provider_id: int) -> list[ProviderLeave]:
    return list(
        session.scalars(
            sa.select(ProviderLeave)
            .where(ProviderLeave.provider_id == provider_id)
            .order_by(ProviderLeave.starts_on.desc())
        )
    )


def provider_conflicts(session: Session, provider_id: int) -> list[ProviderConflict]:
    return list(
        session.scalars(
            sa.select(ProviderConflict)
            .where(ProviderConflict.provider_id == provider_id)
            .order_by(ProviderConflict.party_name)
        )
    )


def pools(session: Session) -> list[tuple[RotationPool, int]]:
    """Pools with their member counts."""
    members = (
        sa.select(PoolMember.pool_id, sa.func.count().label("n")).group_by(PoolMember.pool_id).subquery()
    )
    rows = session.execute(
        sa.select(RotationPool, sa.func.coalesce(members.c.n, 0))
        .outerjoin(members, members.c.pool_id == RotationPool.id)
        .order_by(RotationPool.name)
    ).all()
    return [(pool, n) for pool, n in rows]


def pool_members(session: Session, pool_id: int) -> list[PoolMember]:
    return list(session.scalars(pool_members_statement(pool_id)))


def pool_members_statement(pool_id: int) -> sa.Select:
    """A pool's members with their provider (one extra statement for a page, not one per member)."""
    return (
        sa.select(PoolMember)
        .where(PoolMember.pool_id == pool_id)
        .options(selectinload(PoolMember.provider))
        .order_by(PoolMember.provider_id)
    )


_MINE_ASSIGNMENT = (
    "id",
    "case_id",
    "provider_id",
    "pool_id",
    "mode",
    "status",
    "reason_code",
    "reason",
    "override",
    "assigned_at",
    "respond_by",
    "accepted_at",
    "ended_at",
    "decline_reason_code",
    "explanation",
    "live",
)
_MINE_CASE = (
    "id",
    "number",
    "status",
    "case_type",
    "cause",
    "received_on",
    "green_channel",
    "applicant_name",
    "applicant_id_number",
    "applicant_categories",
    "opposing_party",
    "stage",
    "intake_point",
    "station_id",  # issue 14: a case taken at a station, its forwarding among the deadlines
    "station_received_at",
    "centre_received_at",
    "detained",
    "source",
    "paused_days",
    "decided_on",
    "materials_supply_by",
)


def my_assignments_page(session: Session, provider_id: int, page: int, per_page: int):
    """One page of a provider's assignments with their cases, and the total, in ONE round trip.

    ``GET /api/v1/me/assignments`` is every provider's most frequent call: rows from a Core select
    (no ORM objects to build: STYLE.md measured that at about a fifth of the throughput), shaped like
    ``Assignment`` and ``Case`` so the one ``dump_assignment`` serves both paths."""
    from types import SimpleNamespace

    stmt = (
        sa.select(
            *(getattr(Assignment, c).label(f"a_{c}") for c in _MINE_ASSIGNMENT),
            *(getattr(Case, c).label(f"c_{c}") for c in _MINE_CASE),
            Provider.name.label("p_name"),
            sa.func.count().over().label("total"),
        )
        .join(Case, Case.id == Assignment.case_id)
        .join(Provider, Provider.id == Assignment.provider_id)
        .where(Assignment.provider_id == provider_id)
        .order_by(Assignment.live.desc(), Assignment.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = session.execute(stmt).all()
    items = []
    for row in rows:
        m = row._mapping
        assignment = SimpleNamespace(**{c: m[f"a_{c}"] for c in _MINE_ASSIGNMENT})
        case = SimpleNamespace(**{c: m[f"c_{c}"] for c in _MINE_CASE})
        case.current_assignment = assignment if assignment.live else None
        assignment.case, assignment.provider = case, SimpleNamespace(name=m["p_name"])
        items.append(assignment)
    if rows:
        total = rows[0].total
    else:  # past the last page: the window function has no row to ride on
        total = session.scalar(sa.select(sa.func.count()).where(Assignment.provider_id == provider_id))
    return items, total
