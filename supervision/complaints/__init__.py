"""Complaints (法律援助投诉处理办法): registered, accepted or refused within 5 working days, investigated
(the respondent provider's statement), decided within 45 days of acceptance (one extension), answered
within 5 working days of the decision; an upheld complaint has its effects on the subsidy and the pools.

``services.py`` holds every transition; ``api.py`` and ``views.py`` are thin."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from legalaid import exempt_from_csrf
    from supervision.complaints import api, demo, models, views  # noqa: F401  (models: the tables)

    app.register_blueprint(api.bp)
    exempt_from_csrf(app, api.bp)
    demo.register(app)
    views.register_pages(app)
