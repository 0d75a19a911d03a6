"""Extension points through which the areas plug into the shell without the shell knowing them.

The app factory registers each area; an area calls these to add its navigation entries, the
panels of the role home pages, its steps of ``legalaid demo``, and the files it lets people prepare
in the background (``legalaid.export_jobs``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app


@dataclass
class NavItem:
    endpoint: str
    label: Callable[[], str]  # lazily translated
    roles: tuple[str, ...]
    order: int = 100


@dataclass
class HomePanel:
    """A block on a role's home page: ``render(user)`` returns HTML, or None when nothing applies."""

    roles: tuple[str, ...]
    render: Callable
    order: int = 100


@dataclass
class DemoStep:
    name: str
    run: Callable  # run(session, progress) -> None
    order: int = 100


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    home_panels: list[HomePanel] = field(default_factory=list)
    demo_steps: list[DemoStep] = field(default_factory=list)
    export_kinds: dict = field(default_factory=dict)  # name -> legalaid.export_jobs.ExportKind


def registry(app: Flask | None = None) -> Registry:
    app = app or current_app
    return app.extensions.setdefault("legalaid", Registry())


def add_nav(app: Flask, endpoint: str, label: Callable[[], str], roles: tuple[str, ...], order: int = 100):
    registry(app).nav.append(NavItem(endpoint, label, roles, order))


def add_home_panel(app: Flask, roles: tuple[str, ...], render: Callable, order: int = 100):
    registry(app).home_panels.append(HomePanel(roles, render, order))


def add_demo_step(app: Flask, name: str, run: Callable, order: int = 100):
    registry(app).demo_steps.append(DemoStep(name, run, order))


def add_export_kind(app: Flask, kind) -> None:
    """Let people prepare ``kind`` (a ``legalaid.export_jobs.ExportKind``) in the background."""
    registry(app).export_kinds[kind.name] = kind
