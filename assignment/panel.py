"""The panel: organisations, providers (their bank accounts kept sealed and shown masked), leave and
declared conflicts. Admins manage it (DESIGN.md §5); rotation pools are in ``pools``, the CSV import
in ``panel_import``."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from assignment.models import (
    ORGANIZATION_KINDS,
    PROVIDER_KINDS,
    Organization,
    PoolMember,
    Provider,
    ProviderConflict,
    ProviderLeave,
    RotationPool,
)
from assignment.roles import require_role
from legalaid import audit, clock
from legalaid.errors import Invalid, NotAllowed, NotFound, say

ORGANIZATION_FIELDS = ("name", "kind", "area", "bank_name")
PROVIDER_FIELDS = (
    "name",
    "kind",
    "organization_id",
    "practice_since",
    "max_open_cases",
    "active",
    "prior_legal_aid_cases",
    "phone",
    "email",
    "specialties",
    "areas",
    "bank_name",
)

# --- bank accounts: stored in full, encrypted at rest when a key is configured, shown masked ---

_FERNET_PREFIX = "fernet:"


def _fernet():
    key = current_app.config.get("BANK_ACCOUNT_KEY")
    if not key:
        return None
    from cryptography.fernet import Fernet

    return Fernet(key.encode() if isinstance(key, str) else key)


def seal_bank_account(account: str | None) -> str | None:
    """The stored form of an account number: Fernet-encrypted when BANK_ACCOUNT_KEY is set."""
    if not account:
        return None
    fernet = _fernet()
    if fernet is None:
        return account
    return _FERNET_PREFIX + fernet.encrypt(account.encode()).decode()


def bank_account_of(provider: Provider | Organization) -> str | None:
    """The full account number of a provider or an organisation (callers that show it must audit the
    viewing, DESIGN.md §5)."""
    stored = provider.bank_account_stored
    if not stored or not stored.startswith(_FERNET_PREFIX):
        return stored
    fernet = _fernet()
    if fernet is None:
        raise RuntimeError("the bank account is encrypted but BANK_ACCOUNT_KEY is not set")
    return fernet.decrypt(stored[len(_FERNET_PREFIX) :].encode()).decode()


def mask(value: str | None) -> str | None:
    """All but the last 4 characters hidden (applicant ID numbers, bank accounts)."""
    if not value:
        return value
    return "*" * max(len(value) - 4, 0) + value[-4:]


def masked_bank_account(provider: Provider | Organization) -> str | None:
    return mask(bank_account_of(provider))


# --- organisations and providers ---


def _checked_organization(
    session: Session, name: str | None, kind: str, area: str | None, org: Organization | None = None
) -> tuple[str, str, str | None]:
    """Name, kind and area normalised, or ``Invalid``: a known kind and a name no other organisation has."""
    name, area = (name or "").strip(), (area or "").strip() or None
    if kind not in ORGANIZATION_KINDS:
        raise Invalid(
            say("Unknown organisation kind."),
            fields={"kind": [say("One of %(choices)s.", choices=", ".join(ORGANIZATION_KINDS))]},
        )
    if not name:
        raise Invalid(say("A name is required."), fields={"name": [say("Required.")]})
    others = Organization.id != org.id if org is not None else sa.true()
    if session.scalar(sa.select(Organization.id).where(Organization.name == name, others)):
        raise Invalid(say("That organisation already exists."), fields={"name": [say("Already exists.")]})
    return name, kind, area


def _cleaned(value: str | None) -> str | None:
    return (value or "").strip() or None


def _organization_summary(org: Organization) -> dict:
    return {**{f: getattr(org, f) for f in ORGANIZATION_FIELDS}, "bank_account": masked_bank_account(org)}


def create_organization(
    session: Session,
    name: str,
    kind: str,
    actor,
    *,
    area: str | None = None,
    bank_account: str | None = None,
    bank_name: str | None = None,
) -> Organization:
    """Add an organisation; its own bank account (the payee when subsidies are paid to organisations)
    is stored in full, sealed like a provider's."""
    require_role(actor, "admin")
    name, kind, area = _checked_organization(session, name, kind, area)
    org = Organization(
        name=name,
        kind=kind,
        area=area,
        bank_account_stored=seal_bank_account(_cleaned(bank_account)),
        bank_name=_cleaned(bank_name),
    )
    session.add(org)
    session.flush()
    audit.record(
        session, actor, "organization.create", "organization", org.id, None, _organization_summary(org)
    )
    return org


def get_organization(session: Session, organization_id: int) -> Organization:
    org = session.get(Organization, organization_id)
    if org is None:
        raise NotFound(say("No such organisation."))
    return org


def update_organization(session: Session, org: Organization, fields: dict, actor) -> Organization:
    """Rename an organisation or correct its kind, area or bank account, under the checks of
    create_organization (a field left out is kept; an empty account or bank name removes it)."""
    require_role(actor, "admin")
    unknown = set(fields) - {*ORGANIZATION_FIELDS, "bank_account"}
    if unknown:
        raise Invalid(
            say("Only the name, kind, area and bank account can be changed."),
            fields={f: [say("Unknown field.")] for f in unknown},
        )
    name, kind, area = _checked_organization(
        session, fields.get("name", org.name), fields.get("kind", org.kind), fields.get("area", org.area), org
    )
    before = _organization_summary(org)
    org.name, org.kind, org.area = name, kind, area
    if "bank_account" in fields:
        org.bank_account_stored = seal_bank_account(_cleaned(fields["bank_account"]))
    if "bank_name" in fields:
        org.bank_name = _cleaned(fields["bank_name"])
    session.flush()
    audit.record(
        session, actor, "organization.update", "organization", org.id, before, _organization_summary(org)
    )
    return org


def get_provider(session: Session, provider_id: int) -> Provider:
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise NotFound(say("No such provider."))
    return provider


def _check_provider_fields(session: Session, fields: dict) -> None:
    if "kind" in fields and fields["kind"] not in PROVIDER_KINDS:
        raise Invalid(
            say("Unknown provider kind."),
            fields={"kind": [say("One of %(choices)s.", choices=", ".join(PROVIDER_KINDS))]},
        )
    if "organization_id" in fields and session.get(Organization, fields["organization_id"]) is None:
        raise Invalid(
            say("No such organisation."), fields={"organization_id": [say("Unknown organisation.")]}
        )
    if "name" in fields and not (fields["name"] or "").strip():
        raise Invalid(say("A name is required."), fields={"name": [say("Required.")]})
    if fields.get("max_open_cases") is not None and fields["max_open_cases"] < 1:
        raise Invalid(
            say("The open-case cap must be at least 1."), fields={"max_open_cases": [say("At least 1.")]}
        )
    if fields.get("practice_since") and fields["practice_since"] > clock.today():
        raise Invalid(
            say("Practice cannot start in the future."), fields={"practice_since": [say("In the future.")]}
        )


def _provider_summary(provider: Provider) -> dict:
    summary = {f: getattr(provider, f) for f in PROVIDER_FIELDS}
    summary["bank_account"] = masked_bank_account(provider)
    return summary


def create_provider(session: Session, fields: dict, actor) -> Provider:
    """Add a provider to the panel. ``bank_account`` is stored in full (encrypted with a key)."""
    require_role(actor, "admin")
    fields = dict(fields)
    for required in ("name", "kind", "organization_id", "practice_since"):
        if fields.get(required) in (None, ""):
            raise Invalid(
                say("%(field)s is required.", field=required), fields={required: [say("Required.")]}
            )
    _check_provider_fields(session, fields)
    bank_account = fields.pop("bank_account", None)
    if fields.get("max_open_cases") is None:
        fields.pop("max_open_cases", None)
    provider = Provider(**fields, bank_account_stored=seal_bank_account(bank_account))
    session.add(provider)
    session.flush()
    audit.record(
        session, actor, "provider.create", "provider", provider.id, None, _provider_summary(provider)
    )
    return provider


def update_provider(session: Session, provider: Provider, fields: dict, actor) -> Provider:
    """Change a provider's panel record (PATCH). Deactivating takes them out of rotation at once."""
    require_role(actor, "admin")
    fields = dict(fields)
    _check_provider_fields(session, fields)
    if fields.get("kind", provider.kind) != provider.kind:
        _check_kind_fits_pools(session, provider, fields["kind"])
    before = _provider_summary(provider)
    if "bank_account" in fields:
        provider.bank_account_stored = seal_bank_account(fields.pop("bank_account"))
    for name, value in fields.items():
        if name not in PROVIDER_FIELDS:
            raise Invalid(
                say("%(field)s cannot be changed.", field=name), fields={name: [say("Unknown field.")]}
            )
        if name == "max_open_cases" and value is None:
            continue
        setattr(provider, name, value)
    session.flush()
    audit.record(
        session, actor, "provider.update", "provider", provider.id, before, _provider_summary(provider)
    )
    return provider


def _check_kind_fits_pools(session: Session, provider: Provider, kind: str) -> None:
    """A provider's new kind must be one every pool they sit in takes (a lawyers-only pool keeps
    refusing a legal adviser, however they became one)."""
    refusing = [
        pool.name
        for pool in session.scalars(
            sa.select(RotationPool)
            .join(PoolMember, PoolMember.pool_id == RotationPool.id)
            .where(PoolMember.provider_id == provider.id)
            .order_by(RotationPool.name)
        )
        if kind not in pool.provider_kinds
    ]
    if refusing:
        pools = ", ".join(refusing)
        raise Invalid(
            say(
                "The pool(s) %(pools)s do not take a %(kind)s: take the provider out of them first.",
                pools=pools,
                kind=kind,
            ),
            fields={"kind": [say("Not taken by %(pools)s.", pools=pools)]},
        )


def add_leave(
    session: Session,
    provider: Provider,
    starts_on: dt.date,
    ends_on: dt.date,
    actor,
    *,
    note: str | None = None,
    decided: bool = False,
) -> ProviderLeave:
    """Record a leave period (both days included); the provider gets no case on those days.

    The panel's leave is the admin's and the coordinator's; ``decided`` is a leave another decision
    sets (an upheld complaint's pause, by its supervisor), whose caller checked the actor's role: it
    is audited as that person's, not as the system's."""
    if not decided:
        require_role(actor, "admin", "coordinator")
    if ends_on < starts_on:
        raise Invalid(say("The leave ends before it starts."), fields={"to": [say("Before the start.")]})
    leave = ProviderLeave(provider_id=provider.id, starts_on=starts_on, ends_on=ends_on, note=note)
    session.add(leave)
    session.flush()
    audit.record(
        session, actor, "provider.leave", "provider", provider.id, None, {"from": starts_on, "to": ends_on}
    )
    return leave


def get_leave(session: Session, provider: Provider, leave_id: int) -> ProviderLeave:
    """One of ``provider``'s leaves; another provider's leave is not found."""
    leave = session.get(ProviderLeave, leave_id)
    if leave is None or leave.provider_id != provider.id:
        raise NotFound(say("No such leave."))
    return leave


def end_leave(session: Session, leave: ProviderLeave, last_day: dt.date, actor) -> ProviderLeave | None:
    """Cut a leave short: ``last_day`` is its new last day; a last day before the start cancels
    the leave (None is returned). Rotation reads leave on the day of each pick, so the provider is
    available from the day after ``last_day`` (DESIGN.md §4 "Eligibility")."""
    require_role(actor, "admin", "coordinator")
    if leave.ends_on < clock.today():
        raise NotAllowed(say("The leave is already over."))
    if last_day >= leave.ends_on:
        day = leave.ends_on.isoformat()
        raise Invalid(
            say("The leave already ends on %(day)s; choose an earlier last day.", day=day),
            fields={"last_day": [say("Before %(day)s.", day=day)]},
        )
    before = {"from": leave.starts_on, "to": leave.ends_on}
    if last_day < leave.starts_on:
        session.delete(leave)
        session.flush()
        audit.record(session, actor, "provider.leave_cancel", "provider", leave.provider_id, before)
        return None
    leave.ends_on = last_day
    session.flush()
    audit.record(
        session, actor, "provider.leave_end", "provider", leave.provider_id, before, {"to": last_day}
    )
    return leave


def declare_conflict(
    session: Session, provider: Provider, party_name: str, actor, *, note: str | None = None
) -> ProviderConflict:
    """A party the provider may not act against or for; rotation skips them for its cases."""
    require_role(actor, "admin", "coordinator")
    if not party_name.strip():
        raise Invalid(say("Name the party."), fields={"party_name": [say("Required.")]})
    conflict = ProviderConflict(provider_id=provider.id, party_name=party_name.strip(), note=note)
    session.add(conflict)
    session.flush()
    audit.record(session, actor, "provider.conflict", "provider", provider.id, None, {"party": party_name})
    return conflict


def get_conflict(session: Session, provider: Provider, conflict_id: int) -> ProviderConflict:
    """One of ``provider``'s declared conflicts; another provider's is not found."""
    conflict = session.get(ProviderConflict, conflict_id)
    if conflict is None or conflict.provider_id != provider.id:
        raise NotFound(say("No such conflict."))
    return conflict


def withdraw_conflict(session: Session, conflict: ProviderConflict, actor) -> None:
    """The conflict no longer holds (declared in error, matter over): rotation stops skipping the
    provider for that party's cases. The declaration stays in the audit log."""
    require_role(actor, "admin", "coordinator")
    before = {"party": conflict.party_name, "note": conflict.note}
    session.delete(conflict)
    session.flush()
    audit.record(session, actor, "provider.conflict_withdraw", "provider", conflict.provider_id, before)
