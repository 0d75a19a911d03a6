"""Archiving (归档): what it needs, the gapless archive number, read-only archived cases.

DESIGN.md §4 "What archiving needs": closing materials complete; the post-closing call done (or closed
as unreachable); the score final and no longer appealable; no open red flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from assignment import labels
from assignment.models import Case
from assignment.roles import actor_id, require_role
from legalaid import audit, clock
from legalaid.db import lock_for_update
from legalaid.errors import Invalid, NotAllowed, NotFound, joined, labelled, say
from supervision import signals
from supervision.subsidies import prerequisites
from supervision.subsidies.models import ArchiveCounter, ArchiveRecord

ARCHIVERS = ("supervisor",)
CORRECTORS = ("supervisor", "admin")
# What an audited correction may change on an archived case: the record's facts, never its state.
CORRECTABLE_FIELDS = (
    "applicant_name",
    "applicant_phone",
    "contact_name",
    "contact_phone",
    "opposing_party",
    "intake_point",
    "cause",
)


def archive_missing_many(session: Session, cases: Iterable[Case]) -> dict[int, list[str]]:
    """Everything each case still lacks before it can be archived (an empty list: it can be), asked of
    closing, calls, scores and red flags once for all the cases (a fixed number of queries)."""
    cases = list(cases)
    ids = [c.id for c in cases]
    closings = prerequisites.closing_facts_many(session, ids)
    calls_settled = prerequisites.after_closing_calls_settled(session, ids)
    scores = prerequisites.score_facts_many(session, ids)
    flags = prerequisites.open_red_flags_many(session, ids)
    return {
        c.id: _missing(closings.get(c.id), c.id in calls_settled, scores.get(c.id), len(flags.get(c.id, ())))
        for c in cases
    }


def archive_missing(session: Session, case: Case) -> list[str]:
    """Everything the case still lacks before it can be archived (empty: it can be)."""
    return archive_missing_many(session, [case])[case.id]


class _Named:
    """A closing material's name in the reader's language (the list of materials is bilingual)."""

    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en

    def __str__(self) -> str:
        from flask_babel import get_locale

        try:
            english = str(get_locale() or "zh_Hans").startswith("en")
        except RuntimeError:  # outside a request
            english = True
        return self.en if english else self.zh


def _material(code: str) -> str:
    """A material's code in English text (API, logs), its name on a page."""
    from supervision.scoring.defaults import CLOSING_DOCUMENTS

    names = {c: _Named(zh, en) for c, zh, en, _needs in CLOSING_DOCUMENTS}
    return labelled(code, names)


def _missing(closing, call_settled: bool, score, open_flags: int) -> list[str]:
    """The one rule of DESIGN.md §4 "What archiving needs", in the words archiving and the provider read."""
    missing = []
    if closing is None:
        missing.append(say("the closing report"))
    elif closing.materials_missing:
        codes = joined([_material(code) for code in closing.materials_missing], ", ")
        missing.append(say("closing materials: %(codes)s", codes=codes))
    if not call_settled:
        missing.append(say("the after-closing follow-up call (done, or closed as unreachable)"))
    if score is None or not score.final:
        missing.append(say("a final score"))
    elif not score.settled:
        if score.appeal_until:
            missing.append(
                say(
                    "the score to be no longer appealable: the appeal window to pass (until %(day)s), "
                    "the appeal decided, or the provider's acceptance",
                    day=score.appeal_until.isoformat(),
                )
            )
        else:
            missing.append(
                say(
                    "the score to be no longer appealable: the appeal window to pass, "
                    "the appeal decided, or the provider's acceptance"
                )
            )
    if open_flags:
        missing.append(say("%(count)s open red flag(s) resolved", count=open_flags))
    return missing


def _next_archive_seq(session: Session, year: int) -> int:
    """The next number of the year, under a lock on the year's counter row, so concurrent archivers
    queue and a rolled-back archiving gives its number back (no gaps)."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    session.execute(
        insert(ArchiveCounter)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    counter = session.scalars(
        lock_for_update(sa.select(ArchiveCounter).where(ArchiveCounter.year == year)).execution_options(
            populate_existing=True
        )
    ).one()
    counter.last_number += 1
    return counter.last_number


def archive_number(year: int, seq: int) -> str:
    return f"{year}-{seq:05d}"


def archive_case(session: Session, actor, case_id: int, *, on: dt.date | None = None) -> ArchiveRecord:
    """File the case: give it the next archive number, freeze its subsidy and make it payable."""
    from supervision.subsidies.subsidies import freeze_subsidy

    require_role(actor, *ARCHIVERS)
    case = session.scalars(
        lock_for_update(sa.select(Case).where(Case.id == case_id)).execution_options(populate_existing=True)
    ).one_or_none()
    if case is None:
        raise NotFound(say("No such case."))
    if case.status == "archived":
        number = session.scalar(sa.select(ArchiveRecord.number).where(ArchiveRecord.case_id == case.id))
        raise NotAllowed(
            say(
                "Case %(number)s is already archived as %(archive_number)s.",
                number=case.number,
                archive_number=number,
            ),
            code="already_archived",
        )
    if case.status != "closed":
        raise NotAllowed(
            say(
                "Case %(number)s is %(status)s; only a closed case can be archived.",
                number=case.number,
                status=labels.case_status(case.status),
            ),
            code="not_closed",
        )
    missing = archive_missing(session, case)
    if missing:
        raise NotAllowed(
            say(
                "Case %(number)s cannot be archived yet; missing: %(missing)s.",
                number=case.number,
                missing=joined(missing),
            ),
            code="archive_incomplete",
        )
    now = clock.now()
    archived_on = on or clock.local_date(now)
    seq = _next_archive_seq(session, archived_on.year)
    record = ArchiveRecord(
        case_id=case.id,
        year=archived_on.year,
        seq=seq,
        number=archive_number(archived_on.year, seq),
        archived_on=archived_on,
        archived_at=now,
        archived_by=actor_id(actor),
    )
    session.add(record)
    case.status = "archived"
    session.flush()
    audit.record(
        session,
        actor,
        "case.archive",
        "case",
        case.id,
        {"status": "closed"},
        {"status": "archived", "archive_number": record.number, "archive_id": record.id},
    )
    freeze_subsidy(
        session,
        actor,
        case,
        record,
        prerequisites.closing_facts(session, case.id),
        prerequisites.score_facts(session, case.id),
    )
    signals.case_archived.send(session, case=case, archive=record, actor=actor)
    return record


def correct_archived_case(session: Session, actor, case_id: int, changes: dict, reason: str) -> Case:
    """An archived case is read-only; this audited correction of its facts is the one exception."""
    require_role(actor, *CORRECTORS)
    if not (reason or "").strip():
        raise Invalid(say("Give a reason for the correction."), fields={"reason": [say("Required.")]})
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown or not changes:
        raise Invalid(
            say(
                "Only these facts of an archived case may be corrected: %(fields)s.",
                fields=", ".join(CORRECTABLE_FIELDS),
            ),
            fields={
                "changes": [
                    say("Not correctable: %(fields)s", fields=", ".join(unknown))
                    if unknown
                    else say("Nothing to change.")
                ]
            },
        )
    case = session.scalars(
        lock_for_update(sa.select(Case).where(Case.id == case_id)).execution_options(populate_existing=True)
    ).one_or_none()
    if case is None:
        raise NotFound(say("No such case."))
    if case.status != "archived":
        raise NotAllowed(
            say("Case %(number)s is not archived; change it the ordinary way.", number=case.number)
        )
    before = {k: getattr(case, k) for k in changes}
    session.info["archive_correction"] = True
    try:
        for key, value in changes.items():
            setattr(case, key, value)
        session.flush()
    finally:
        session.info.pop("archive_correction", None)
    audit.record(
        session, actor, "case.archive_correction", "case", case.id, before, {**changes, "reason": reason}
    )
    return case


@event.listens_for(Session, "before_flush")
def _archived_cases_are_read_only(session: Session, flush_context, instances) -> None:
    if session.info.get("archive_correction"):
        return
    for obj in session.dirty:
        if not isinstance(obj, Case):
            continue
        history = sa.inspect(obj).attrs.status.history
        was = history.deleted[0] if history.deleted else (history.unchanged or [None])[0]
        if was == "archived" and session.is_modified(obj, include_collections=False):
            raise NotAllowed(
                say(
                    "Case %(number)s is archived and read-only; only an audited correction may change it.",
                    number=obj.number,
                )
            )


def archive_list_statement(year: int | None = None) -> sa.Select:
    """Archive records with their case, in archive-number order: year, then the gapless number
    (the unique index ``(year, seq)`` serves the order, so a deep page walks the index, not a sort)."""
    stmt = (
        sa.select(
            ArchiveRecord.id,
            ArchiveRecord.number.label("archive_number"),
            ArchiveRecord.year,
            ArchiveRecord.archived_on,
            ArchiveRecord.archived_by,
            Case.id.label("case_id"),
            Case.number.label("case_number"),
            Case.case_type,
            Case.cause,
        )
        .join(Case, Case.id == ArchiveRecord.case_id)
        .order_by(ArchiveRecord.year, ArchiveRecord.seq)
    )
    if year:
        stmt = stmt.where(ArchiveRecord.year == year)
    return stmt


def archive_page_statement(year: int | None, limit: int, offset: int) -> sa.Select:
    """One page of the archive list: the page's records are counted off the ``(year, seq)`` index
    alone, then only they are joined to their cases (a deep page does not join the rows before it)."""
    page = sa.select(ArchiveRecord.id).order_by(ArchiveRecord.year, ArchiveRecord.seq)
    if year:
        page = page.where(ArchiveRecord.year == year)
    page = page.limit(limit).offset(offset).scalar_subquery()
    return archive_list_statement(year).where(ArchiveRecord.id.in_(page))


def archive_count(session: Session, year: int | None = None) -> int:
    """How many records the list holds: counted on the archive table alone (each has its case)."""
    stmt = sa.select(sa.func.count()).select_from(ArchiveRecord)
    if year:
        stmt = stmt.where(ArchiveRecord.year == year)
    return session.scalar(stmt) or 0
