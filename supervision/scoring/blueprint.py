"""The scoring pages' blueprint (endpoints ``scoring.*``) and the helpers its page modules share."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash
from flask_login import current_user

from assignment import intake
from assignment.models import Case, Provider
from legalaid.db import db
from legalaid.errors import DomainError

bp = Blueprint("scoring", __name__, url_prefix="/scoring")


def flash_error(exc: DomainError) -> None:
    db.session.rollback()
    flash(exc.shown(), "error")


def visible_case_number(case_id: int) -> str | None:
    """The number of a case the signed-in person may see, for a question that names it; else None."""
    try:
        return intake.get_case(db.session, case_id, current_user).number
    except DomainError:
        return None


def case_numbers(case_ids) -> dict[int, Case]:
    ids = list(set(case_ids))
    if not ids:
        return {}
    return {c.id: c for c in db.session.scalars(sa.select(Case).where(Case.id.in_(ids)))}


def provider_names(provider_ids) -> dict[int, str]:
    ids = list(set(provider_ids))
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Provider.id, Provider.name).where(Provider.id.in_(ids))).all())
