"""Pages of the assignment area: registration (blueprints, navigation, home panels) and the helpers
the page modules share. The pages themselves: ``views_intake`` (intake queue, case page),
``views_my_assignments`` (the provider's assignments), ``views_panel`` (the panel, CSV import),
``views_pools`` (rotation pools), ``views_reports`` (fairness).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps

from flask import Flask, flash, render_template, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import Form

from assignment import queries
from assignment.forms import LABELS
from assignment.intake import CAUSES, case_deadlines
from assignment.models import Assignment, Case
from legalaid import clock
from legalaid.confirm import asks_first
from legalaid.db import db
from legalaid.errors import DomainError
from legalaid.models import CASE_STAFF

STAFF = CASE_STAFF
REPORT_READERS = CASE_STAFF
HOME_PANEL_ROWS = 8


def label(kind: str, code: str | None) -> str:
    """A code shown in the reader's language (``label("status", case.status)``)."""
    if code is None:
        return ""
    return str(LABELS[kind].get(code, code))


def cause_label(case: Case) -> str:
    """Non-criminal causes come from the published list (with their Chinese label); a criminal
    case's cause is the charge as typed."""
    if case.case_type == "criminal" or case.cause not in CAUSES:
        return case.cause
    en, zh = CAUSES[case.cause]
    return zh if str(get_locale()) == "zh_Hans" else en  # the request's choice, made once


def deadline_class(deadline: dict, today: dt.date) -> str:
    """Overdue: red; due today or tomorrow: amber (the .overdue / .due-soon classes)."""
    if deadline["state"] in ("overdue", "done_late"):
        return "overdue"
    if deadline["state"] == "open" and deadline["due_on"] and (deadline["due_on"] - today).days <= 1:
        return "due-soon"
    return ""


def explanation_provider_ids(assignments) -> set[int]:
    ids: set[int] = set()
    for a in assignments:
        e = a.explanation or {}
        ids.add(a.provider_id)
        for row in [*e.get("skipped", []), e.get("picked") or {}, *e.get("next", []), *e.get("window", [])]:
            if row.get("provider_id"):
                ids.add(row["provider_id"])
    return ids


def page_helpers() -> dict:
    return {
        "label": label,
        "cause_label": cause_label,
        "deadline_class": deadline_class,
        "deadlines": case_deadlines,
    }


def fail(exc: DomainError, form: Form | None = None, aliases: dict | None = None) -> None:
    """Undo the transaction and tell the user: the message flashed, field errors on the form."""
    db.session.rollback()
    if form is not None and exc.fields:
        for name, problems in exc.shown_fields().items():
            target = (aliases or {}).get(name, name)
            if target in form:
                form[target].errors = [*form[target].errors, *problems]
    flash(exc.shown(), "error")


def asks_first_when(wanted: Callable[[dict], bool], question, **kwargs):
    """``legalaid.confirm.asks_first``, asked only when ``wanted(request.form)``: a rejection asks, an
    approval on the same form does not; a form missing its reason is refused before anyone is asked."""

    def decorate(view):
        asking = asks_first(question, **kwargs)(view)

        @wraps(view)
        def maybe(*args, **kw):
            return asking(*args, **kw) if wanted(request.form) else view(*args, **kw)

        maybe.asks_first = True
        return maybe

    return decorate


def filled(*names: str) -> Callable[[dict], bool]:
    """``asks_first_when(filled("reassign-reason"), …)``: ask once the required fields are there."""
    return lambda form: all((form.get(name) or "").strip() for name in names)


def case_detail(case_id: int) -> str | None:
    """The line of a question that names the case (``asks_first(detail=…)``)."""
    from flask_babel import gettext

    case = db.session.get(Case, case_id)
    return gettext("Case %(number)s", number=case.number) if case is not None else None


# --- home panels ---


def coordinator_home_panel(user) -> Markup | None:
    """What the coordinator has to do: applications to decide, accepted cases to assign."""
    deciding = queries.queue(db.session, queries.QUEUE_SECTIONS["decision"], HOME_PANEL_ROWS)
    assigning = queries.queue(db.session, queries.QUEUE_SECTIONS["assignment"], HOME_PANEL_ROWS)
    counts = {
        key: queries.queue_count(db.session, queries.QUEUE_SECTIONS[key])
        for key in ("decision", "assignment")
    }
    return Markup(
        render_template(
            "assignment/_coordinator_panel.html",
            deciding=deciding,
            assigning=assigning,
            counts=counts,
            today=clock.today(),
            **page_helpers(),
        )
    )


def provider_home_panel(user) -> Markup | None:
    """Assignments waiting for the provider's answer."""
    offered: list[Assignment] = queries.offered_to(db.session, user.provider_id)
    if not offered:
        return None
    return Markup(render_template("assignment/_provider_panel.html", offered=offered, **page_helpers()))


def admin_home_panel(user) -> Markup:
    """The panel at a glance, with the way to each of its pages."""
    import sqlalchemy as sa

    from assignment.models import Organization, PoolMember, Provider, RotationPool

    def count(stmt):
        return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))

    counts = {
        "providers": count(sa.select(Provider.id).where(Provider.active)),
        "inactive": count(sa.select(Provider.id).where(~Provider.active)),
        "at_cap": count(
            sa.select(Provider.id).where(Provider.active, Provider.open_cases >= Provider.max_open_cases)
        ),
        "organizations": count(sa.select(Organization.id)),
        "pools": count(sa.select(RotationPool.id)),
        "outside_pools": count(
            sa.select(Provider.id).where(
                Provider.active, ~sa.exists().where(PoolMember.provider_id == Provider.id)
            )
        ),
    }
    return Markup(render_template("assignment/_admin_panel.html", counts=counts))


def register_pages(app: Flask) -> None:
    # views_my_assignments and views_pools add their routes to views_intake's and views_panel's blueprints.
    from assignment import views_intake, views_my_assignments, views_panel, views_pools, views_reports  # noqa: F401
    from legalaid.hooks import add_home_panel, add_nav

    for blueprint in (views_intake.bp, views_panel.bp, views_reports.bp):
        app.register_blueprint(blueprint)
    add_nav(app, "assignment_pages.queue", lambda: str(_l("Intake queue")), ("coordinator",), order=10)
    add_nav(
        app, "assignment_pages.my_assignments", lambda: str(_l("My assignments")), ("provider",), order=10
    )
    add_nav(app, "panel_pages.providers", lambda: str(_l("Panel")), ("admin",), order=800)
    add_nav(app, "panel_pages.pools", lambda: str(_l("Pools")), ("admin",), order=801)
    add_nav(app, "rotation_reports.fairness", lambda: str(_l("Fairness report")), REPORT_READERS, order=60)
    add_home_panel(app, ("coordinator",), coordinator_home_panel, order=10)
    add_home_panel(app, ("provider",), provider_home_panel, order=10)
    add_home_panel(app, ("admin",), admin_home_panel, order=2)
