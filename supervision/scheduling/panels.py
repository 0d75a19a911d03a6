"""Home-page panels and the inbox bell of scheduling."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from legalaid import clock, listing
from legalaid.db import db
from supervision.scheduling import calls, hearings, reminders
from supervision.scheduling.blueprint import lookups
from supervision.scheduling.case_assignment import current_assignment
from supervision.scheduling.labels import status_label
from supervision.scheduling.models import (
    Hearing,
    Observation,
)


def home_panel(user) -> str | None:
    """The home page's "today" block for supervisors: calls due and observations coming."""
    if not user.has_role("supervisor"):
        return None
    today = clock.today()
    due, more = listing.capped_count(db.session, calls.calls_statement(due_before=today, open_only=True), 99)
    coming = db.session.scalar(
        sa.select(sa.func.count()).where(
            Observation.observer_id == user.id,
            Observation.status == "scheduled",
            Observation.starts_at > clock.now(),
        )
    )
    return Markup(
        render_template("supervision/scheduling/_home_panel.html", due=due, more=more, coming=coming)
    )


def provider_home_panel(user) -> str | None:
    if user.provider_id is None:
        return None
    coming = list(
        db.session.scalars(
            sa.select(Hearing)
            .where(
                Hearing.provider_id == user.provider_id,
                Hearing.status == "scheduled",
                Hearing.ends_at > clock.now(),
            )
            .order_by(Hearing.starts_at)
            .limit(5)
        )
    )
    if not coming:
        return None
    names = lookups([h.case_id for h in coming])
    return Markup(
        render_template("supervision/scheduling/_provider_panel.html", hearings=coming, names=names)
    )


def bell_label() -> str:
    """The inbox entry of the navigation: a bell with the unread count."""
    count = reminders.unread_count(db.session, current_user.id)
    return f"🔔 {_('Inbox')} {count}" if count else f"🔔 {_('Inbox')}"


def case_hearings(case) -> dict:
    """For the case page and the provider's assignment page: the case's hearings and whether the
    signed-in person may record one (its coordinator, or the provider handling it)."""
    if case is None or not current_user.is_authenticated:
        return {"visible": False}
    may_record = current_user.has_role(*hearings.RECORDERS) and case.status in hearings.HEARING_CASE_STATUSES
    if may_record and not current_user.has_role("coordinator", "admin"):
        live = current_assignment(db.session, case)
        may_record = live is not None and live.provider_id == current_user.provider_id
    rows = list(db.session.scalars(hearings.hearings_statement(case_id=case.id).limit(50)))
    return {
        "visible": bool(rows) or may_record,
        "hearings": rows,
        "may_record": may_record,
        "state": hearings.hearing_state,
        "status_label": status_label,
    }
