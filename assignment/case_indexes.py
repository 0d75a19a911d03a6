"""The case list's indexes (issue 16, migration 0018), declared for ``Case.__table_args__``.

``ix_legal_case_status_number`` (both databases) serves the archive page's closed cases by number.
The rest exist on PostgreSQL only (``ddl_if``), each matching one thing the list does: its order
(green channel first, then by receipt: a DESC key), a case number or phone by its beginning (pattern
operator classes for ``LIKE 'x%'``), and names by their pairs of adjacent characters (GIN over
``legalaid_char_pairs``, migration 0010: 王伟 is one pair; a trigram index cannot serve two characters).
The expressions are written as PostgreSQL prints them back, so Alembic sees models and migrations agree.
"""

from __future__ import annotations

import sqlalchemy as sa

NAME_PAIRS = sa.text(
    "legalaid_char_pairs((COALESCE(applicant_name, ''::character varying)::text || ' '::text)"
    " || COALESCE(opposing_party, ''::character varying)::text)"
)

QUEUE_STATUSES = ("applied", "pending_materials", "accepted", "assigned")
QUEUE_PREDICATE = "status IN ({})".format(", ".join(f"'{s}'" for s in QUEUE_STATUSES))

CASE_INDEXES = (
    sa.Index("ix_legal_case_status_number", "status", "number"),
    # A period's cases by receipt: the annual report's drill-down in this order, and the annual
    # report's and the statistics summary's counts by type, status and green channel from the index
    # alone (migration 0021).
    sa.Index("ix_legal_case_received", "received_on", "id", "case_type", "status", "green_channel"),
    sa.Index("ix_legal_case_list_order", sa.text("green_channel DESC"), "received_on", "id").ddl_if(
        dialect="postgresql"
    ),
    sa.Index(
        "ix_legal_case_status_order", "status", sa.text("green_channel DESC"), "received_on", "id"
    ).ddl_if(dialect="postgresql"),
    # Both databases (SQLite's LIKE 'x%' may use them too); the operator classes are PostgreSQL's.
    sa.Index("ix_legal_case_number_prefix", "number", postgresql_ops={"number": "varchar_pattern_ops"}),
    sa.Index(
        "ix_legal_case_phone_prefix",
        "applicant_phone",
        postgresql_ops={"applicant_phone": "varchar_pattern_ops"},
    ),
    sa.Index("ix_legal_case_name_pairs", NAME_PAIRS, postgresql_using="gin").ddl_if(dialect="postgresql"),
    # The queue (home page, /cases): the few cases still to decide, assign or accept, in the list's
    # order; without it the order's index is walked through a million decided cases (migration 0019).
    sa.Index(
        "ix_legal_case_queue_order",
        sa.text("green_channel DESC"),
        "received_on",
        "id",
        postgresql_where=sa.text(QUEUE_PREDICATE),
    ).ddl_if(dialect="postgresql"),
    # The desk's "earlier" of a caller (consultations.earlier_by_phone): the cases whose applicant or
    # contact has the number; with the applicant's index, a BitmapOr instead of reading a million
    # cases (83 ms → 0.3 ms; migration 0026).
    sa.Index(
        "ix_legal_case_contact_phone",
        "contact_phone",
        postgresql_where=sa.text("contact_phone IS NOT NULL"),
        sqlite_where=sa.text("contact_phone IS NOT NULL"),
    ),
    # The station figures (station_cases.station_statistics), index-only (migration 0024).
    sa.Index(
        "ix_legal_case_station_figures",
        "station_id",
        "station_received_at",
        postgresql_include=["centre_received_at", "forwarded_late"],
        postgresql_where=sa.text("station_id IS NOT NULL"),
        sqlite_where=sa.text("station_id IS NOT NULL"),
    ),
)
