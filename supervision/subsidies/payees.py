"""Who receives a subsidy's transfer, and whether that payee's account can be paid.

The payee is the provider, or the provider's organisation (``SUBSIDY_RULES.payee``, DESIGN.md §4). A
subsidy whose payee has no usable account (number and bank), or with nothing to pay, never enters a
payment batch: batching refuses it (chosen) or leaves it out (all matching), and the payable queue says
why, item by item, in people's words.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.models import Organization, Provider
from legalaid.errors import say
from supervision.subsidies.models import Subsidy
from supervision.subsidies.rates import rules

CHUNK = 5000


def payee_mode() -> str:
    return rules()["payee"]


def _account_columns(mode: str):
    """The account number and bank name columns of the payee."""
    if mode == "organization":
        return Organization.bank_account_stored, Organization.bank_name
    return Provider.bank_account_stored, Provider.bank_name


def _present(column) -> sa.ColumnElement[bool]:
    return sa.func.length(sa.func.trim(sa.func.coalesce(column, ""))) > 0


def ready_clause(mode: str | None = None) -> sa.ColumnElement[bool]:
    """SQL over a select joining Subsidy, Provider and Organization: the subsidy can be paid."""
    account, bank = _account_columns(mode or payee_mode())
    return sa.and_(Subsidy.amount_fen > 0, _present(account), _present(bank))


def payee_problems(session: Session, subsidy_ids: Iterable[int], mode: str | None = None) -> dict[int, str]:
    """Why each of these subsidies cannot be paid; a subsidy that can has no key (one query per 5,000)."""
    ids = sorted(set(subsidy_ids))
    if not ids:
        return {}
    mode = mode or payee_mode()
    account, bank = _account_columns(mode)
    stmt = (
        sa.select(
            Subsidy.id,
            Subsidy.amount_fen,
            Provider.name.label("provider_name"),
            Organization.name.label("organization_name"),
            account.label("account"),
            bank.label("bank"),
        )
        .join(Provider, Provider.id == Subsidy.provider_id)
        .join(Organization, Organization.id == Provider.organization_id)
        .where(~ready_clause(mode))  # only the few that cannot be paid come back
    )
    problems = {}
    for start in range(0, len(ids), CHUNK):  # a batch may hold 100,000: bound parameters stay few
        for row in session.execute(stmt.where(Subsidy.id.in_(ids[start : start + CHUNK]))):
            problem = _problem(mode, row)
            if problem is not None:
                problems[row.id] = problem
    return problems


def _problem(mode: str, row) -> str | None:
    if not row.amount_fen or row.amount_fen <= 0:
        return say("nothing to pay (¥0.00)")
    has_account, has_bank = bool((row.account or "").strip()), bool((row.bank or "").strip())
    if has_account and has_bank:
        return None
    if mode == "organization":
        return say(
            "the payee is the organisation, and %(payee)s has no bank account on the panel",
            payee=row.organization_name,
        )
    if not has_account and not has_bank:
        return say("no bank account or bank name for %(payee)s on the panel", payee=row.provider_name)
    if not has_account:
        return say("no bank account for %(payee)s on the panel", payee=row.provider_name)
    return say("no bank name for %(payee)s on the panel", payee=row.provider_name)
