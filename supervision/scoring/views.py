"""Pages of closing and scoring, registered on one blueprint (``scoring.*``): ``views_closing`` (the
provider's closing form and scores), ``views_marking`` (the supervisors' worklist, file and score sheet),
``views_checklists`` (the checklist admin), ``views_quality`` (the quality report), ``panels`` (home
panels). Views are thin: each POST calls one service function; a domain error becomes a flashed
message."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from legalaid.hooks import add_home_panel, add_nav

# Importing the page modules attaches their routes to ``bp``.
from supervision.scoring import panels, views_checklists, views_closing, views_marking, views_quality  # noqa: F401
from supervision.scoring.blueprint import bp
from supervision.scoring.labels import (
    auto_label,
    document_label,
    grade_label,
    ground_label,
    item_label,
    outcome_label,
    reason_text,
    role_label,
    status_label,
)


def _case_cause_label(case) -> str:
    from assignment.views import cause_label  # the case pages' own: the cause in the reader's language

    return cause_label(case)


def register(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(
        grade_label=grade_label,
        score_status_label=status_label,
        sheet_role_label=role_label,
        outcome_label=outcome_label,
        ground_label=ground_label,
        item_label=item_label,
        auto_label=auto_label,
        case_cause_label=_case_cause_label,
        reason_text=reason_text,
        document_label=document_label,
    )
    add_nav(app, "scoring.worklist", lambda: _("Scoring"), ("supervisor",), order=40)
    add_nav(app, "scoring.quality", lambda: _("Quality"), ("supervisor", "admin"), order=45)
    add_nav(app, "scoring.checklist_list", lambda: _("Checklists"), ("admin",), order=46)
    add_nav(app, "scoring.my_scores", lambda: _("My scores"), ("provider",), order=40)
    add_home_panel(app, ("supervisor",), panels.supervisor_panel, order=40)
    add_home_panel(app, ("provider",), panels.provider_panel, order=40)
