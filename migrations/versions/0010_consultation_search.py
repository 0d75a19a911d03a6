"""consultation search: the register's text search served by an index at 1,000,000 rows

Revision ID: 0010_consultation_search
Revises: 0009_complaints
Create Date: 2026-12-05 20:10:00.000000

The desk searches the register for a word of the question, the answer or the person's name, most
often two Chinese characters (工资, 王伟). A pg_trgm index cannot serve a term shorter than three
characters, so on PostgreSQL every consultation's text is indexed by its pairs of adjacent
characters (lower case): a term of two or more characters is looked up by its own pairs (GIN,
``@>``) and then checked with ``ILIKE``. The list's order and the phone search are served by the
B-tree indexes of 0008. SQLite (tests, a laptop) searches with ``LIKE`` alone: nothing here for it.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_consultation_search"
down_revision = "0009_complaints"
branch_labels = None
depends_on = None

# Immutable (lower() of the database's own collation), so it can be indexed; the query computes the
# term's pairs with the same function, so both sides agree on case and on what a character is.
# COST 10 (not the default 100): at 1,000,000 rows a common term (工伤认定, in a seventh of the rows)
# is then found by walking the list's own index newest first in one process (25 ms) instead of by
# two parallel workers (60-70 ms, most of it starting them).
PAIRS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION legalaid_char_pairs(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 10 AS $$
    SELECT coalesce(array_agg(DISTINCT substr(s, i, 2)), '{}')
    FROM (SELECT lower(t) AS s) AS lowered, generate_series(1, length(s) - 1) AS i
$$
"""
# The same expression as assignment.consultations.TEXT_PAIRS (the planner matches it exactly).
INDEX = (
    "CREATE INDEX ix_consultation_text_pairs ON consultation USING gin "
    "(legalaid_char_pairs(coalesce(person_name, '') || ' ' || question || ' ' || answer))"
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(PAIRS_FUNCTION)
    op.execute(INDEX)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_consultation_text_pairs")
    op.execute("DROP FUNCTION IF EXISTS legalaid_char_pairs(text)")
