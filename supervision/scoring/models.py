"""Closing facts, handed-in materials, checklist versions, the file's score and its score sheets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from legalaid import clock
from legalaid.db import UTCDateTime, db, one_of

CASE_TYPES = ("criminal", "civil", "administrative", "non_litigation")
CHECKLIST_STATUSES = ("draft", "published")
ITEM_KINDS = ("item", "veto")
# The file's score: ``open`` until a first sheet is submitted, then DESIGN.md §4's review states.
FILE_STATUSES = ("open", "second_review", "third_review", "final", "appealed")
SHEET_ROLES = ("first", "second", "third", "appeal")
SHEET_STATUSES = ("draft", "submitted")
GRADES = ("excellent", "good", "pass", "fail")
APPEAL_OUTCOMES = ("upheld", "revised")

POINTS = sa.Numeric(4, 1)


class CaseClosing(db.Model):
    """The provider's closing report (结案): one row per closed case."""

    __tablename__ = "case_closing"
    __table_args__ = (
        sa.CheckConstraint("recovered_fen >= 0", name="recovered_fen_not_negative"),
        # The deadlines list: materials still to hand in, by their start; files handed in, to review
        # (migration 0020).
        sa.Index(
            "ix_case_closing_materials_due",
            "ended_on",
            "case_id",
            sqlite_where=sa.text("documents_complete_on IS NULL"),
            postgresql_where=sa.text("documents_complete_on IS NULL"),
        ),
        sa.Index(
            "ix_case_closing_review_due",
            "documents_complete_on",
            "case_id",
            sqlite_where=sa.text("documents_complete_on IS NOT NULL"),
            postgresql_where=sa.text("documents_complete_on IS NOT NULL"),
        ),
        sa.Index("ix_case_closing_ended", "ended_on"),  # the statistics' closed per month (migration 0022)
    )

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("legal_case.id"), primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id"), index=True)
    ended_on: Mapped[dt.date] = mapped_column(sa.Date)
    outcome: Mapped[str] = mapped_column(sa.String(200))
    terminated: Mapped[bool] = mapped_column(default=False)
    termination_ground: Mapped[str | None] = mapped_column(sa.String(40))
    termination_note: Mapped[str | None] = mapped_column(sa.Text)
    retainer_signed_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    # The amount recovered or obtained for the client (optional; typed in yuan, kept in integer fen).
    recovered_fen: Mapped[int | None] = mapped_column(sa.BigInteger)
    # ended_on + 30 days (local guides); materials after it are late and cost the timeliness item.
    documents_due_on: Mapped[dt.date] = mapped_column(sa.Date)
    documents_complete_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    reported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    reported_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    documents: Mapped[list[ClosingDocument]] = relationship(
        lazy="selectin", order_by="ClosingDocument.handed_in_on, ClosingDocument.code"
    )


class ClosingDocument(db.Model):
    """One closing material (承办材料) handed in, and when."""

    __tablename__ = "closing_document"

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_closing.case_id"), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    handed_in_on: Mapped[dt.date] = mapped_column(sa.Date)
    late: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    recorded_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))


class Checklist(db.Model):
    """One version of the 100-point checklist (百分考核表) for one case type."""

    __tablename__ = "checklist"
    __table_args__ = (
        one_of("case_type", CASE_TYPES, "case_type_known"),
        one_of("status", CHECKLIST_STATUSES, "status_known"),
        sa.UniqueConstraint("case_type", "version"),
        sa.Index("ix_checklist_in_force", "case_type", "status", "effective_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_type: Mapped[str] = mapped_column(sa.String(20))
    version: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(sa.String(200))
    effective_from: Mapped[dt.date] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    # Lower bounds of the grade bands, e.g. {"excellent": 90, "good": 80, "pass": 60}.
    grade_bands: Mapped[dict] = mapped_column(sa.JSON)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    entries: Mapped[list[ChecklistItem]] = relationship(
        lazy="selectin",
        order_by="ChecklistItem.position",
        cascade="all, delete-orphan",
    )

    @property
    def items(self) -> list[ChecklistItem]:
        return [e for e in self.entries if e.kind == "item"]

    @property
    def veto_items(self) -> list[ChecklistItem]:
        return [e for e in self.entries if e.kind == "veto"]

    def item(self, code: str) -> ChecklistItem | None:
        return next((e for e in self.entries if e.code == code), None)


class ChecklistItem(db.Model):
    """A scored item (with its maximum) or a veto item (一票否决) of one checklist version."""

    __tablename__ = "checklist_item"
    __table_args__ = (
        one_of("kind", ITEM_KINDS, "kind_known"),
        sa.UniqueConstraint("checklist_id", "code"),
        sa.CheckConstraint("max_points >= 0 AND max_points <= 100", name="max_points_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default="item")
    code: Mapped[str] = mapped_column(sa.String(40))
    position: Mapped[int] = mapped_column()
    label_zh: Mapped[str] = mapped_column(sa.String(200))
    label_en: Mapped[str] = mapped_column(sa.String(200))
    max_points: Mapped[Decimal] = mapped_column(POINTS, default=Decimal(0))
    guidance: Mapped[str | None] = mapped_column(sa.Text)
    evidence: Mapped[str | None] = mapped_column(sa.Text)
    # Which rule suggests this item's score (defaults.AUTO_*), or None.
    auto: Mapped[str | None] = mapped_column(sa.String(40))


class ScoreFile(db.Model):
    """The case file's score: the pinned checklist, the double-marking draw and the review state.

    Created when the case closes. ``provider_id``, ``organization_id`` and ``case_type`` are copied
    from the case so the quality reports read one table."""

    __tablename__ = "score_file"
    __table_args__ = (
        one_of("status", FILE_STATUSES, "status_known"),
        sa.CheckConstraint(
            "grade IS NULL OR grade IN ('excellent', 'good', 'pass', 'fail')", name="grade_known"
        ),
        sa.CheckConstraint(
            "appeal_outcome IS NULL OR appeal_outcome IN ('upheld', 'revised')", name="appeal_outcome_known"
        ),
        sa.CheckConstraint("status <> 'final' OR total IS NOT NULL", name="final_has_total"),
        # The quality report's figures, read off the index alone (issue 16, migration 0023).
        sa.Index(
            "ix_score_file_final_figures",
            "status",
            "finalised_on",
            postgresql_include=["organization_id", "provider_id", "total", "grade", "case_id"],
        ),
        sa.Index("ix_score_file_ended", "ended_on", "case_id"),  # the files list's order (migration 0020)
        # The files still being marked, counted by stage and type off the index alone (the scoring
        # worklist and the supervisor's home panel: 54,000 of 890,000 files; migration 0026).
        sa.Index(
            "ix_score_file_marking",
            "status",
            "case_type",
            "case_id",
            postgresql_where=sa.text("status <> 'final'"),
            sqlite_where=sa.text("status <> 'final'"),
        ),
        sa.Index("ix_score_file_provider", "provider_id", "finalised_on"),
    )

    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_closing.case_id"), primary_key=True)
    case_type: Mapped[str] = mapped_column(sa.String(20))
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("provider.id"))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    ended_on: Mapped[dt.date] = mapped_column(sa.Date)
    # The version in force on ended_on when the case closed; a later version never applies to it.
    checklist_id: Mapped[int | None] = mapped_column(sa.ForeignKey("checklist.id"))
    # The seeded draw for the 10% double-marking sample, kept so the choice can be re-checked.
    sample_draw: Mapped[float] = mapped_column(sa.Float)
    in_sample: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(20), default="open")
    total: Mapped[Decimal | None] = mapped_column(POINTS)
    grade: Mapped[str | None] = mapped_column(sa.String(10))
    veto: Mapped[bool] = mapped_column(default=False)
    finalised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finalised_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    appeal_by: Mapped[dt.date | None] = mapped_column(sa.Date)
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    appealed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    appeal_reason: Mapped[str | None] = mapped_column(sa.Text)
    appeal_decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    appeal_decided_by: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    appeal_outcome: Mapped[str | None] = mapped_column(sa.String(10))
    appeal_decision: Mapped[str | None] = mapped_column(sa.Text)

    checklist: Mapped[Checklist | None] = relationship(lazy="select")
    sheets: Mapped[list[ScoreSheet]] = relationship(
        lazy="selectin", order_by="ScoreSheet.id", back_populates="file"
    )

    def submitted(self, role: str | None = None) -> list[ScoreSheet]:
        return [s for s in self.sheets if s.status == "submitted" and (role is None or s.role == role)]


class ScoreSheet(db.Model):
    """One supervisor's marking of one file against the pinned checklist."""

    __tablename__ = "score_sheet"
    __table_args__ = (
        one_of("role", SHEET_ROLES, "role_known"),
        one_of("status", SHEET_STATUSES, "status_known"),
        sa.CheckConstraint("grade IN ('excellent', 'good', 'pass', 'fail')", name="grade_known"),
        # A marker marks a file once per role (the first marker cannot also be the second).
        sa.UniqueConstraint("case_id", "scorer_id", "role"),
        sa.Index("ix_score_sheet_scorer", "scorer_id", "status", "submitted_at"),
        # A file's sheets; the scorers' drift reads them off the index alone (migration 0023).
        sa.Index("ix_score_sheet_case_marks", "case_id", postgresql_include=["status", "scorer_id", "total"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("score_file.case_id"))
    checklist_id: Mapped[int] = mapped_column(sa.ForeignKey("checklist.id"))
    scorer_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    role: Mapped[str] = mapped_column(sa.String(10))
    status: Mapped[str] = mapped_column(sa.String(10), default="draft")
    total: Mapped[Decimal] = mapped_column(POINTS)
    grade: Mapped[str] = mapped_column(sa.String(10))
    # Veto codes the scorer set (一票否决); any forces 不合格.
    vetoes: Mapped[list] = mapped_column(sa.JSON, default=list)
    veto_note: Mapped[str | None] = mapped_column(sa.Text)
    # What the rules suggested when the sheet was started: {"items": {code: {...}}, "vetoes": [...]}.
    suggestions: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=clock.now)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    file: Mapped[ScoreFile] = relationship(back_populates="sheets")
    lines: Mapped[list[ScoreLine]] = relationship(
        lazy="selectin", order_by="ScoreLine.position", cascade="all, delete-orphan"
    )

    def line(self, code: str) -> ScoreLine | None:
        return next((ln for ln in self.lines if ln.code == code), None)


class ScoreLine(db.Model):
    """The points (or N/A) and the note for one checklist item on one sheet."""

    __tablename__ = "score_line"
    __table_args__ = (
        sa.CheckConstraint("points IS NULL OR points >= 0", name="points_not_negative"),
        sa.CheckConstraint("NOT (na AND points IS NOT NULL)", name="na_has_no_points"),
    )

    sheet_id: Mapped[int] = mapped_column(
        sa.ForeignKey("score_sheet.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    position: Mapped[int] = mapped_column()
    points: Mapped[Decimal | None] = mapped_column(POINTS)
    na: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(sa.Text)
