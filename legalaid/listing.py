"""The one way a long list is paged, sorted and filtered, on its page and in the API.

API.md's list convention: ``{"items", "total"}``, ``?page=&per_page=`` (default 50, at most 500), and
``?sort=`` one of the list's whitelisted keys ("-" first: descending), the row's id breaking ties so a
page never repeats or skips a row. A list declares its keys once (``Sorts``); its API schema takes
``Sorts.field()``, its page's filter form ``Sorts.select()``, and both order with ``Sorts.apply``.

A page reads one page of rows with ``read_page`` (two statements: the count and the rows, whatever the
page size); the template imports ``_listing.html`` for the sortable headers, the filter form and the pager.
"""

from __future__ import annotations

import dataclasses

import marshmallow as ma
import sqlalchemy as sa
from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from legalaid import limits

PAGE_SIZE = 50  # rows on a list page
# A list's count stops here: past it the list says "more than 10,000" instead of counting a million
# rows on every request (an index-only walk of 10,001 entries: a few milliseconds; issue 16).
COUNT_CAP = 10_000


@dataclasses.dataclass(frozen=True)
class Sorts:
    """The columns a list may be sorted on (key → column expression), its default order and the
    tie-breaker (the row's id). ``default`` None keeps the statement's own order when none is asked."""

    columns: dict
    tie: sa.ColumnElement
    default: str | None = None

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(v for key in self.columns for v in (key, f"-{key}"))

    def field(self) -> ma.fields.String:
        """The API's ``?sort=`` (a value not in the list: 422)."""
        return ma.fields.String(load_default=None, validate=ma.validate.OneOf(self.values))

    def select(self, label=_l("Order")) -> SelectField:
        """The page's order control; its choices are named by ``sort_choices`` in the view."""
        return SelectField(
            label, choices=[SelectChoice("", "")], validators=[Optional()], validate_choice=True
        )

    def apply(self, stmt: sa.Select, sort: str | None) -> sa.Select:
        """``stmt`` ordered by ``sort`` (or the default), the id breaking ties the same way."""
        sort = sort or self.default
        column = self.columns.get((sort or "").lstrip("-"))
        if column is None:
            return stmt
        descending = sort.startswith("-")
        tie = self.tie.desc() if descending else self.tie.asc()
        return stmt.order_by(None).order_by(ordered(column, descending), tie)


def ordered(column, descending: bool) -> sa.ColumnElement:
    """``column`` ascending or descending, empty values last. ``NULLS LAST`` is written only for a
    column that can be empty: on a ``NOT NULL`` one (an id) it would stop PostgreSQL from reading the
    order off the column's index backwards (a sort of the whole table instead; issue 16)."""
    order = column.desc() if descending else column.asc()
    if getattr(getattr(column, "expression", column), "nullable", True) is False:
        return order
    return order.nulls_last()


def sort_choices(sorts: Sorts, labels: dict) -> list[SelectChoice]:
    """The order control's choices in the reader's language: each key ascending and descending."""
    choices = [SelectChoice("", _("Default order"))]
    for key in sorts.columns:
        name = str(labels.get(key, key))
        choices.append(SelectChoice(key, _("%(column)s, ascending", column=name)))
        choices.append(SelectChoice(f"-{key}", _("%(column)s, descending", column=name)))
    return choices


@dataclasses.dataclass
class Page:
    rows: list
    total: int
    page: int
    pages: int
    query: dict  # the list's filters and order, kept by the headers and the pager
    capped: bool = False  # more rows than ``total``: the count stopped at its cap


def read_page(session, stmt: sa.Select, per_page: int | None = None, *, param: str = "page") -> Page:
    """One page of ``stmt`` as ``?page=`` asks (kept within the pages there are): two statements."""
    per_page = per_page or current_app.config.get("LIST_PAGE_SIZE", PAGE_SIZE)
    total = session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    page = min(limits.int_arg(request.args, param, 1, minimum=1), pages)
    rows = list(session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(rows, total, page, pages, page_query(param))


def count_cap(q: str | None, page_end: int) -> int:
    """How far a list counts. A text search counts only to the end of the page asked for: a word in a
    third of a register is found within the page at once, but counting 10,000 of them would check the
    text of 30,000 rows; the list then says there are more."""
    return max(page_end, 1) if q and q.strip() else max(COUNT_CAP, page_end)


def capped_count(session, stmt: sa.Select, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows ``stmt`` gives, counting at most ``cap``; and whether there are more. The rows are
    counted in the list's own order and plan (an index walk that stops at ``cap + 1``)."""
    if stmt._group_by_clauses or stmt._distinct:
        bounded = stmt.limit(cap + 1).subquery()
    else:
        one = sa.literal_column("1")
        bounded = stmt.with_only_columns(one, maintain_column_froms=True).limit(cap + 1).subquery()
    n = session.scalar(sa.select(sa.func.count()).select_from(bounded))
    return min(n, cap), n > cap


def page_total(
    session, stmt: sa.Select, offset: int, per_page: int, got: int, cap: int
) -> tuple[int, bool] | None:
    """``capped_count(stmt, cap)`` for a page read at ``offset`` with one row more than the page
    (``got`` rows). A deep page (its end at or past ``cap``) is not counted again: with a row after
    it there are ``cap`` rows and more, without one the list ends on it. So a deep page reads the list
    once, not once to count and once to skip. None: a deep page past the end of the list (count it,
    then show the last page)."""
    if offset + per_page < cap:
        return capped_count(session, stmt, cap)
    if got > per_page:
        return cap, True
    return (offset + got, False) if got else None


def read_capped_page(session, stmt: sa.Select, per_page: int | None = None, *, param: str = "page") -> Page:
    """``read_page`` whose count stops at ``COUNT_CAP`` rows (or the end of the asked page) for a list
    that can hold a province's rows: the page kept within the pages counted; a deep page is read once
    (``page_total``)."""
    per_page = per_page or current_app.config.get("LIST_PAGE_SIZE", PAGE_SIZE)
    asked = limits.int_arg(request.args, param, 1, minimum=1)
    cap = max(COUNT_CAP, asked * per_page)
    rows = list(session.scalars(stmt.limit(per_page + 1).offset((asked - 1) * per_page)))
    counted = page_total(session, stmt, (asked - 1) * per_page, per_page, len(rows), cap)
    if counted is None:  # past the end: the last page
        counted = capped_count(session, stmt, cap)
        asked = max(1, -(-counted[0] // per_page))
        rows = list(session.scalars(stmt.limit(per_page + 1).offset((asked - 1) * per_page)))
    total, capped = counted
    pages = max(1, -(-total // per_page))
    return Page(rows[:per_page], total, min(asked, pages), pages, page_query(param), capped)


def api_capped_page(session, stmt: sa.Select, dump) -> dict:
    """The API's ``{"items", "total", "total_capped"}`` for one page of ``stmt`` (``?page=``,
    ``?per_page=``): ``total`` counts up to 10,000 rows (or the end of the asked page)."""
    from legalaid.api import PageArgs, query_args

    args = query_args(PageArgs)
    per_page, offset = args["per_page"], (args["page"] - 1) * args["per_page"]
    cap = max(COUNT_CAP, offset + per_page)
    rows = list(session.scalars(stmt.limit(per_page + 1).offset(offset)))
    total, capped = page_total(session, stmt, offset, per_page, len(rows), cap) or capped_count(
        session, stmt, cap
    )
    return {"items": [dump(row) for row in rows[:per_page]], "total": total, "total_capped": capped}


def empty_page(param: str = "page") -> Page:
    """What a page shows when its filter is not valid: the form with its errors and no rows."""
    return Page([], 0, 1, 1, page_query(param))


def page_query(param: str = "page") -> dict:
    """The query string's filters and order, without the page number (a filter emptied stays empty)."""
    return {k: v for k, v in request.args.items() if k != param}


def contains(column, text: str | None):
    """Case-insensitive "holds this text" (wildcards typed are taken literally); None when no text."""
    words = (text or "").strip()
    if not words:
        return None
    return sa.func.lower(column).contains(words.lower(), autoescape=True)


def load_filter(form_cls, sorts: Sorts, labels: dict):
    """The page's filter form read from the query string, and its values as the API's arguments
    (None when a value is not valid: the page shows the form's errors and no rows, with a 422)."""
    form = form_cls(request.args)
    form.sort.choices = sort_choices(sorts, labels)
    if not form.validate():
        return form, None
    return form, {field.name: (field.data if field.data not in ("", False) else None) for field in form}
