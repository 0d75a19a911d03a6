"""The panel from the centre's spreadsheet: ``legalaid panel import`` and the admin's upload read a CSV
of providers, and every row goes in or none does."""

from __future__ import annotations

import csv
import datetime as dt
import io

import sqlalchemy as sa
from sqlalchemy.orm import Session

from assignment.models import (
    ORGANIZATION_KINDS,
    PROVIDER_KINDS,
    Organization,
    Provider,
    RotationPool,
)
from assignment.panel import create_organization, create_provider, set_pool_member
from assignment.roles import require_role
from legalaid import clock, limits
from legalaid.errors import Invalid, say

CSV_COLUMNS = (
    "name",
    "kind",
    "organization",
    "organization_kind",
    "practice_since",
    "max_open_cases",
    "prior_legal_aid_cases",
    "specialties",
    "areas",
    "phone",
    "email",
    "bank_account",
    "bank_name",
    "active",
    "pools",
)
REQUIRED_CSV_COLUMNS = ("name", "kind", "organization", "practice_since")


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").replace("；", ";").split(";") if v.strip()]


def _parse_row(row: dict, pools: dict[str, RotationPool]) -> tuple[dict, list[str]]:
    problems: list[str] = []
    data: dict = {}
    for column in REQUIRED_CSV_COLUMNS:
        if not (row.get(column) or "").strip():
            problems.append(say("%(column)s is required", column=column))
    kind = (row.get("kind") or "").strip()
    if kind and kind not in PROVIDER_KINDS:
        problems.append(say("kind must be one of %(choices)s", choices=", ".join(PROVIDER_KINDS)))
    org_kind = (row.get("organization_kind") or "").strip() or (
        "law_firm" if kind == "lawyer" else "legal_service_office"
    )
    if org_kind not in ORGANIZATION_KINDS:
        problems.append(
            say("organization_kind must be one of %(choices)s", choices=", ".join(ORGANIZATION_KINDS))
        )
    try:
        since = (
            dt.date.fromisoformat((row.get("practice_since") or "").strip())
            if row.get("practice_since")
            else None
        )
        if since and since > clock.today():
            problems.append(say("practice_since is in the future"))
    except ValueError:
        since = None
        problems.append(say("practice_since must be a date YYYY-MM-DD"))
    for column, default, minimum in (("max_open_cases", 10, 1), ("prior_legal_aid_cases", 0, 0)):
        raw = (row.get(column) or "").strip()
        try:
            data[column] = int(raw) if raw else default
            if data[column] < minimum:
                problems.append(
                    say("%(column)s must be at least %(minimum)s", column=column, minimum=minimum)
                )
        except ValueError:
            problems.append(say("%(column)s must be a whole number", column=column))
    active = (row.get("active") or "").strip().lower()
    if active not in ("", "1", "0", "true", "false", "yes", "no"):
        problems.append(say("active must be true or false"))
    pool_names = _split(row.get("pools"))
    for pool_name in pool_names:
        if pool_name not in pools:
            problems.append(say("no pool named %(pool)s", pool=repr(pool_name)))
        elif kind and kind not in pools[pool_name].provider_kinds:
            problems.append(say("pool %(pool)s does not take %(kind)ss", pool=repr(pool_name), kind=kind))
    data.update(
        name=(row.get("name") or "").strip(),
        kind=kind,
        organization=(row.get("organization") or "").strip(),
        organization_kind=org_kind,
        practice_since=since,
        specialties=_split(row.get("specialties")),
        areas=_split(row.get("areas")),
        phone=(row.get("phone") or "").strip() or None,
        email=(row.get("email") or "").strip() or None,
        bank_account=(row.get("bank_account") or "").strip() or None,
        bank_name=(row.get("bank_name") or "").strip() or None,
        active=active not in ("0", "false", "no"),
        pools=pool_names,
    )
    _check_input_limits(row, data, problems)
    return data, problems


def _check_input_limits(row: dict, data: dict, problems: list[str]) -> None:
    """A file meets the limits the API and the pages keep (legalaid.limits): text without NUL that fits
    its column, numbers the forms accept, a plausible first year of practice."""
    if any(isinstance(value, str) and "\x00" in value for value in row.values()):
        problems.append(say("a cell holds a NUL character"))
    for key, column in (
        ("name", Provider.name),
        ("phone", Provider.phone),
        ("email", Provider.email),
        ("bank_name", Provider.bank_name),
        ("organization", Organization.name),
    ):
        if data.get(key) and len(data[key]) > column.type.length:
            problems.append(
                say("%(column)s: at most %(count)s characters", column=key, count=column.type.length)
            )
    for key, most in (("max_open_cases", 500), ("prior_legal_aid_cases", 100000)):
        if isinstance(data.get(key), int) and data[key] > most:
            problems.append(say("%(column)s must be at most %(most)s", column=key, most=most))
    since = data.get("practice_since")
    if since and since <= clock.today() and not limits.in_window("practice", since):
        problems.append(say("practice_since: %(problem)s", problem=limits.window_problem("practice", since)))


def import_panel_csv(session: Session, text: str | io.TextIOBase, actor) -> dict:
    """Import providers (and their organisations and pool places) from CSV.

    Every row is checked first; if any row is wrong, nothing is imported and ``Invalid`` carries
    the per-row report (``fields`` keyed ``"row N"``, N counting the header as row 1). A failure
    while writing raises too; the caller rolls the transaction back, so no row is half-imported."""
    require_role(actor, "admin")
    reader = csv.DictReader(io.StringIO(text) if isinstance(text, str) else text)
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise Invalid(
            say("The CSV lacks required columns."),
            fields={"columns": [say("missing: %(columns)s", columns=", ".join(missing))]},
        )
    pools = {p.name: p for p in session.scalars(sa.select(RotationPool))}
    rows, report = [], {}
    for line, row in enumerate(reader, start=2):
        data, problems = _parse_row(row, pools)
        if problems:
            report[f"row {line}"] = problems
        rows.append(data)
    if report:
        raise Invalid(
            say(
                "%(wrong)s of %(total)s rows have errors; nothing was imported.",
                wrong=len(report),
                total=len(rows),
            ),
            fields=report,
        )
    if not rows:
        raise Invalid(say("The CSV has no rows."), fields={"rows": [say("Empty.")]})
    orgs = {o.name: o for o in session.scalars(sa.select(Organization))}
    created_orgs = 0
    for data in rows:
        org = orgs.get(data["organization"])
        if org is None:
            org = create_organization(session, data["organization"], data["organization_kind"], actor)
            orgs[org.name] = org
            created_orgs += 1
        provider = create_provider(
            session,
            dict(
                name=data["name"],
                kind=data["kind"],
                organization_id=org.id,
                practice_since=data["practice_since"],
                max_open_cases=data["max_open_cases"],
                prior_legal_aid_cases=data["prior_legal_aid_cases"],
                specialties=data["specialties"],
                areas=data["areas"],
                phone=data["phone"],
                email=data["email"],
                bank_account=data["bank_account"],
                bank_name=data["bank_name"],
                active=data["active"],
            ),
            actor,
        )
        for pool_name in data["pools"]:
            set_pool_member(session, pools[pool_name], provider, actor)
    return {"providers": len(rows), "organizations": created_orgs}
