"""Language: the user's setting, else the session's choice, else the browser's, else the default."""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import Babel
from flask_login import current_user

babel = Babel()


def current_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    best = request.accept_languages.best_match(["zh", "zh-CN", "zh-Hans", "en"]) if request else None
    if best:
        return "en" if best == "en" else "zh_Hans"
    return current_app.config["BABEL_DEFAULT_LOCALE"]
