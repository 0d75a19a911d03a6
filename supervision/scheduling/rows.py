"""Writing one new row without the unit of work.

Planning a hearing writes a few rows whose ids are needed at once (reminder keys, audit entries). A
``session.flush()`` per row runs the whole unit of work each time; one Core ``INSERT … RETURNING id``
is a fraction of that. ``insert_entity`` writes the row that way and hands back an ordinary persistent
ORM object for it (in the session's identity map, clean, every column loaded), so callers, pages and
the API use it like any other loaded row: changing it later is flushed as an UPDATE as usual."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Session, make_transient_to_detached


def _default(column: sa.Column):
    default = column.default
    if default is None:
        return None
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        return default.arg(None)  # SQLAlchemy wraps plain callables to take (and ignore) a context
    return None


@cache
def _insert_statement(table: sa.Table) -> sa.Insert:
    return sa.insert(table).returning(table.c.id)


def insert_entity(session: Session, model, **values):
    """INSERT one ``model`` row (columns not given take their Python defaults, else NULL) and return
    it as a persistent, unmodified instance. Only for models with a single integer ``id`` key."""
    table = model.__table__
    for column in table.columns:
        if column.key not in values and not column.primary_key:
            values[column.key] = _default(column)
    # A Core statement on the table: no ORM bulk-insert machinery and no autoflush (the caller has
    # nothing pending that this row depends on).
    # The values go as execution parameters, not ``.values()``: the statement is the same (and its
    # compiled form cached) for every row of the model.
    row_id = session.execute(_insert_statement(table), values).scalar_one()
    instance = model(id=row_id, **values)
    make_transient_to_detached(instance)  # as if just loaded: no pending changes
    session.add(instance)
    return instance
