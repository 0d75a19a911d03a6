"""Legal aid supervision and assignment service: the application shell.

``create_app`` is the only place that knows the two areas (``assignment``, ``supervision``): it
registers their blueprints, CLI commands, pages and demo steps through ``legalaid.hooks``.
"""

from __future__ import annotations

import gc
import os
import secrets
from pathlib import Path

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent


def _resource_dir(package: str) -> str:
    """Where a data package (templates, migrations) lives, installed or in the source tree."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {package!r} folder is not installed")
    return list(spec.submodule_search_locations)[0]


def _secret_key(app: Flask) -> str:
    key = app.config.get("SECRET_KEY")
    if key:
        return key
    if not app.config["DEV_MODE"]:
        raise RuntimeError(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random value "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))'), or set "
            "LEGALAID_DEBUG=1 for a development server with a key kept in the instance folder."
        )
    # Development only: one key per instance folder, so sessions survive a restart.
    path = Path(app.instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: dict | None = None) -> Flask:
    from legalaid import config as settings

    app = Flask(
        __name__,
        instance_path=os.environ.get("LEGALAID_INSTANCE") or None,
        template_folder=_resource_dir("templates"),
        static_folder=str(PACKAGE_DIR / "static"),
    )
    app.config.update(settings.DEFAULTS)
    app.config.update(settings.from_environment(app.instance_path))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PACKAGE_DIR / "translations")
    if config:
        app.config.update(config)
    app.config["SECRET_KEY"] = _secret_key(app)
    from legalaid import clock

    clock.start_from_environment()
    app.before_request(clock.note_request_arrival)
    # Field order as written (ids first) and no sorting cost on every response.
    app.json.sort_keys = False

    if app.config["PROXY_FIX_COUNT"]:
        # Behind N proxies, trust N X-Forwarded-* hops (flask-login and the lockout read the address).
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_FIX_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    _init_extensions(app)
    _register_shell(app)

    import assignment
    import supervision

    assignment.register(app)
    supervision.register(app)
    from legalaid import rules

    rules.apply(app)  # after the areas declared their rules: unknown keys and bad values stop the start
    if not app.testing:
        _settle_heap()
    return app


def _settle_heap() -> None:
    """The ~150,000 objects the started app holds (modules, routes, mappers, templates) live as long
    as the worker: move them out of the cyclic collector's reach, so that a full collection during a
    request walks only what requests made (77 ms → a few ms; a month's duty rota for 50 stations
    spent a third of its time in such collections). Tests create many apps and skip this."""
    gc.collect()
    gc.freeze()


def _init_extensions(app: Flask) -> None:
    from flask_migrate import Migrate
    from flask_wtf.csrf import CSRFProtect

    from legalaid import i18n
    from legalaid.auth import login_manager
    from legalaid.db import db

    db.init_app(app)
    Migrate(app, db, directory=_resource_dir("migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)

    @app.teardown_request
    def forget_request_user(exc=None):
        # Flask-Login keeps the request's user on ``g``, which lives as long as the app context. When a
        # caller holds one app context across requests (tests, CLI scripts), the next request must
        # authenticate afresh, as it does in a worker.
        from flask import g

        g.pop("_login_user", None)

    i18n.install(app)
    csrf = CSRFProtect(app)
    app.extensions["csrf_protect"] = csrf


def _register_shell(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from legalaid import (
        admin_pages,
        cli,
        export_api,
        export_pages,
        filters,
        limits,
        pages,
        security,
        shell_api,
    )
    from legalaid.api import register_error_handlers
    from legalaid.hooks import add_nav

    security.register(app)  # headers on every answer; cross-site API writes refused before parsing
    limits.init_app(app)  # first: it bounds the <int:...> converter of every route added after it
    register_error_handlers(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(admin_pages.bp)
    add_nav(app, "shell_admin.user_list", lambda: str(_l("Users")), ("admin",), order=900)
    add_nav(app, "shell_admin.rules_in_force", lambda: str(_l("Rules in force")), ("admin",), order=910)
    app.register_blueprint(shell_api.bp)
    # The JSON API authenticates by session cookie (SameSite=Lax) or bearer token and only accepts
    # JSON bodies, which a cross-site form cannot send; CSRF tokens are for the pages.
    app.extensions["csrf_protect"].exempt(shell_api.bp)
    # Files prepared in the background (issue 16): the kinds are the areas' (legalaid.hooks).
    app.register_blueprint(export_pages.bp)
    app.register_blueprint(export_api.bp)
    app.extensions["csrf_protect"].exempt(export_api.bp)
    filters.register(app)
    cli.register(app)


def exempt_from_csrf(app: Flask, blueprint) -> None:
    """For the areas' JSON blueprints (see _register_shell for why)."""
    app.extensions["csrf_protect"].exempt(blueprint)
