"""A subsidy's reasons (``hold_reason``, ``reason``): stored as a code with its facts when the service
wrote them itself, as typed when a person did; put into words when read.

A code is stored as a small JSON object (``{"code":"red_flag_took_money","flag_id":12}``) so that the
words can change, and be read in Chinese or English, without touching the rows. Rows written before
codes hold the English words themselves: those are recognised on reading, so no migration rewrites
them. Words come back as ``say`` text: English for the API and the audit, the reader's language on a
page (``legalaid.errors.shown``). A reason a person typed is shown as typed, marked as user data on a
page so its language is the writer's, not the page's.
"""

from __future__ import annotations

import json

from markupsafe import Markup, escape

from legalaid.errors import Text, say

# The codes, each with its words (the facts are kept for the record and for finding the row again).
RED_FLAG_TOOK_MONEY = "red_flag_took_money"  # held: facts flag_id, case_id
TOOK_MONEY_CONFIRMED = "took_money_confirmed"  # closed at ¥0.00
ZERO_BY_RULE = "zero_by_rule"  # closed at ¥0.00
REASSIGNED = "reassigned"  # cancelled
RED_FLAG_RESOLVED = "red_flag_resolved"  # released: facts flag_id, outcome (dismissed | confirmed)

WORDS = {
    RED_FLAG_TOOK_MONEY: say("red flag: the client said the provider took money or gifts (Law art. 20)"),
    TOOK_MONEY_CONFIRMED: say("the took-money red flag was confirmed: no subsidy is paid (Law art. 20)"),
    ZERO_BY_RULE: say("the amount under the rates and rules is ¥0.00"),
    REASSIGNED: say("the case was reassigned"),
    RED_FLAG_RESOLVED: say("the red flag was resolved"),
}
# Rows stored before codes: the English words themselves.
_LEGACY = {str(words): code for code, words in WORDS.items()}


def coded(code: str, **facts) -> str:
    """The stored form of a reason the service writes itself."""
    if code not in WORDS:
        raise ValueError(f"unknown reason code {code!r}")
    return json.dumps({"code": code, **facts}, sort_keys=True, separators=(",", ":"))


def code_of(stored: str | None) -> tuple[str, dict] | None:
    """The code and facts of a stored reason, or None when a person typed it."""
    if not stored:
        return None
    if stored in _LEGACY:
        return _LEGACY[stored], {}
    if not stored.startswith("{"):
        return None
    try:
        value = json.loads(stored)
    except ValueError:
        return None
    if not isinstance(value, dict) or value.get("code") not in WORDS:
        return None
    facts = dict(value)
    code = facts.pop("code")
    if coded(code, **facts) != stored:  # only the exact form the service writes
        return None
    return code, facts


def is_coded(stored: str | None) -> bool:
    return code_of(stored) is not None


def typed_reason(text: str) -> str:
    """What a person typed, stored as typed; never taken for a code (a typed code is kept as words)."""
    text = text.strip()
    return text + " " if is_coded(text) else text


class Typed(Text):
    """A reason a person typed: itself everywhere; on a page, marked as user data."""

    def __new__(cls, text: str):
        typed = str.__new__(cls, text)
        typed.msgid, typed.values = text, {}
        return typed

    def translated(self) -> str:
        return Markup('<span class="user-data">%s</span>') % str(self)


class WithTyped(Text):
    """A message holding a typed reason: translated around it, the typed words kept and marked."""

    def translated(self) -> str:
        from flask_babel import gettext

        from legalaid.errors import shown

        marker = "\x00{%s}\x00"
        values = {
            name: (marker % name if isinstance(value, Typed) else shown(value))
            for name, value in self.values.items()
        }
        text = escape(gettext(self.msgid, **values))
        for name, value in self.values.items():
            if isinstance(value, Typed):
                text = Markup(text.replace(marker % name, value.translated()))
        return Markup(text)


def words(stored: str | None) -> str | None:
    """A stored reason in words: ``say`` text for a code, the typed text otherwise (None: no reason)."""
    if not stored:
        return None
    found = code_of(stored)
    if found is not None:
        return WORDS[found[0]]
    return Typed(stored)


def keeping_typed(text: Text) -> Text:
    """``text`` (a ``say`` message) with a typed reason among its values kept as the person's words."""
    if any(isinstance(value, Typed) for value in text.values.values()):
        return WithTyped(text.msgid, text.values)
    return text
