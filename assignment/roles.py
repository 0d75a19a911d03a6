"""Who may run a transition (DESIGN.md §5). ``actor=None`` is the system (CLI, scheduler, demo)."""

from __future__ import annotations

from legalaid.errors import Forbidden, say


def require_role(actor, *roles: str) -> None:
    """Raise Forbidden unless the actor holds one of ``roles``; the system may do anything."""
    if actor is None:
        return
    if not actor.has_role(*roles):
        raise Forbidden(say("Your role does not allow this."))


def actor_id(actor) -> int | None:
    return getattr(actor, "id", None)
