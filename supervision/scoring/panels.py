"""Home-page panels of scoring: a supervisor's files to mark, a provider's cases to close, scores to
read and materials still missing."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from markupsafe import Markup

from assignment.models import Assignment, Case
from legalaid import clock
from legalaid.db import db
from supervision.scoring import closing
from supervision.scoring.blueprint import case_numbers
from supervision.scoring.lists import STAGES
from supervision.scoring.models import CaseClosing, ScoreFile, ScoreSheet


def supervisor_panel(user) -> Markup | None:
    counts = dict(
        db.session.execute(
            sa.select(ScoreFile.status, sa.func.count())
            # The stages listed, not "!= final": ix_score_file_marking serves a list of values.
            .where(ScoreFile.status.in_(STAGES))
            .group_by(ScoreFile.status)
        ).all()
    )
    drafts = db.session.scalar(
        sa.select(sa.func.count()).where(ScoreSheet.scorer_id == user.id, ScoreSheet.status == "draft")
    )
    if not counts and not drafts:
        return None
    return Markup(render_template("supervision/scoring/panel_supervisor.html", counts=counts, drafts=drafts))


def provider_panel(user) -> Markup | None:
    if user.provider_id is None:
        return None
    to_close = db.session.scalars(
        sa.select(Case)
        .join(Assignment, sa.and_(Assignment.case_id == Case.id, Assignment.live.is_(True)))
        .where(Assignment.provider_id == user.provider_id, Case.status == "in_progress")
        .order_by(Case.received_on)
        .limit(20)
    ).all()
    today = clock.today()
    to_read = db.session.scalars(
        sa.select(ScoreFile)
        .where(
            ScoreFile.provider_id == user.provider_id,
            ScoreFile.status.in_(("final", "appealed")),
            ScoreFile.accepted_at.is_(None),
            ScoreFile.appeal_decided_at.is_(None),
            sa.or_(ScoreFile.status == "appealed", ScoreFile.appeal_by >= today),
        )
        .order_by(ScoreFile.appeal_by)
        .limit(20)
    ).all()
    # One query for the closings with their case types (the documents come with them, selectin).
    late = [
        c
        for c, case_type in db.session.execute(
            sa.select(CaseClosing, Case.case_type)
            .join(Case, Case.id == CaseClosing.case_id)
            .where(
                CaseClosing.provider_id == user.provider_id,
                CaseClosing.documents_complete_on.is_(None),
            )
        ).all()
        if closing.missing_documents(c, case_type)
    ]
    if not (to_close or to_read or late):
        return None
    return Markup(
        render_template(
            "supervision/scoring/panel_provider.html",
            to_close=to_close,
            to_read=to_read,
            missing=late,
            cases=case_numbers([f.case_id for f in to_read] + [c.case_id for c in late]),
            today=today,
        )
    )
