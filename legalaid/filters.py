"""Template helpers: masking, dates in the centre's time zone, navigation for the user's roles."""

from __future__ import annotations

import datetime as dt

from flask import Flask, request
from flask_login import current_user

from legalaid import clock
from legalaid.hooks import registry


def mask(value: str | None, keep: int = 4) -> str:
    """Personal data shown masked: only the last ``keep`` characters (DESIGN.md §5)."""
    if not value:
        return ""
    return "*" * max(len(value) - keep, 0) + value[-keep:]


def local_time(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    return value.astimezone(clock.centre_tz()).strftime(fmt)


def yuan(fen: int | None) -> str:
    """Integer fen shown as yuan with two decimals (no float on the way)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{part:02d}"


def role_label(role: str) -> str:
    from flask_babel import gettext as _

    return {
        "admin": _("Administrator"),
        "coordinator": _("Coordinator"),
        "supervisor": _("Supervisor"),
        "provider": _("Lawyer / adviser"),
        "finance": _("Finance"),
        "desk": _("Front desk"),
    }.get(role, role)


def register(app: Flask) -> None:
    app.jinja_env.filters.update(mask=mask, local_time=local_time, yuan=yuan)
    app.jinja_env.globals.update(role_label=role_label)

    @app.context_processor
    def navigation():
        from legalaid.i18n import current_locale
        from legalaid.pages import LANGUAGE_NAMES, LanguageForm

        items = []
        if current_user.is_authenticated:
            items = [
                n for n in sorted(registry().nav, key=lambda n: n.order) if current_user.has_role(*n.roles)
            ]
        form = LanguageForm(formdata=None)
        form.locale.data = current_locale()
        form.next.data = request.full_path.rstrip("?") if request else "/"
        return {
            "nav_items": items,
            "language_form": form,
            "language_names": LANGUAGE_NAMES,
            "locale": current_locale(),
        }
