"""Fair rotation of assignments (DESIGN.md §4 "Rotation (assignment)") and the assignment's own
transitions: assign (rotation, window, designated, continuation), accept, decline, expire, reassign.

How the pick works. Each pool has a virtual ``clock`` that advances by 1/W per counted turn, W being
the weight of the members present (``active_weight``). A member's deficit, its place in line, is
``key = weight × clock − offset``: what they were due minus what they got, in cases. The eligible
member with the largest key goes next (smooth weighted round robin); ties go to the lowest provider
id. A turn adds 1 to the picked member's offset, so a pick writes O(1) rows.

* Skipped for a case-specific reason (conflict, experience, kind, opposing organisation): nothing is
  written; their key keeps growing so they keep their place, but it is read capped at
  ``1 + weight/W`` (owed at most one case). When next picked they go to the back of the round and
  what they were owed beyond one case is forgiven (spread over everyone through the clock), so no
  burst follows.
* Unavailable (on leave, at their open-case cap, inactive): each pick first parks them
  (``away_since`` = the clock; the walk also parks any it meets) and they leave the walk and W.
  When they are available again (checked at the start of every pick) their key is set to the back
  of the current round, ``weight/W − 1``, unless it was lower when they left: they accrue nothing
  while away.
* Members are read in key order without scanning the pool: within one weight, key order is offset
  order (index ``ix_pool_member_walk``); the few weights of a pool are merged.

What a pick costs. Concurrent assigners of one pool queue on its row lock, so the locked section is
kept to a few round trips: before the lock, the pool and the case's links (one query); after it, the
members coming back or going away (one query), the front of the line with every fact eligibility
needs (one query per page; conflict names only for members who declared any), then the write. On
PostgreSQL the write is one statement (``_pick_write_stmt``): the provider's count goes up only if
below the cap, checked under that row's lock, and only then are the offset, clock, case status and
the assignment with its explanation written; on SQLite, separate statements. Statements are built
once with bound parameters, and rows are read as plain columns rather than ORM objects.

Where things are (one module per room; they import each other directly, never through this package):

* ``pool_clock``: the clock arithmetic (keys, the owed cap, joining, weights, parking, counting a turn);
* ``who_may_take``: the eligibility rules, the reasons a member is passed over, the facts of a case;
* ``walk``: the walk in key order, the explanation, the 409 when nobody is eligible;
* ``write``: the generic write and PostgreSQL's single-statement write of a pick;
* ``assign``: assigning by rotation, within the window, designated; the pool for a case; the locks;
* ``answers``: accept, decline, expire, reassign, and reading one assignment.
"""

from assignment.rotation.answers import (
    SIGNAL_REASONS,
    accept_assignment,
    decline_assignment,
    expire_unanswered_assignments,
    get_assignment,
    reassign_case,
    release_open_case,
)
from assignment.rotation.assign import (
    assign_by_rotation,
    assign_designated,
    assign_within_window,
    next_in_line,
    pool_for_case,
)
from assignment.rotation.pool_clock import Member, Turn, change_weight, join_pool, member_key, owed_cap
from assignment.rotation.walk import CAPPED_READ, EXPLAIN_SKIPPED, WALK_BATCH, Walk
from assignment.rotation.who_may_take import (
    ELIGIBILITY,
    REASONS,
    CaseFacts,
    declare_rules,
    eligibility,
    provider_ineligibility,
    years_of_practice,
)
from assignment.rotation.write import acceptance_days

__all__ = [
    "CAPPED_READ",
    "ELIGIBILITY",
    "EXPLAIN_SKIPPED",
    "REASONS",
    "SIGNAL_REASONS",
    "WALK_BATCH",
    "CaseFacts",
    "Member",
    "Turn",
    "Walk",
    "accept_assignment",
    "acceptance_days",
    "assign_by_rotation",
    "assign_designated",
    "assign_within_window",
    "change_weight",
    "declare_rules",
    "decline_assignment",
    "eligibility",
    "expire_unanswered_assignments",
    "get_assignment",
    "join_pool",
    "member_key",
    "next_in_line",
    "owed_cap",
    "pool_for_case",
    "provider_ineligibility",
    "reassign_case",
    "release_open_case",
    "years_of_practice",
]
