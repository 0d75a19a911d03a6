"""What the rule tests build the same way: a lawyer of their own firm, flushed."""

from __future__ import annotations

import datetime as dt

from assignment.models import Organization, Provider


def _provider(session, name):
    provider = Provider(
        name=name,
        kind="lawyer",
        organization=Organization(name=f"{name} firm", kind="law_firm"),
        practice_since=dt.date(2010, 1, 1),
        max_open_cases=10,
    )
    session.add(provider)
    session.flush()
    return provider
