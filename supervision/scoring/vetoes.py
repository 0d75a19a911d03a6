"""The took-money veto from the follow-up calls (DESIGN.md §4 "Follow-up calls", "Veto items"): once a
supervisor confirms the client's report that the provider took money or gifts, the file's score fails
by the veto whatever its points, on a file already final as on one still being marked."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from legalaid import audit
from legalaid.db import lock_for_update
from supervision.scheduling.services import red_flags
from supervision.scoring.models import ScoreFile


def confirmed_took_money(session: Session, case_id: int):
    """The case's confirmed took-money red flag, or None."""
    return next(
        (f for f in red_flags(session, case_id) if f.kind == "took_money" and f.status == "confirmed"),
        None,
    )


def apply_confirmed_veto(session: Session, file: ScoreFile, actor=None) -> bool:
    """A scored file (final, or under appeal) fails by the veto; its points stay as marked. Audited.
    False when there was nothing to change (no score yet, or already failed by a veto)."""
    if file.total is None or file.status not in ("final", "appealed") or (file.veto and file.grade == "fail"):
        return False
    before = {"grade": file.grade, "veto": file.veto}
    file.veto, file.grade = True, "fail"
    session.flush()
    audit.record(
        session,
        actor,
        "score.vetoed",
        "score_file",
        file.case_id,
        before=before,
        after={"grade": "fail", "veto": True, "reason": "took_money_confirmed"},
    )
    return True


def on_red_flag_resolved(session: Session, flag, actor=None, **_extra) -> None:
    if flag.kind != "took_money" or flag.status != "confirmed":
        return
    # The file's row is locked: a sheet submitted at the same moment sees the veto, or is seen by it.
    stmt = lock_for_update(sa.select(ScoreFile).where(ScoreFile.case_id == flag.case_id))
    file = session.scalars(stmt).one_or_none()
    if file is not None:
        apply_confirmed_veto(session, file, actor)
