"""Archiving and subsidy release: no payment before the file is archived, every payment exactly once.

``archive.py`` files cases; ``rates.py`` computes amounts; ``subsidies.py`` is the subsidy lifecycle;
``batches.py`` pays them; ``exports.py`` writes the files; ``api.py`` and ``views.py`` are thin."""

from __future__ import annotations

from flask import Flask

from assignment import signals as assignment_signals


def _on_assignment_accepted(session, assignment, actor=None, **_):
    from supervision.subsidies.subsidies import create_pending_subsidy

    create_pending_subsidy(session, actor, assignment)


def _on_assignment_ended(session, assignment, reason=None, actor=None, **_):
    if reason != "reassigned":
        return
    from supervision.subsidies.subsidies import cancel_subsidy

    cancel_subsidy(session, actor, assignment, "the case was reassigned")


def connect_signals() -> None:
    assignment_signals.assignment_accepted.connect(_on_assignment_accepted)
    assignment_signals.assignment_ended.connect(_on_assignment_ended)


def register(app: Flask) -> None:
    from legalaid import exempt_from_csrf
    from supervision.subsidies import api, archive, cli, demo, views  # noqa: F401  (archive: read-only guard)

    connect_signals()
    app.register_blueprint(api.bp)
    exempt_from_csrf(app, api.bp)
    views.register(app)
    cli.register(app)
    demo.register(app)
