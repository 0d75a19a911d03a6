"""One input boundary: what every request, body, form and query may hold (README "Input limits").

Checked where input is parsed, once for every endpoint and page:

* ``check_request`` (before every view): the body's size (413), the path, the query string and
  form fields are valid UTF-8 without NUL (400), and an API body is a JSON object nested at most
  ``max_json_depth`` deep whose strings hold no NUL or lone surrogate and whose numbers are finite
  and fit 64 bits. psycopg cannot send a NUL or a lone surrogate, and SQLite would store them, so
  they are refused here, before any service code runs.
* ``IdConverter`` replaces Flask's ``<int:...>`` converter: an id above the database's integer range
  is a plain 404.
* The marshmallow fields below (``Int``, ``Date``, ``DateTime``, ``Year``, ``List``) bound integers
  to their column's range, dates to a plausible window and lists to a length without duplicates;
  the WTForms validators (``InWindow``) and ``int_arg`` give pages the same limits.

Date windows are named (``past``, ``practice``, ``planning``, ``hearing``) and measured from the
centre's clock; their bounds are configuration (``INPUT_LIMITS``, legalaid/config.py).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import urllib.parse

import marshmallow as ma
from flask import Flask, abort, current_app, request
from marshmallow import fields
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter
from wtforms.validators import ValidationError as FormValidationError

from legalaid import clock
from legalaid.errors import DomainError, Invalid, say

MAX_INT32 = 2**31 - 1  # PostgreSQL ``integer``: every id and count column
MAX_INT64 = 2**63 - 1  # PostgreSQL ``bigint``: money in fen, sequence numbers
# Money: 100 million yuan in fen. Far above any subsidy or rate, and a batch of 100,000 such
# amounts still fits a bigint total.
MAX_AMOUNT_FEN = 10**10

WINDOWS = ("past", "practice", "planning", "hearing")


def input_limits() -> dict:
    from legalaid.config import INPUT_LIMITS

    return {**INPUT_LIMITS, **current_app.config.get("INPUT_LIMITS", {})}


def _years_from(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def date_window(name: str) -> tuple[dt.date, dt.date]:
    """The first and last plausible day for a date of kind ``name`` (both included), today."""
    limits, today = input_limits(), clock.today()
    if name == "past":
        return limits["earliest_date"], today
    if name == "practice":
        return limits["earliest_practice_date"], today
    if name == "planning":
        return limits["earliest_date"], _years_from(today, limits["years_ahead"])
    if name == "hearing":
        return _years_from(today, -limits["hearing_years"]), _years_from(today, limits["hearing_years"])
    raise KeyError(name)


def year_window() -> tuple[int, int]:
    """Years a calendar, an archive list or a report may ask for: those of the planning window."""
    first, last = date_window("planning")
    return first.year, last.year


def in_window(name: str, day: dt.date) -> bool:
    first, last = date_window(name)
    return first <= day <= last


def window_problem(name: str, day: dt.date | None) -> str | None:
    """Why ``day`` is not a plausible date of kind ``name`` (None: it is)."""
    first, last = date_window(name)
    if day is not None and first <= day <= last:
        return None
    if day is not None and day > last and last == clock.today():
        return say("In the future.")
    return say("A date from %(first)s to %(last)s.", first=first.isoformat(), last=last.isoformat())


# --- the request boundary ------------------------------------------------------------------------


def _numbers_up_to(n: int) -> str:
    """A regular expression for the decimal numbers 0..n without leading zeros."""
    digits = str(n)
    parts = ["[0-9]"] if len(digits) > 1 else []
    if len(digits) > 2:
        parts.append(f"[1-9][0-9]{{1,{len(digits) - 2}}}")
    for i, d in enumerate(digits):
        low = 1 if i == 0 and len(digits) > 1 else 0
        if int(d) > low:
            rest = len(digits) - i - 1
            parts.append(f"{digits[:i]}[{low}-{int(d) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: an id within a signed 32-bit ``integer`` column, so
    ``/cases/99999999999`` is a plain 404 instead of an out-of-range query on PostgreSQL. The bound
    is in the pattern itself: a value refused only after matching would make Werkzeug answer 405
    where another method's route has the same path."""

    regex = _numbers_up_to(MAX_INT32)

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_INT32):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max)


def init_app(app: Flask) -> None:
    """Install the boundary. Call before any blueprint is registered: a route's converters are
    chosen when the route is added."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(check_request)


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return say("Contains a NUL character, which is not allowed.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return say("Contains a lone surrogate, which is not valid Unicode.")
    return None


def _wsgi_bytes(value: str) -> bytes:
    """A WSGI environ string back to the bytes the client sent (PEP 3333: latin-1)."""
    return value.encode("latin-1", "replace")


def _valid_text(raw: bytes) -> bool:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text


def _refuse_text():
    if _is_api():
        raise DomainError(
            say("The address or a field of the request is not valid UTF-8 text, or holds a NUL character."),
            code="malformed_text",
        )
    abort(400)


def check_request() -> None:
    """Runs before every view (and before an unknown path's 404): see the module docstring."""
    path = _wsgi_bytes(request.environ.get("PATH_INFO", ""))
    if not _valid_text(path):
        _refuse_text()
    query = _wsgi_bytes(request.environ.get("QUERY_STRING", ""))
    if query and not _valid_text(urllib.parse.unquote_to_bytes(query.replace(b"+", b" "))):
        _refuse_text()
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        raise RequestEntityTooLarge()
    if _is_api():
        request.environ[_JSON_KEY] = _parse_json_body()
    elif request.method in ("POST", "PUT", "PATCH", "DELETE"):
        _check_form()


_JSON_KEY = "legalaid.json_body"


def json_body() -> dict:
    """The API request's body as ``check_request`` parsed and checked it."""
    if _JSON_KEY not in request.environ:
        request.environ[_JSON_KEY] = _parse_json_body()
    return request.environ[_JSON_KEY]


def _check_form() -> None:
    if request.mimetype == "application/x-www-form-urlencoded":
        raw = request.get_data(cache=True)
        if not _valid_text(urllib.parse.unquote_to_bytes(raw.replace(b"+", b" "))):
            abort(400)
    elif request.mimetype == "multipart/form-data":  # files may hold any bytes; their fields may not
        for value in request.form.values():
            if "\x00" in value:
                abort(400)


def _malformed(message: str) -> DomainError:
    return DomainError(message, code="malformed_json")


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _parse_json_body() -> dict:
    """The API body as a JSON object (empty: ``{}``), checked once; ``read_json_body`` returns it."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if request.mimetype != "application/json":
        raise DomainError(say("Send the body as application/json."), code="unsupported_media_type")
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise _malformed(say("The body nests too deeply.")) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise _malformed(say("The body is not valid JSON: %(detail)s", detail=str(exc))) from exc
    if not isinstance(data, dict):
        raise _malformed(say("The body must be a JSON object."))
    _check_json(data, input_limits()["max_json_depth"])
    return data


def _shown_key(key: str) -> str:
    return key.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\0")


def _check_json(data, max_depth: int) -> None:
    """Depth, and every string (keys too) and number in the body, without recursion."""
    problems: dict[str, list[str]] = {}
    stack = [(data, 1, "")]
    while stack:
        node, depth, path = stack.pop()
        if depth > max_depth:
            raise _malformed(say("The body nests deeper than %(depth)s levels.", depth=max_depth))
        pairs = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in pairs:
            where = f"{path}.{_shown_key(str(key))}" if path else _shown_key(str(key))
            problem = _text_problem(key) if isinstance(key, str) else None
            if isinstance(value, dict | list):
                stack.append((value, depth + 1, where))
            elif isinstance(value, str):
                problem = problem or _text_problem(value)
            elif isinstance(value, bool) or value is None:
                pass
            elif isinstance(value, int):
                if not -MAX_INT64 - 1 <= value <= MAX_INT64:
                    problem = problem or say("Out of range.")
            elif isinstance(value, float) and not math.isfinite(value):
                problem = problem or say("Not a finite number.")
            if problem:
                problems.setdefault(where, []).append(problem)
                if len(problems) >= 20:
                    stack.clear()
                    break
    if problems:
        raise Invalid(say("Some fields are not valid."), fields=problems)


# --- marshmallow fields --------------------------------------------------------------------------


class Int(fields.Integer):
    """An integer that fits its column: signed 32-bit (``integer``), or 64-bit with ``big=True``."""

    def __init__(self, *, big: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.big = big
        bound = MAX_INT64 if big else MAX_INT32
        self.validators.insert(
            0, ma.validate.Range(min=-bound - 1, max=bound, error="Out of range ({min} to {max}).")
        )


class Bool(fields.Boolean):
    """JSON ``true`` or ``false`` only, as the OpenAPI document says: marshmallow's Boolean also takes
    1, 0, "yes" or "on" (and ``truthy={True}`` does not help: ``0 in {False}``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Year(fields.Integer):
    """A calendar or statistical year within the planning window (2000 .. today + 5 years)."""

    def _validated(self, value):
        year = super()._validated(value)
        first, last = year_window()
        if not first <= year <= last:
            raise ma.ValidationError(f"A year from {first} to {last}.")
        return year


class Date(fields.Date):
    """A ``YYYY-MM-DD`` date within the named window (``past``, ``practice``, ``planning``,
    ``hearing``; see ``date_window``)."""

    def __init__(self, *, window: str, **kwargs):
        if window not in WINDOWS:
            raise ValueError(f"unknown date window {window!r}")
        super().__init__(**kwargs)
        self.window = window

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        problem = window_problem(self.window, day)
        if problem:
            raise ma.ValidationError(str(problem))
        return day


class DateTime(fields.AwareDateTime):
    """An ISO 8601 time with its offset (API.md; a naive time is refused, not guessed) whose date at
    the centre lies within the named window."""

    def __init__(self, *, window: str, **kwargs):
        if window not in WINDOWS:
            raise ValueError(f"unknown date window {window!r}")
        super().__init__(**kwargs)
        self.window = window

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            day = clock.local_date(moment)
        except OverflowError:  # year 1 or 9999 moved to the centre's zone
            day = None
        problem = window_problem(self.window, day)
        if problem:
            raise ma.ValidationError(str(problem))
        return moment


class List(fields.List):
    """A list of at most ``max_items`` items; ``unique`` refuses an item given twice (``True``: the
    items themselves; a name: that key of each item, e.g. ``"code"`` of a score sheet's items)."""

    def __init__(self, inner, *, max_items: int, unique: bool | str = False, **kwargs):
        if unique is True:  # the OpenAPI document says so (apispec reads it from the metadata)
            kwargs["metadata"] = {"uniqueItems": True, **kwargs.get("metadata", {})}
        super().__init__(inner, **kwargs)
        self.max_items = max_items
        self.unique = unique
        # Checked before the items are read (below); as a validator too, so the document states it.
        self.validators.append(ma.validate.Length(max=max_items))

    def _deserialize(self, value, attr, data, **kwargs):
        # Before the items are read: 100,000 items are refused without validating each one.
        if isinstance(value, list | tuple) and len(value) > self.max_items:
            raise ma.ValidationError(f"At most {self.max_items} items.")
        items = super()._deserialize(value, attr, data, **kwargs)
        if self.unique:
            seen, twice = set(), []
            for item in items:
                key = item.get(self.unique) if isinstance(self.unique, str) else item
                try:
                    if key in seen and key not in twice:
                        twice.append(key)
                    seen.add(key)
                except TypeError:  # an unhashable item is not one of ours; the inner field refused it
                    continue
            if twice:
                raise ma.ValidationError("Listed more than once: " + ", ".join(str(k) for k in twice) + ".")
        return items


# --- pages: WTForms validators and query arguments -----------------------------------------------


class InWindow:
    """WTForms validator: a DateField's or DateTimeLocalField's date lies within the named window."""

    def __init__(self, window: str):
        if window not in WINDOWS:
            raise ValueError(f"unknown date window {window!r}")
        self.window = window

    def __call__(self, form, field) -> None:
        value = field.data
        if value is None:
            return
        day = value.date() if isinstance(value, dt.datetime) else value
        problem = window_problem(self.window, day)
        if problem:
            raise FormValidationError(problem.translated())


def int_arg(values, name: str, default: int | None = None, *, minimum: int = 0, maximum: int = MAX_INT32):
    """An integer from a page's query string or form (``request.args``, ``request.form``): absent or
    empty gives ``default``; anything but digits within [minimum, maximum] is a 400 page."""
    raw = (values.get(name) or "").strip()
    if not raw:
        return default
    digits = raw[1:] if raw.startswith("-") else raw
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        abort(400)
    value = int(raw)
    if not minimum <= value <= maximum:
        abort(400)
    return value


def int_list_arg(values, name: str, *, minimum: int = 0, maximum: int = MAX_INT32) -> list[int]:
    """Every integer a page's form sends under ``name`` (a column of checkboxes); else a 400 page."""
    raws = [raw for raw in values.getlist(name) if raw.strip()]
    return [int_arg({name: raw}, name, minimum=minimum, maximum=maximum) for raw in raws]


def year_arg(values, name: str = "year", default: int | None = None) -> int | None:
    """A year from a page's query string, within ``year_window``; else a 400 page."""
    first, last = year_window()
    return int_arg(values, name, default, minimum=first, maximum=last)


def date_arg(value: str | None, window: str = "planning") -> dt.date | None:
    """A ``YYYY-MM-DD`` from a page's query string, form or path within the window; else a 400 page."""
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        abort(400)
    if not in_window(window, day):
        abort(400)
    return day
