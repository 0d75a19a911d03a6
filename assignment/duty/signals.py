"""What the duty rota announces (like ``assignment.signals``): supervision tells the providers and
puts the shifts in their calendar feed without assignment importing it.

    rota_published.send(session, rota=rota, provider_ids=[...], actor=actor)
    shift_changed.send(session, shift=shift, before_provider_id=..., actor=actor, reason="swap"|"reassigned")
"""

from blinker import Namespace

_signals = Namespace()

rota_published = _signals.signal("duty-rota-published")
shift_changed = _signals.signal("duty-shift-changed")
