"""The centre's rules configuration: every number of DESIGN.md §4 in one place, validated at start-up.

Each area declares the rule sets it reads (``declare``: a configuration key such as ``CASE_LIMITS``,
its defaults and what they mean) when the app factory registers it; ``apply`` then merges the TOML
file named by ``LEGALAID_RULES`` (if any) over what ``create_app`` was given, and refuses to start on
an unknown key or a value of the wrong kind, saying which. The admin page "Rules in force" shows
the result. The areas keep reading their settings through their own small accessors
(``deadlines.limits()``, ``scheduling.rules.setting()``, …), which fall back to these defaults.

A TOML file looks like::

    [CASE_LIMITS]
    closing_materials_days = 15     # Zhejiang

    [DEADLINE_UNITS]
    decision = "working"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask import Flask


@dataclass
class RuleSet:
    key: str
    defaults: dict
    title: object  # a lazy translation
    check: Callable[[str, object], str | None] | None = None
    notes: dict = field(default_factory=dict)


class RulesError(RuntimeError):
    """The rules configuration names an unknown rule or gives a value it cannot take."""


def declare(app: Flask, key: str, defaults: dict, title, check=None, notes: dict | None = None) -> None:
    """An area's rule set: ``app.config[key]`` may override any of ``defaults``, nothing else."""
    app.extensions.setdefault("legalaid_rules", {})[key] = RuleSet(
        key, dict(defaults), title, check, notes or {}
    )


def declared(app: Flask) -> dict[str, RuleSet]:
    return app.extensions.get("legalaid_rules", {})


def _kind_problem(default, value) -> str | None:
    """Whether ``value`` can stand where ``default`` stands (same kind; numbers not negative)."""
    if isinstance(default, bool):
        return None if isinstance(value, bool) else "must be true or false"
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "must be a number"
        if isinstance(default, int) and not isinstance(value, int):
            return "must be a whole number"
        return None if value >= 0 else "must not be negative"
    if isinstance(default, str):
        if not isinstance(value, str):
            return "must be text"
        try:  # a decimal written as text (a multiplier) stays a decimal
            Decimal(default)
        except InvalidOperation:
            return None
        try:
            return None if Decimal(value) >= 0 else "must not be negative"
        except InvalidOperation:
            return 'must be a decimal number written as text, e.g. "1.2"'
    if isinstance(default, tuple | list):
        if not isinstance(value, tuple | list) or not value:
            return "must be a list"
        problems = [p for v in value if (p := _kind_problem(default[0], v))] if default else []
        return f"every item {problems[0]}" if problems else None
    if isinstance(default, dict):
        if not isinstance(value, dict):
            return "must be a table"
        for name, sub in value.items():
            if name not in default:
                return f"has no rule {name!r} (known: {', '.join(default)})"
            if problem := _kind_problem(default[name], sub):
                return f"{name} {problem}"
        return None
    return None


def problems(app: Flask) -> list[str]:
    found = []
    for key, rule in declared(app).items():
        given = app.config.get(key)
        if given is None:
            continue
        if not isinstance(given, dict):
            found.append(f"{key} must be a table of rules")
            continue
        for name, value in given.items():
            if name not in rule.defaults:
                found.append(f"{key}: unknown rule {name!r} (known: {', '.join(rule.defaults)})")
            else:
                problem = _kind_problem(rule.defaults[name], value)
                if problem is None and rule.check:
                    problem = rule.check(name, value)
                if problem:
                    found.append(f"{key}.{name} {problem} (given {value!r})")
    return found


def load_file(path: str) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise RulesError(f"LEGALAID_RULES names {path!r}, which cannot be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"LEGALAID_RULES file {path!r} is not valid TOML: {exc}") from exc


def apply(app: Flask) -> None:
    """Merge the ``LEGALAID_RULES`` file over the configuration and check every rule; called by
    ``create_app`` after the areas declared theirs. A bad configuration stops the start with a list
    of what is wrong, so a centre never runs on a rule it did not mean."""
    path = os.environ.get("LEGALAID_RULES")
    found = []
    if path:
        for key, table in load_file(path).items():
            if key not in declared(app):
                found.append(f"{path}: unknown rule set [{key}] (known: {', '.join(declared(app))})")
            elif not isinstance(table, dict):
                found.append(f"{path}: [{key}] must be a table")
            else:
                app.config[key] = {**(app.config.get(key) or {}), **table}
    found += problems(app)
    if found:
        raise RulesError("The rules configuration is not valid:\n  " + "\n  ".join(found))


def in_force(app: Flask) -> list[tuple[RuleSet, list[tuple[str, object, bool]]]]:
    """Each rule set with ``(name, value, changed from the default)`` for the admin page."""
    out = []
    for rule in declared(app).values():
        given = app.config.get(rule.key) or {}
        rows = [(name, given.get(name, default), name in given) for name, default in rule.defaults.items()]
        out.append((rule, rows))
    return out
