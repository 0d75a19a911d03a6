"""Statistics: the centre's monthly and annual figures, as JSON and as a page with charts."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from legalaid import exempt_from_csrf
    from legalaid.hooks import add_nav
    from legalaid.models import CASE_STAFF
    from supervision.statistics import annual, annual_api, annual_views, api, views

    annual.declare_rules(app)
    app.register_blueprint(api.bp)
    exempt_from_csrf(app, api.bp)
    app.register_blueprint(annual_api.bp)
    exempt_from_csrf(app, annual_api.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(annual_views.bp)
    add_nav(
        app,
        "statistics.summary_page",
        lambda: str(_l("Statistics")),
        (*CASE_STAFF, "finance"),
        order=800,
    )
