"""What assignment announces to the rest of the service.

``supervision`` reacts to these (plans follow-up calls, creates and cancels subsidies) without
``assignment`` importing it: dependencies point one way (DESIGN.md §6). Each signal is sent inside
the transaction of the change, with the session as sender, so a receiver's writes commit or roll
back with it.

    assignment_accepted.send(session, assignment=assignment, actor=actor)
    assignment_ended.send(session, assignment=assignment, actor=actor,
                          reason="declined" | "expired" | "reassigned")
"""

from blinker import Namespace

_signals = Namespace()

assignment_accepted = _signals.signal("assignment-accepted")
assignment_ended = _signals.signal("assignment-ended")
