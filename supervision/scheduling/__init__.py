"""Supervision scheduling: hearings, observations, follow-up calls, red flags, deadlines, reminders,
the scheduler and calendar feeds (DESIGN.md §4 "Supervision scheduling")."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def register(app: Flask) -> None:
    from legalaid import exempt_from_csrf
    from legalaid.hooks import add_demo_step, add_home_panel, add_nav
    from supervision.scheduling import api, cli, demo, receivers, views

    receivers.connect()
    from supervision.scheduling import rules

    rules.declare_rules(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.feed_bp)
    app.register_blueprint(api.bp)
    exempt_from_csrf(app, api.bp)
    for command in cli.commands:
        app.cli.add_command(command)
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
        views.bell_label,
        ("admin", "coordinator", "supervisor", "provider", "finance"),
        order=990,
    )
    add_home_panel(app, ("supervisor",), views.home_panel, order=30)
    add_home_panel(app, ("provider",), views.provider_home_panel, order=30)
    add_demo_step(
        app, "supervision: hearings, observations and follow-up calls", demo.build_schedule, order=30
    )
