"""Supervision: hearings, observations, follow-up calls, deadlines, scoring, archiving, subsidies."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Supervision's capabilities register here as they are built."""
    from supervision import subsidies

    subsidies.register(app)
    from supervision import scoring

    scoring.register(app)
    from supervision import scheduling

    scheduling.register(app)
    from supervision import statistics

    statistics.register(app)
    from supervision import complaints

    complaints.register(app)
