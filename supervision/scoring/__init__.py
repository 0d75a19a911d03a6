"""Closing a case and scoring its file on the 100-point checklist (百分考核).

closing.py      the provider's closing report, closing materials, the 30-day hand-in limit
checklists.py   checklist versions: draft, validate (sum to 100), publish, the version in force
scoring.py      score sheets, suggestions, second/third marking, final score, acceptance, appeal
reports.py      quality views: averages, grade distributions, scorer drift, CSV, SVG chart
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from legalaid import exempt_from_csrf
    from supervision.scoring import api, demo, views

    app.register_blueprint(api.bp)
    exempt_from_csrf(app, api.bp)
    views.register(app)
    demo.register(app)
    from supervision.scoring import rules

    rules.declare_rules(app)
