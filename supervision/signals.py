"""What the supervision capabilities announce to each other (same pattern as assignment.signals).

case_closed.send(session, case=case, actor=actor)          closing reported by the provider
hearing_recorded.send(session, hearing=hearing, actor=actor)
score_finalised.send(session, case=case, actor=actor)      the file's score became final
case_archived.send(session, case=case, archive=archive, actor=actor)
red_flag_raised.send(session, flag=flag, actor=actor)           a client said the provider took money
red_flag_resolved.send(session, flag=flag, actor=actor)         flag.status is "confirmed" or "dismissed"
"""

from blinker import Namespace

_signals = Namespace()

case_closed = _signals.signal("case-closed")
hearing_recorded = _signals.signal("hearing-recorded")
score_finalised = _signals.signal("score-finalised")
case_archived = _signals.signal("case-archived")
red_flag_raised = _signals.signal("red-flag-raised")
red_flag_resolved = _signals.signal("red-flag-resolved")
