"""Domain errors raised by service functions. The API maps them to status codes (API.md), pages
map them to a flashed message. Views translate; they never decide.

Messages are written with ``say``: English text that remembers its message id and values, so the
API, the logs and the tests read English while a page shows the same message in the reader's
language (``DomainError.shown``, ``shown``)."""

from __future__ import annotations


class Text(str):
    """English text (``msgid % values``) that can be told again in the reader's language."""

    def __new__(cls, msgid: str, values: dict):
        text = super().__new__(cls, msgid % values if values else msgid)
        text.msgid, text.values = msgid, values
        return text

    def translated(self) -> str:
        from flask_babel import gettext

        return gettext(self.msgid, **{name: shown(value) for name, value in self.values.items()})


class Joined(Text):
    """Several messages as one value (``"; ".join``), each told again in the reader's language."""

    def __new__(cls, items: list, separator: str):
        text = str.__new__(cls, separator.join(items))
        text.msgid, text.values, text.items, text.separator = str(text), {}, list(items), separator
        return text

    def translated(self) -> str:
        return self.separator.join(shown(item) for item in self.items)


def say(msgid: str, **values) -> Text:
    """A message for people: ``say("Case %(number)s is closed.", number=case.number)``. The message id
    is extracted into the catalogs (``legalaid translations update``); values are shown as given."""
    return Text(msgid, values)


class Labelled(Text):
    """A code (a status, a case type) inside a message: itself in English, its label on a page."""

    def __new__(cls, code: str, label):
        text = str.__new__(cls, code)
        text.msgid, text.values, text.label = code, {}, label
        return text

    def translated(self) -> str:
        return str(self.label)


def labelled(code: str, labels: dict) -> Labelled:
    """``code`` shown through ``labels`` (lazy translations) on pages, as it is elsewhere."""
    return Labelled(code, labels.get(code, code))


def joined(items: list, separator: str = "; ") -> Joined:
    """``separator.join(items)`` that a page shows with each item in the reader's language."""
    return Joined(items, separator)


def shown(text: str) -> str:
    """``text`` in the reader's language when it was written with ``say``, else as it is."""
    return text.translated() if isinstance(text, Text) else text


class DomainError(Exception):
    status = 400
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields

    def shown(self) -> str:
        """The message in the reader's language (pages; the API answers in English)."""
        return shown(self.message)

    def shown_fields(self) -> dict[str, list[str]]:
        return {name: [shown(p) for p in problems] for name, problems in (self.fields or {}).items()}


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
