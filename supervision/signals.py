"""What the supervision capabilities announce to each other (same pattern as assignment.signals).

    case_closed.send(session, case=case, actor=actor)          closing reported by the provider
    hearing_recorded.send(session, hearing=hearing, actor=actor)
    score_finalised.send(session, case=case, actor=actor)      the file's score became final
    case_archived.send(session, case=case, archive=archive, actor=actor)
"""

from blinker import Namespace

_signals = Namespace()

case_closed = _signals.signal("case-closed")
hearing_recorded = _signals.signal("hearing-recorded")
score_finalised = _signals.signal("score-finalised")
case_archived = _signals.signal("case-archived")
