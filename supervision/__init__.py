"""Supervision: hearings, observations, follow-up calls, deadlines, scoring, archiving, subsidies."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Supervision's capabilities register here as they are built."""
