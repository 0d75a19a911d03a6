"""Eligibility (DESIGN.md §4): the configurable rules (``ELIGIBILITY``, ``eligibility()``,
``declare_rules``), why a member may be passed over (``REASONS``), what a pick reads about one case
(``CaseFacts``: its parties, who had it, the opposing party's organisations, and the pool serving it),
years of practice, and the reasons one provider may not take one case (``provider_ineligibility``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from assignment import labels
from assignment.models import Assignment, Case, PoolScope, Provider, ProviderConflict, ProviderLeave
from legalaid.errors import NotAllowed, say

# DESIGN.md §4; each may be changed through the ELIGIBILITY setting (legalaid.rules).
ELIGIBILITY = {
    "window_size": 5,  # choice within the window: any of the next 5 eligible (Texas art. 26.04(a))
    "life_death_years": 3,  # Law art. 26: possible life or death sentence, ≥3 years of practice
    "juvenile_years": 2,  # Hunan 2016: juvenile defendants, ≥2 years of practice
}


def declare_rules(app) -> None:
    from flask_babel import lazy_gettext as _l

    from legalaid import rules

    rules.declare(app, "ELIGIBILITY", ELIGIBILITY, _l("Rotation: window and experience (years)"))


def eligibility(name: str) -> int:
    return {**ELIGIBILITY, **current_app.config.get("ELIGIBILITY", {})}[name]


# Why a member was passed over. "unavailable" parks them; "cause" keeps their place (property 3).
REASONS = {
    "inactive": ("unavailable", say("not active on the panel")),
    "on_leave": ("unavailable", say("on leave on the assignment date")),
    "at_cap": ("unavailable", say("at their open-case cap")),
    "criminal_needs_lawyer": ("cause", say("criminal defence needs a lawyer (Law arts. 25, 26, 36)")),
    "experience_life_death": ("cause", say("life/death case needs 3 years of practice (Law art. 26)")),
    "experience_juvenile": ("cause", say("juvenile defendant needs 2 years of practice")),
    "conflict": ("cause", say("declared conflict with a party")),
    "opposing_organization": ("cause", say("same organisation as the opposing party's provider")),
    "had_this_case": ("cause", say("already had this case")),
}


@dataclass
class CaseFacts:
    """What eligibility needs to know about one case, read once per pick."""

    case: Case
    today: dt.date
    parties: set[str]
    opposing_orgs: set[int]
    had_case: set[int]


def _norm(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


def _case_links_stmt(with_pool: bool) -> sa.CompoundSelect:
    """Who had the case, and the linked cases; ``with_pool``: also the pool scopes for its type
    and area (``_pool_id_for_case``), all in one round trip."""
    a, c, scope = Assignment.__table__, Case.__table__, PoolScope.__table__
    case_id = sa.bindparam("case_id", type_=sa.Integer)
    opposing_id = sa.bindparam("opposing_id", type_=sa.Integer)
    no_area = sa.cast(sa.null(), sa.String)
    had = sa.select(
        sa.literal_column("'had'").label("kind"), a.c.provider_id.label("ref"), no_area.label("area")
    )
    parts = [
        had.where(a.c.case_id == case_id),
        sa.select(sa.literal_column("'linked'"), c.c.id, no_area).where(
            sa.or_(c.c.id == opposing_id, c.c.opposing_case_id == case_id), c.c.id != case_id
        ),
    ]
    if with_pool:
        parts.append(
            sa.select(sa.literal_column("'pool'"), scope.c.pool_id, scope.c.area_key).where(
                scope.c.case_type == sa.bindparam("case_type", type_=sa.String),
                sa.or_(scope.c.area_key == sa.bindparam("area", type_=sa.String), scope.c.area_key == ""),
            )
        )
    return sa.union_all(*parts)


_CASE_LINKS = _case_links_stmt(False)
_POOL_AND_LINKS = _case_links_stmt(True)
_CASE_STATUS = sa.select(Case.__table__.c.status).where(Case.__table__.c.id == sa.bindparam("case_id"))


def _case_links(session: Session, case: Case) -> tuple[set[int], list[int]]:
    """Who already had this case, and the cases linked to it as the other party's (one query).
    Neither depends on the rotation state, so it is read before the pool is locked."""
    rows = session.execute(_CASE_LINKS, {"case_id": case.id, "opposing_id": case.opposing_case_id}).all()
    return {r.ref for r in rows if r.kind == "had"}, [r.ref for r in rows if r.kind == "linked"]


def pool_serving(case: Case, scopes: list[tuple[int, str]]) -> int:
    """The one rule of which pool serves a case, among the pools that take its case type (``scopes``:
    pool id and area key): the pool of the case's intake area, else the pool without an area."""
    if not scopes:
        raise NotAllowed(
            say(
                "No rotation pool serves %(case_type)s cases; an admin must define one.",
                case_type=labels.case_type(case.case_type),
            )
        )
    area = case.intake_point or ""
    return next((pid for pid, key in scopes if key == area), scopes[0][0])


def _pool_and_links(session: Session, case: Case) -> tuple[int, set[int], list[int]]:
    """``_pool_id_for_case`` and ``_case_links`` in one query (both read before the pool lock)."""
    area = case.intake_point or ""
    params = {
        "case_id": case.id,
        "opposing_id": case.opposing_case_id,
        "case_type": case.case_type,
        "area": area,
    }
    rows = session.execute(_POOL_AND_LINKS, params).all()
    pool_id = pool_serving(case, [(r.ref, r.area) for r in rows if r.kind == "pool"])
    return pool_id, {r.ref for r in rows if r.kind == "had"}, [r.ref for r in rows if r.kind == "linked"]


def _opposing_orgs(session: Session, linked: list[int]) -> set[int]:
    """The organisations of the linked cases' live providers: read under the pool lock, since the
    other party's case may be assigned from the same pool at the same time."""
    if not linked:
        return set()
    return set(
        session.scalars(
            sa.select(Provider.organization_id)
            .join(Assignment, Assignment.provider_id == Provider.id)
            .where(Assignment.case_id.in_(linked), Assignment.live.is_(True))
        )
    )


def _facts(case: Case, today: dt.date, opposing_orgs: set[int], had_case: set[int]) -> CaseFacts:
    parties = {_norm(case.applicant_name), _norm(case.opposing_party)} - {""}
    return CaseFacts(case, today, parties, opposing_orgs, had_case)


def _case_facts(session: Session, case: Case, today: dt.date) -> CaseFacts:
    had_case, linked = _case_links(session, case)
    return _facts(case, today, _opposing_orgs(session, linked), had_case)


def years_of_practice(provider: Provider, on: dt.date) -> int:
    years = on.year - provider.practice_since.year
    if (on.month, on.day) < (provider.practice_since.month, provider.practice_since.day):
        years -= 1
    return years


def _case_reason(provider: Provider, facts: CaseFacts, conflicted: set[int]) -> str | None:
    """The case-specific reason this provider may not take this case, if any (DESIGN.md §4)."""
    case = facts.case
    if provider.id in facts.had_case:
        return "had_this_case"
    if case.case_type == "criminal" and provider.kind != "lawyer":
        return "criminal_needs_lawyer"
    if case.max_sentence in ("life", "death") and years_of_practice(provider, facts.today) < eligibility(
        "life_death_years"
    ):
        return "experience_life_death"
    if case.juvenile and years_of_practice(provider, facts.today) < eligibility("juvenile_years"):
        return "experience_juvenile"
    if provider.id in conflicted:
        return "conflict"
    if provider.organization_id in facts.opposing_orgs:
        return "opposing_organization"
    return None


def _unavailable_reason(provider: Provider, on_leave: set[int]) -> str | None:
    if not provider.active:
        return "inactive"
    if provider.id in on_leave:
        return "on_leave"
    if provider.open_cases >= provider.max_open_cases:
        return "at_cap"
    return None


def _batch_facts(session: Session, provider_ids: list[int], facts: CaseFacts) -> tuple[set[int], set[int]]:
    """Who in this batch is on leave today, and who declared a conflict with the case's parties."""
    on_leave = set(
        session.scalars(
            sa.select(ProviderLeave.provider_id).where(
                ProviderLeave.provider_id.in_(provider_ids),
                ProviderLeave.starts_on <= facts.today,
                ProviderLeave.ends_on >= facts.today,
            )
        )
    )
    conflicted: set[int] = set()
    if facts.parties:
        rows = session.execute(
            sa.select(ProviderConflict.provider_id, ProviderConflict.party_name).where(
                ProviderConflict.provider_id.in_(provider_ids)
            )
        )
        conflicted = {pid for pid, party in rows if _norm(party) in facts.parties}
    return on_leave, conflicted


def provider_ineligibility(session: Session, provider: Provider, case: Case, today: dt.date) -> str | None:
    """Why ``provider`` may not take ``case`` today (a REASONS code), or None when eligible."""
    facts = _case_facts(session, case, today)
    on_leave, conflicted = _batch_facts(session, [provider.id], facts)
    return _unavailable_reason(provider, on_leave) or _case_reason(provider, facts, conflicted)
