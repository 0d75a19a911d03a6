"""Supervision scheduling: hearings, observations, follow-up calls, red flags, deadlines, reminders,
the scheduler and calendar feeds (DESIGN.md §4 "Supervision scheduling")."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from legalaid import exempt_from_csrf
    from legalaid.hooks import add_demo_step
    from supervision.scheduling import api, cli, demo, receivers, views

    receivers.connect()
    from supervision.scheduling import rules

    rules.declare_rules(app)
    views.register(app)
    app.register_blueprint(api.bp)
    exempt_from_csrf(app, api.bp)
    for command in cli.commands:
        app.cli.add_command(command)
    add_demo_step(
        app, "supervision: hearings, observations and follow-up calls", demo.build_schedule, order=30
    )
