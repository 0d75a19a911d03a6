"""``q=`` of the case lists (GET /cases, the queue page): what staff type, each served by an index.

* a case number by its beginning (``2026-MS-00``; typed in any case): ``number LIKE 'X%'``, served by
  ``ix_legal_case_number_prefix`` (migration 0018);
* a phone number by its beginning (three digits or more): ``applicant_phone LIKE '138%'``, served by
  ``ix_legal_case_phone_prefix``;
* a name anywhere in the applicant's or the opposing party's name: on PostgreSQL the pairs of adjacent
  characters of the term (王伟 is one pair) must all be in the name's pairs, served by the GIN index
  ``ix_legal_case_name_pairs`` (the consultations' ``legalaid_char_pairs`` of migration 0010), and an
  ``ILIKE`` makes it exact. Chosen over trigrams (which need three characters: most Chinese names have
  two or three) and over a reversed or split name with ``LIKE 'x%'`` (which finds a surname or a
  given name but not every part, e.g. 小明 in 王小明). A one-character term (a surname alone) has no
  pair: it is an ``ILIKE`` over the list, as before. On SQLite every test is the ``LIKE`` alone.
  A term with a digit is not looked for in names.

"%" and "_" typed in a search are searched for, not wildcards.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from assignment.models import Case

PHONE_MIN_DIGITS = 3


class HasNamePairs(ColumnElement[bool]):
    """On PostgreSQL: the case's names hold the pairs of adjacent characters of ``term`` (the GIN
    index); a necessary condition the ``ILIKE`` beside it makes exact. Elsewhere always true."""

    type = sa.Boolean()
    inherit_cache = False

    def __init__(self, term: str):
        # Its first and last pair only (as the consultations' search: the planner multiplies the
        # pairs' frequencies as if independent; ILIKE checks the rest).
        self.first = sa.bindparam(None, term[:2], type_=sa.String)
        self.last = None if len(term) == 2 else sa.bindparam(None, term[-2:], type_=sa.String)


@compiles(HasNamePairs)
def _pairs_anywhere(element, compiler, **kw):
    return compiler.process(sa.true(), **kw)


@compiles(HasNamePairs, "postgresql")
def _pairs_postgresql(element, compiler, **kw):
    pairs = f"legalaid_char_pairs({compiler.process(element.first, **kw)})"
    if element.last is not None:
        pairs = f"({pairs} || legalaid_char_pairs({compiler.process(element.last, **kw)}))"
    # The index's own expression (assignment/case_indexes.py), so the planner matches it.
    return (
        "legalaid_char_pairs(COALESCE(legal_case.applicant_name, '') || ' ' || "
        f"COALESCE(legal_case.opposing_party, '')) @> {pairs}"
    )


def case_matches(q: str) -> ColumnElement[bool]:
    """The condition for ``q``: a number or phone by its beginning, or a name containing it."""
    text = q.strip()
    names = sa.or_(
        Case.applicant_name.icontains(text, autoescape=True),
        Case.opposing_party.icontains(text, autoescape=True),
    )
    if len(text) >= 2:
        # ILIKE first: where the planner walks the list's order instead, a row's cheap test comes
        # before computing its pairs.
        names = sa.and_(names, HasNamePairs(text))
    number = Case.number.startswith(text.upper(), autoescape=True)
    if not any(ch.isdigit() for ch in text):
        return sa.or_(number, names)
    # A term with a digit is a case number or a phone, never a name: the names are not read (where
    # the planner walks the list's order, each row then costs one LIKE, not an ILIKE and its pairs).
    digits = text.replace(" ", "").replace("-", "")
    if digits.isdigit() and len(digits) >= PHONE_MIN_DIGITS:
        return sa.or_(number, Case.applicant_phone.startswith(digits, autoescape=True))
    return number
