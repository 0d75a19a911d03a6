"""Domain errors raised by service functions. The API maps them to status codes (API.md), pages
map them to a flashed message. Views translate; they never decide."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields


class NotAllowed(DomainError):
    """The transition is not allowed from the current state (409)."""

    status = 409
    code = "not_allowed"


class Invalid(DomainError):
    """The input breaks a rule (422); ``fields`` names the fields at fault."""

    status = 422
    code = "invalid"


class NotFound(DomainError):
    """Unknown, or not yours (404): never reveal that another provider's object exists."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """The actor's role may not do this (403)."""

    status = 403
    code = "forbidden"


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"
