"""Closing a case and scoring its file on the 100-point checklist (百分考核).

closing.py      the provider's closing report, closing materials, the 30-day hand-in limit
checklists.py   checklist versions: draft, validate (sum to 100), publish, the version in force
files.py        the score file and its sheets as each reader may see them; when a score is settled
who_may_mark.py who may mark a file, and which sheet it needs next
suggestions.py  the scores the rules suggest (dates, observation ratings, the red flag's veto)
sheets.py       a score sheet from draft to submitted; second/third marking; the final score
appeals.py      the provider's acceptance or appeal, and the appeal's decision
vetoes.py       a confirmed took-money red flag fails the score by the veto
reports.py      quality views: averages, grade distributions, scorer drift, CSV, SVG chart
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from legalaid import exempt_from_csrf
    from supervision import signals
    from supervision.scoring import api, demo, vetoes, views

    # Blinker keys receivers by identity: connecting again (one app per test) changes nothing.
    signals.red_flag_resolved.connect(vetoes.on_red_flag_resolved, weak=False)
    app.register_blueprint(api.bp)
    exempt_from_csrf(app, api.bp)
    views.register(app)
    demo.register(app)
    from supervision.scoring import rules

    rules.declare_rules(app)
