"""Assignment: the panel, organisations, rotation pools, cases and intake, rotation, assignments."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from assignment import demo

    demo.register(app)
