"""Language: this session's choice, else the user's setting, else the browser's, else the default."""

from __future__ import annotations

from flask import current_app, g, request, session
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user

babel = Babel()


def translations():
    """The catalogue of the language in force, looked up once per request and language: Flask-Babel
    looks it up again on every call (6 µs, and a list page of 150 rows translates 2,400 words).
    Keyed by the locale object itself, so ``force_locale`` (a message in its reader's language)
    gets its own catalogue and the request's returns after it."""
    if not g:
        return get_translations()
    locale = get_locale()
    cached = g.get("_catalogue")
    if cached is None or cached[0] is not locale:
        cached = g._catalogue = (locale, get_translations())
    return cached[1]


def install(app) -> None:
    """Flask-Babel, and the templates' ``_`` through the request's catalogue."""
    babel.init_app(app, locale_selector=current_locale)
    app.jinja_env.install_gettext_callables(
        lambda s: translations().ugettext(s),
        lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


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
