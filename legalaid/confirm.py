"""Ask before a destructive page action: a form step that works without JavaScript.

A view decorated with ``asks_first`` answers its first POST with a page that repeats the question and
every field the person sent, with a "Yes" button that posts them again with ``confirmed=yes``; only that
second POST reaches the view. Cancelling goes back to the page the person came from.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import render_template, request

CONFIRM_FIELD = "confirmed"


def _same_site(target: str | None, fallback: str) -> str:
    if target:
        parts = urlsplit(target)
        if parts.netloc in ("", request.host):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return fallback


def asks_first(question, *, yes=None, detail: Callable[..., str | None] | None = None):
    """Decorate a POST page view so that it runs only after the person confirmed.

    ``question`` and ``yes`` are (lazy) strings; ``detail`` is called with the view's arguments and may
    return a line that names the object (a case number, a person) so the question cannot be mistaken.
    """

    def decorate(view):
        @wraps(view)
        def asking(*args, **kwargs):
            if request.method != "POST" or request.form.get(CONFIRM_FIELD) == "yes":
                return view(*args, **kwargs)
            fields = [
                (name, value)
                for name, value in request.form.items(multi=True)
                if name not in ("csrf_token", CONFIRM_FIELD)
            ]
            return render_template(
                "confirm.html",
                question=question,
                yes=yes,
                detail=detail(*args, **kwargs) if detail else None,
                fields=fields,
                action=request.full_path.rstrip("?"),
                back=_same_site(request.referrer, request.path),
            )

        asking.asks_first = True
        return asking

    return decorate
