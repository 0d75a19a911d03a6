"""Checklist versions (百分考核表): drafting, validation (maximums sum to exactly 100), publishing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.roles import require_role
from legalaid import audit, clock
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotAllowed, NotFound, say
from supervision.scoring import rules
from supervision.scoring.defaults import (
    AUTO_HAND_IN,
    AUTO_HEARING,
    AUTO_RED_FLAG,
    AUTO_RETAINER,
    DEFAULT_GRADE_BANDS,
)
from supervision.scoring.models import CASE_TYPES, Checklist, ChecklistItem

ITEM_AUTOS = (AUTO_RETAINER, AUTO_HAND_IN, AUTO_HEARING)
VETO_AUTOS = (AUTO_RED_FLAG,)


def get_checklist(session: Session, checklist_id: int) -> Checklist:
    checklist = session.get(Checklist, checklist_id)
    if checklist is None:
        raise NotFound(say("There is no such checklist."))
    return checklist


def checklist_in_force(session: Session, case_type: str, on: dt.date) -> Checklist | None:
    """The published version with the latest effective date on or before ``on`` (DESIGN.md §4)."""
    return session.scalars(
        sa.select(Checklist)
        .where(
            Checklist.case_type == case_type,
            Checklist.status == "published",
            Checklist.effective_from <= on,
        )
        .order_by(Checklist.effective_from.desc(), Checklist.version.desc())
        .limit(1)
    ).first()


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def validate_entries(items: list[dict], vetoes: list[dict], grade_bands: dict | None) -> None:
    """Refuse a version that could not be scored: the maximums must add up to exactly 100."""
    problems: dict[str, list[str]] = {}
    if not items:
        problems["items"] = [say("A checklist needs at least one item.")]
    codes = [e.get("code") for e in [*items, *vetoes]]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        problems.setdefault("items", []).append(
            say("Codes must be unique: %(codes)s.", codes=", ".join(map(str, duplicates)))
        )
    total = Decimal(0)
    for i, item in enumerate(items):
        mx = _decimal(item.get("max_points"))
        if mx is None or mx <= 0 or mx > 100 or not rules.has_one_decimal(mx):
            problems[f"items.{i}.max_points"] = [say("Between 0.1 and 100, with at most one decimal.")]
            continue
        total += mx
        if item.get("auto") not in (None, "", *ITEM_AUTOS):
            problems[f"items.{i}.auto"] = [say("One of: %(values)s.", values=", ".join(ITEM_AUTOS))]
    for i, veto in enumerate(vetoes):
        if veto.get("auto") not in (None, "", *VETO_AUTOS):
            problems[f"veto_items.{i}.auto"] = [say("One of: %(values)s.", values=", ".join(VETO_AUTOS))]
    for i, entry in enumerate([*items, *vetoes]):
        for field in ("code", "label_zh", "label_en"):
            if not str(entry.get(field) or "").strip():
                problems.setdefault(f"entries.{i}.{field}", []).append(say("Required."))
    if items and total != 100 and "items" not in problems:
        problems["items"] = [
            say("The item maximums add up to %(total)s; they must add up to exactly 100.", total=total)
        ]
    bands = grade_bands or DEFAULT_GRADE_BANDS
    try:
        lows = [Decimal(str(bands[g])) for g in ("excellent", "good", "pass")]
        if not (100 >= lows[0] > lows[1] > lows[2] > 0):
            raise ValueError
    except (KeyError, ValueError, InvalidOperation, TypeError):
        problems["grade_bands"] = [say("Give lower bounds with 100 ≥ excellent > good > pass > 0.")]
    if problems:
        message = problems.get("items", [say("The checklist is not valid.")])[-1]
        raise Invalid(message, fields=problems)


def _entries(items: list[dict], vetoes: list[dict]) -> list[ChecklistItem]:
    rows = []
    for kind, entries in (("item", items), ("veto", vetoes)):
        for entry in entries:
            rows.append(
                ChecklistItem(
                    kind=kind,
                    code=entry["code"].strip(),
                    position=len(rows) + 1,
                    label_zh=entry["label_zh"].strip(),
                    label_en=entry["label_en"].strip(),
                    max_points=Decimal(str(entry.get("max_points") or 0)) if kind == "item" else Decimal(0),
                    guidance=entry.get("guidance") or None,
                    evidence=entry.get("evidence") or None,
                    auto=entry.get("auto") or None,
                )
            )
    return rows


def _summary(checklist: Checklist) -> dict:
    return {
        "case_type": checklist.case_type,
        "version": checklist.version,
        "status": checklist.status,
        "effective_from": checklist.effective_from,
        "items": {e.code: str(e.max_points) for e in checklist.items},
        "veto_items": [e.code for e in checklist.veto_items],
        "grade_bands": checklist.grade_bands,
    }


def draft_checklist(
    session: Session,
    actor,
    *,
    case_type: str,
    effective_from: dt.date,
    items: list[dict],
    veto_items: list[dict],
    name: str | None = None,
    grade_bands: dict | None = None,
    notes: str | None = None,
) -> Checklist:
    """A new draft version for a case type (the next version number); checked as it is saved."""
    require_role(actor, "admin")
    if case_type not in CASE_TYPES:
        raise Invalid(
            say("Unknown case type."),
            fields={"case_type": [say("One of: %(values)s.", values=", ".join(CASE_TYPES))]},
        )
    validate_entries(items, veto_items, grade_bands)
    last = session.scalar(sa.select(sa.func.max(Checklist.version)).where(Checklist.case_type == case_type))
    checklist = Checklist(
        case_type=case_type,
        version=(last or 0) + 1,
        name=(name or "").strip() or f"{case_type} checklist",
        effective_from=effective_from,
        status="draft",
        grade_bands=dict(grade_bands or DEFAULT_GRADE_BANDS),
        notes=notes,
        created_by=getattr(actor, "id", None),
        entries=_entries(items, veto_items),
    )
    session.add(checklist)
    session.flush()
    audit.record(session, actor, "checklist.drafted", "checklist", checklist.id, after=_summary(checklist))
    return checklist


def revise_checklist_draft(
    session: Session,
    checklist: Checklist,
    actor,
    *,
    effective_from: dt.date,
    items: list[dict],
    veto_items: list[dict],
    name: str | None = None,
    grade_bands: dict | None = None,
    notes: str | None = None,
    case_type: str | None = None,
) -> Checklist:
    """Change a draft; a published version never changes (files are scored against it), and a version
    stays with its case type."""
    require_role(actor, "admin")
    lock_row(session, Checklist, checklist.id)  # revisions at once replace the items one after another
    if checklist.status != "draft":
        raise NotAllowed(say("A published checklist cannot be changed; draft a new version instead."))
    if case_type is not None and case_type != checklist.case_type:
        raise NotAllowed(say("A version keeps its case type."))
    validate_entries(items, veto_items, grade_bands)
    before = _summary(checklist)
    checklist.entries.clear()
    session.flush()
    checklist.entries.extend(_entries(items, veto_items))
    checklist.effective_from = effective_from
    checklist.name = (name or "").strip() or checklist.name
    checklist.grade_bands = dict(grade_bands or DEFAULT_GRADE_BANDS)
    checklist.notes = notes
    session.flush()
    audit.record(
        session,
        actor,
        "checklist.revised",
        "checklist",
        checklist.id,
        before=before,
        after=_summary(checklist),
    )
    return checklist


def publish_checklist(session: Session, checklist: Checklist, actor) -> Checklist:
    """Draft → published. Cases closed before keep the version they were pinned to."""
    require_role(actor, "admin")
    lock_row(session, Checklist, checklist.id)  # two publications at once: the second sees it published
    if checklist.status != "draft":
        raise NotAllowed(say("This version is already published."))
    validate_entries(
        [_entry_dict(e) for e in checklist.items],
        [_entry_dict(e) for e in checklist.veto_items],
        checklist.grade_bands,
    )
    checklist.status = "published"
    checklist.published_at = clock.now()
    checklist.published_by = getattr(actor, "id", None)
    session.flush()
    audit.record(
        session,
        actor,
        "checklist.published",
        "checklist",
        checklist.id,
        before={"status": "draft"},
        after=_summary(checklist),
    )
    return checklist


def discard_checklist_draft(session: Session, checklist: Checklist, actor) -> None:
    require_role(actor, "admin")
    if checklist.status != "draft":
        raise NotAllowed(say("A published checklist cannot be discarded."))
    audit.record(session, actor, "checklist.discarded", "checklist", checklist.id, before=_summary(checklist))
    session.delete(checklist)
    session.flush()


def _entry_dict(entry: ChecklistItem) -> dict:
    return {
        "code": entry.code,
        "label_zh": entry.label_zh,
        "label_en": entry.label_en,
        "max_points": entry.max_points,
        "guidance": entry.guidance,
        "evidence": entry.evidence,
        "auto": entry.auto,
    }


def checklist_as_draft_input(checklist: Checklist) -> dict:
    """A version's content in the shape draft_checklist takes (to start the next version from it)."""
    return {
        "case_type": checklist.case_type,
        "name": checklist.name,
        "grade_bands": dict(checklist.grade_bands),
        "items": [_entry_dict(e) for e in checklist.items],
        "veto_items": [_entry_dict(e) for e in checklist.veto_items],
    }


def seed_default_checklists(session: Session) -> int:
    """Publish the first versions where a case type has none (tests on PostgreSQL empty every table;
    a fresh database gets them from the migration)."""
    from supervision.scoring.defaults import FIRST_EFFECTIVE_DATE, default_checklists

    made = 0
    for spec in default_checklists():
        exists = session.scalar(sa.select(sa.func.count()).where(Checklist.case_type == spec["case_type"]))
        if exists:
            continue
        session.add(
            Checklist(
                case_type=spec["case_type"],
                version=1,
                name=spec["name"],
                effective_from=FIRST_EFFECTIVE_DATE,
                status="published",
                grade_bands=dict(DEFAULT_GRADE_BANDS),
                published_at=clock.now(),
                entries=_entries(spec["items"], spec["vetoes"]),
            )
        )
        made += 1
    session.flush()
    return made
