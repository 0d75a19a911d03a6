"""The race harness (issue 10, "one winner per state change"): every state-changing operation of the
OpenAPI document has a race. N requests are released together by a barrier, each through its own
Flask test client, thread, app context, session and connection, on the suite's database (SQLite, and
PostgreSQL when ``LEGALAID_TEST_DATABASE_URL`` is set). Each race asserts only 2xx and the expected 4xx
answers (never a 5xx) and exactly the effect one request (or, for creations, each request) should have:
rows, audit entries, turns counted. After every race the audit chain verifies, and a case that took
part can still go forward (its next legal step answers 2xx).

``RACES`` is the table, one for the package: each entry names the operationIds it covers, its class
and how it reaches an object in the right state. The races live in the ``races_*`` modules, grouped by
area; ``load_races`` imports them all, so a new module is in the table without being named anywhere.
Classes:

* ``transition``: one object, one state change: exactly one 2xx, the rest 409 with the error body; one
  audit entry of that action for that object.
* ``create``: each request makes its own object: all 2xx (or 409 for a lost sequence race), no 5xx,
  as many rows and audit entries as 2xx answers.
* ``unique``: every request asks for the same unique thing: exactly one 201, the rest 409/422.
* ``idempotent``: every request asks for the same resulting state: no 5xx, one resulting row, no
  duplicate children.
* ``mixed``: two transitions of one object against each other (accept against decline, confirm against
  dismiss, …): one story in the audit log and a consistent object.

``test_every_state_changing_operation_has_a_race`` (test_race_harness.py) fails when the OpenAPI
document gains an operation the table does not cover, or loses one it names.

The centre (tests/races/centre.py: users, a civil pool of three lawyers, a second pool for membership
races) is built once per module; each race builds its own case, subsidy, batch or checklist through the
API, so races do not see each other's objects.
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.races.centre import Centre

N = 8
seq = itertools.count(1)


# --- the race itself -----------------------------------------------------------------------------


def race(clients: list, send: Callable) -> list:
    """``send(client, i)`` from every client at once (a barrier releases them); the answers in client
    order. An exception or a 5xx fails the race, with every answer shown."""
    barrier = threading.Barrier(len(clients))
    answers: list = [None] * len(clients)

    def run(i, client):
        try:
            barrier.wait(timeout=60)
            answers[i] = send(client, i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            answers[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    shown = [a if isinstance(a, BaseException) else (a.status_code, _error(a)) for a in answers]
    for answer in answers:
        assert not isinstance(answer, BaseException), shown
        assert answer.status_code < 500, shown
    return answers


def _error(answer) -> str | None:
    body = answer.get_json(silent=True)
    if isinstance(body, dict) and "error" in body:
        return body["error"].get("message")
    return None


def statuses(answers) -> Counter:
    return Counter(a.status_code for a in answers)


def one_winner(answers, success: int, losers: tuple[int, ...] = (409,)) -> int:
    """Exactly one ``success``, every other answer one of ``losers`` with the error body; the winner's
    index."""
    got = statuses(answers)
    assert got[success] == 1 and set(got) <= {success, *losers}, got
    for answer in answers:
        if answer.status_code != success:
            assert {"code", "message"} <= set(answer.get_json()["error"]), answer.get_json()
    return next(i for i, a in enumerate(answers) if a.status_code == success)


def only(answers, allowed: set[int]) -> Counter:
    got = statuses(answers)
    assert set(got) <= allowed, got
    return got


# --- the table -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Race:
    ops: tuple[str, ...]
    kind: str
    run: Callable[[Centre], None]


RACES: dict[str, Race] = {}
KINDS = ("transition", "create", "unique", "idempotent", "mixed")


def races(*ops: str, kind: str):
    """Register a race for the operations ``ops`` (operationIds of the OpenAPI document)."""
    assert kind in KINDS

    def register(fn):
        name = fn.__name__.removeprefix("race_")
        assert name not in RACES
        RACES[name] = Race(ops, kind, fn)
        return fn

    return register


def created_ids(answers) -> list[int]:
    return [a.get_json()["id"] for a in answers if 200 <= a.status_code < 300]


def load_races() -> dict[str, Race]:
    """The whole table: every ``races_*`` module of this package imported, each registering its races."""
    for module in sorted(Path(__file__).parent.glob("races_*.py")):
        importlib.import_module(f"tests.races.{module.stem}")
    return RACES
