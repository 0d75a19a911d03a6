"""What every answer carries and what a cookie-signed API write must show (README "Sessions and headers").

Headers, on every answer (pages, API, static files, errors): a Content-Security-Policy that lets a
page run only the scripts and styles the service serves itself (no inline script, no inline style
attribute, nothing from elsewhere), may not be framed, and may post forms only to this service;
``X-Frame-Options`` and ``X-Content-Type-Options`` for older browsers; a referrer policy that keeps
paths (case ids) inside the service. ``Strict-Transport-Security`` when the request came over HTTPS.

Cross-site writes. The pages carry CSRF tokens. The JSON API, signed in by the session cookie, is
protected by the cookie's ``SameSite=Lax`` and by two checks here on every POST, PUT, PATCH and DELETE
under ``/api/`` that does not carry a bearer token (a browser never adds one by itself):

* an ``Origin`` header (else a ``Referer``) naming another site is refused with 403. Browsers send
  ``Origin`` with every such request, cross-site or not, so a forged one always shows where it came
  from; a request with neither header is not from a browser (a script with its own cookie jar);
* a body must be ``application/json``; any other content type is refused with 400, even with an
  empty body. An HTML form can only send form or text types, and a page of another site cannot send
  JSON here without a CORS preflight, which this service never grants.

Sign-in (``POST /api/v1/session``) has no cookie to protect yet but passes the same checks, so a
foreign page cannot sign a browser in to an account of its choosing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

from legalaid.api import error_response, is_api_request
from legalaid.errors import say

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_HEADERS_LOWER = [(name.lower(), name, value) for name, value in HEADERS.items()]
HSTS = "max-age=31536000"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def register(app: Flask) -> None:
    app.before_request(refuse_cross_site_api_writes)
    app.after_request(add_security_headers)


def add_security_headers(response: Response) -> Response:
    # An answer that needs another policy sets its own; one pass over the headers (this runs on
    # every answer, and ``setdefault`` scans them once per name).
    present = {name.lower() for name, _value in response.headers}
    for lower, name, value in _HEADERS_LOWER:
        if lower not in present:
            response.headers.add(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origins() -> set[str]:
    """This service's origins: as the request reached it (behind a proxy, as ``PROXY_FIX_COUNT``
    lets it see the browser's address) and as configured (``LEGALAID_BASE_URL``)."""
    origins = {_origin_of(request.host_url)}
    base = current_app.config.get("BASE_URL")
    if base:
        origins.add(_origin_of(base))
    origins.discard(None)
    return origins


def sending_origin() -> str | None:
    """Where the request says it was sent from: ``Origin``, else the ``Referer``'s origin; None when
    it names neither. A present but unreadable value (``Origin: null``) counts as foreign."""
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.strip().lower()
    referer = request.headers.get("Referer")
    if referer is not None:
        return _origin_of(referer.strip()) or "null"
    return None


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def refuse_cross_site_api_writes():
    if request.method not in WRITE_METHODS or not is_api_request():
        return None
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return None
    origin = sending_origin()
    if origin is not None and origin not in own_origins():
        message = say("Changes must come from this service's own pages, not from %(origin)s.", origin=origin)
        return error_response(403, "foreign_origin", message)
    if (request.mimetype or _has_body()) and request.mimetype != "application/json":
        return error_response(400, "unsupported_media_type", say("Send the body as application/json."))
    return None
