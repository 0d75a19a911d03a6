"""Application guided (Law art. 43, 一次性告知): the one-time notice of every material an applicant
must bring, chosen by cause and categories from a table the admin keeps."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.consultations import CONSULTATION_CAUSES
from assignment.consultations_models import GuidanceMaterial
from assignment.models import APPLICANT_CATEGORIES
from assignment.roles import require_role
from legalaid import audit
from legalaid.db import lock_row
from legalaid.errors import Invalid, NotFound, say


def materials_for(session: Session, cause: str | None, categories) -> list[str]:
    """Every material the applicant must bring, in one list (Law art. 43, 一次性告知): those for every
    application, those of the cause, and those of each of the applicant's categories."""
    categories = sorted(set(categories or ()))
    cause_matches = GuidanceMaterial.cause.is_(None)
    if cause:
        cause_matches = cause_matches | (GuidanceMaterial.cause == cause)
    category_matches = GuidanceMaterial.category.is_(None)
    if categories:
        category_matches = category_matches | GuidanceMaterial.category.in_(categories)
    rows = session.scalars(
        sa.select(GuidanceMaterial.item)
        .where(cause_matches, category_matches)
        .order_by(
            GuidanceMaterial.category.is_not(None),  # the applicant's own proofs after the matter's
            GuidanceMaterial.cause.is_not(None).desc(),
            GuidanceMaterial.position,
            GuidanceMaterial.id,
        )
    ).all()
    general = session.scalars(
        sa.select(GuidanceMaterial.item)
        .where(GuidanceMaterial.cause.is_(None), GuidanceMaterial.category.is_(None))
        .order_by(GuidanceMaterial.position, GuidanceMaterial.id)
    ).all()
    # What every application needs comes first, then the rest in the order above, each once.
    out: list[str] = []
    for item in [*general, *rows]:
        if item not in out:
            out.append(item)
    return out


def guidance_table(session: Session) -> list:
    return list(
        session.scalars(
            sa.select(GuidanceMaterial).order_by(
                GuidanceMaterial.cause.is_not(None),
                GuidanceMaterial.cause,
                GuidanceMaterial.category.is_not(None),
                GuidanceMaterial.category,
                GuidanceMaterial.position,
                GuidanceMaterial.id,
            )
        )
    )


def add_material(session: Session, data: dict, actor):
    """The admin adds a material to the notice of a cause and/or category."""
    require_role(actor, "admin")
    item = (data.get("item") or "").strip()
    problems = {}
    if not item:
        problems["item"] = [say("Required.")]
    if data.get("cause") and data["cause"] not in CONSULTATION_CAUSES:
        problems["cause"] = [say("Unknown cause; see GET /api/v1/causes.")]
    if data.get("category") and data["category"] not in APPLICANT_CATEGORIES:
        problems["category"] = [say("Unknown: %(categories)s.", categories=data["category"])]
    if problems:
        raise Invalid(say("The material is not valid."), fields=problems)
    last = session.scalar(sa.select(sa.func.max(GuidanceMaterial.position))) or 0
    material = GuidanceMaterial(
        cause=data.get("cause") or None, category=data.get("category") or None, item=item, position=last + 1
    )
    session.add(material)
    session.flush()
    audit.record(
        session, actor, "guidance_material.add", "guidance_material", material.id, None,
        {"cause": material.cause, "category": material.category, "item": item},
    )  # fmt: skip
    return material


def remove_material(session: Session, material_id: int, actor) -> None:
    require_role(actor, "admin")
    material = lock_row(session, GuidanceMaterial, material_id)
    if material is None:
        raise NotFound(say("No such material."))
    before = {"cause": material.cause, "category": material.category, "item": material.item}
    session.delete(material)
    audit.record(session, actor, "guidance_material.remove", "guidance_material", material_id, before, None)
