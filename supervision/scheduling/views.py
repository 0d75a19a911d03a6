"""Pages of supervision scheduling on two blueprints (``scheduling.*`` under /supervision, and the
calendar feed's ``scheduling_feed.*``): ``views_calls`` (follow-up calls and red flags),
``views_hearings`` (hearings and observations), ``views_calendar`` (deadlines, working days, inbox,
outbox, calendar feed), ``panels`` (home panels, the inbox bell). Thin: each form calls the same
service function as the API."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from legalaid.hooks import add_home_panel, add_nav

# Importing the page modules attaches their routes to the blueprints.
from supervision.scheduling import panels, views_calendar, views_calls, views_hearings  # noqa: F401
from supervision.scheduling.blueprint import bp, feed_bp


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(feed_bp)
    # The case page and the provider's assignment page include "supervision/scheduling/_case_hearings.html".
    app.jinja_env.globals["case_hearings"] = panels.case_hearings
    add_nav(app, "scheduling.call_list", lambda: str(_l("Calls")), ("supervisor",), order=40)
    add_nav(app, "scheduling.observation_list", lambda: str(_l("Observations")), ("supervisor",), order=41)
    add_nav(
        app, "scheduling.hearing_list", lambda: str(_l("Hearings")), ("coordinator", "provider"), order=42
    )
    add_nav(app, "scheduling.deadline_list", lambda: str(_l("Deadlines")), ("coordinator",), order=43)
    add_nav(app, "scheduling.red_flag_list", lambda: str(_l("Red flags")), ("supervisor",), order=44)
    add_nav(app, "scheduling.working_days", lambda: str(_l("Working days")), ("admin",), order=45)
    add_nav(app, "scheduling.outbox", lambda: str(_l("E-mail outbox")), ("admin",), order=46)
    add_nav(
        app,
        "scheduling.inbox",
        panels.bell_label,
        ("admin", "coordinator", "supervisor", "provider", "finance"),
        order=990,
    )
    add_home_panel(app, ("supervisor",), panels.home_panel, order=30)
    add_home_panel(app, ("provider",), panels.provider_home_panel, order=30)
