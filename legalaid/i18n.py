"""Language: this session's choice, else the user's setting, else the browser's, else the default."""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import Babel
from flask_login import current_user

babel = Babel()


def current_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    # The switch writes both the session and the user's setting; the session answers first because
    # another worker may still hold the user as read a few seconds ago (legalaid.auth._cached).
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    best = request.accept_languages.best_match(["zh", "zh-CN", "zh-Hans", "en"]) if request else None
    if best:
        return "en" if best == "en" else "zh_Hans"
    return current_app.config["BABEL_DEFAULT_LOCALE"]
