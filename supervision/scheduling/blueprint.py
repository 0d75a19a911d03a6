"""The scheduling pages' blueprints (``scheduling.*`` and the calendar feed's ``scheduling_feed.*``)
and the helpers their page modules share."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import Blueprint, flash

from assignment.models import Case, Provider
from legalaid import clock
from legalaid.db import db
from legalaid.errors import DomainError
from legalaid.models import User
from supervision.scheduling.hearings import hearing_state
from supervision.scheduling.labels import (
    observation_reason_label,
    observer_reason_label,
    purpose_label,
    satisfaction_label,
    status_label,
)

bp = Blueprint("scheduling", __name__, url_prefix="/supervision")
feed_bp = Blueprint("scheduling_feed", __name__)


def aware(local: dt.datetime | None) -> dt.datetime | None:
    return local.replace(tzinfo=clock.centre_tz()) if local is not None else None


def fail(exc: DomainError):
    db.session.rollback()
    flash(exc.shown(), "error")


def lookups(case_ids=(), user_ids=(), provider_ids=()) -> dict:
    out = {"cases": {}, "users": {}, "providers": {}}
    if case_ids:
        out["cases"] = dict(
            db.session.execute(sa.select(Case.id, Case.number).where(Case.id.in_(set(case_ids)))).all()
        )
    if user_ids:
        rows = db.session.execute(
            sa.select(User.id, User.display_name, User.username).where(
                User.id.in_({u for u in user_ids if u})
            )
        )
        out["users"] = {uid: name or username for uid, name, username in rows}
    if provider_ids:
        out["providers"] = dict(
            db.session.execute(
                sa.select(Provider.id, Provider.name).where(Provider.id.in_({p for p in provider_ids if p}))
            ).all()
        )
    return out


def page_helpers() -> dict:
    return {
        "purpose_label": purpose_label,
        "status_label": status_label,
        "satisfaction_label": satisfaction_label,
        "reason_label": observation_reason_label,
        "observer_reason_label": observer_reason_label,
        "hearing_state": hearing_state,
    }
