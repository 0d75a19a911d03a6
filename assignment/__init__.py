"""Assignment: the panel, organisations, rotation pools, cases and intake, rotation, assignments."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from assignment import api, cli, consultations_models, demo  # noqa: F401 (the front desk's tables)
    from assignment.duty import models as duty_models  # noqa: F401 (the duty rota's tables)
    from assignment.labels import case_type_label
    from assignment.views import register_pages
    from legalaid import exempt_from_csrf

    app.register_blueprint(api.bp)
    exempt_from_csrf(app, api.bp)
    from assignment import consultations_api

    app.register_blueprint(consultations_api.bp)
    exempt_from_csrf(app, consultations_api.bp)
    from assignment.duty import api as duty_api

    app.register_blueprint(duty_api.bp)
    exempt_from_csrf(app, duty_api.bp)
    from assignment import station_api

    app.register_blueprint(station_api.bp)
    exempt_from_csrf(app, station_api.bp)
    cli.register(app)
    demo.register(app)
    register_pages(app)
    from assignment import consultations_views

    consultations_views.register_pages(app)
    from assignment.duty import views as duty_views

    duty_views.register_pages(app)
    from assignment import station_views

    station_views.register_pages(app)
    app.jinja_env.globals["case_type_label"] = case_type_label
    from assignment.consultations import register_export_kind
    from legalaid.hooks import add_export_kind

    add_export_kind(app, register_export_kind())
    from assignment import deadlines, rotation

    deadlines.declare_rules(app)
    rotation.declare_rules(app)
