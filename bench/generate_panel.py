"""The panel for bench/generate.py: organisations in the areas, providers, and per area the case pools."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from generate_common import (
    AREAS,
    BANKS,
    CASE_TYPE_SHARE,
    FIRM_WORDS,
    HISTORY_DAYS,
    ORG_KINDS,
    Schema,
    Timings,
    insert_batches,
    person_name,
)


@dataclass
class Panel:
    organizations: list[dict] = field(default_factory=list)
    providers: list[dict] = field(default_factory=list)
    lawyers_by_area: dict[str, list[int]] = field(default_factory=dict)
    everyone_by_area: dict[str, list[int]] = field(default_factory=dict)
    max_open: dict[int, int] = field(default_factory=dict)


def build_panel(rng: random.Random, n_providers: int, n_organizations: int, now: dt.datetime) -> Panel:
    panel = Panel()
    centres = len(AREAS)
    rest = max(n_organizations - centres, 2)
    offices = max(rest // 5, 1)
    firms = rest - offices
    orgs: list[tuple[str, str]] = [("centre", area) for area in AREAS]
    orgs += [("law_firm", AREAS[i % len(AREAS)]) for i in range(firms)]
    orgs += [("legal_service_office", AREAS[i % len(AREAS)]) for i in range(offices)]
    created = now - dt.timedelta(days=HISTORY_DAYS + 30)
    for org_id, (kind, area) in enumerate(orgs, 1):
        if kind == "centre":
            name = f"{area}法律援助中心"
        elif kind == "law_firm":
            name = f"{area}{rng.choice(FIRM_WORDS)}律师事务所（第{org_id}所）"
        else:
            name = f"{area}第{org_id}法律服务所"
        panel.organizations.append(
            {"id": org_id, "name": name, "kind": kind, "area": area, "created_at": created}
        )

    # Firm sizes are skewed (a few large firms); centres keep a handful of staff lawyers.
    ids_of = {kind: [o["id"] for o in panel.organizations if o["kind"] == kind] for kind in ORG_KINDS}
    firm_ids, office_ids, centre_ids = ids_of["law_firm"], ids_of["legal_service_office"], ids_of["centre"]
    firm_weights = [rng.lognormvariate(0, 0.9) for _ in firm_ids]
    n_centre = min(len(centre_ids) * 5, n_providers // 20)
    n_advisers = int((n_providers - n_centre) * 0.15)
    n_firm = n_providers - n_centre - n_advisers
    homes = (
        [rng.choice(centre_ids) for _ in range(n_centre)]
        + rng.choices(firm_ids, firm_weights, k=n_firm)
        + [rng.choice(office_ids) for _ in range(n_advisers)]
    )
    area_of = {o["id"]: o["area"] for o in panel.organizations}
    offices_set = set(office_ids)
    today = now.date()
    for provider_id, org_id in enumerate(homes, 1):
        kind = "legal_adviser" if org_id in offices_set else "lawyer"
        area = area_of[org_id]
        max_open = rng.choice([8, 10, 10, 12, 15]) if kind == "lawyer" else rng.choice([5, 6, 8])
        panel.providers.append(
            {
                "id": provider_id,
                "name": person_name(rng),
                "kind": kind,
                "organization_id": org_id,
                "practice_since": today - dt.timedelta(days=rng.randint(200, 30 * 365)),
                "max_open_cases": max_open,
                "active": rng.random() > 0.03,
                "prior_legal_aid_cases": rng.choice([0, 0, 3, 10, 25, 60]),
                "phone": f"13{rng.randrange(10**9):09d}",
                "email": f"p{provider_id}@panel.example.cn",
                "created_at": created,
                # Python values: the JSON column type encodes them once, as the service does.
                "specialties": rng.sample(list(CASE_TYPE_SHARE), rng.randint(1, 2)),
                "areas": [area],
                "bank_account_stored": f"62220{provider_id:014d}",
                "bank_name": rng.choice(BANKS),
                "open_cases": 0,
            }
        )
        panel.max_open[provider_id] = max_open
        panel.everyone_by_area.setdefault(area, []).append(provider_id)
        if kind == "lawyer":
            panel.lawyers_by_area.setdefault(area, []).append(provider_id)
    return panel


def load_panel(conn, schema: Schema, panel: Panel, timings: Timings) -> tuple[bool, bool]:
    """Organisations and providers; returns whether each was loaded."""
    org_table = schema.table("Organization")
    if org_table is None:
        return False, False
    with timings.step("organization", len(panel.organizations)):
        insert_batches(conn, org_table, panel.organizations, list(panel.organizations[0]), schema)
    provider_table = schema.table("Provider")
    if provider_table is None:
        return True, False
    with timings.step("provider", len(panel.providers)):
        insert_batches(conn, provider_table, panel.providers, list(panel.providers[0]), schema)
    return True, True


# -- pools -----------------------------------------------------------------------------------------


def load_pools(
    conn, schema: Schema, panel: Panel, now: dt.datetime, timings: Timings
) -> dict[tuple[str, str], int]:
    """Per area a criminal pool (lawyers) and a pool for the other case types (everyone), at their
    starting state (clock 0, every member weight 1 and offset 0). Returns (case kind, area) → pool id."""
    pool_table = schema.table("RotationPool")
    if pool_table is None:
        return {}
    pools, scopes, members = [], [], []
    pool_of: dict[tuple[str, str], int] = {}
    other_types = [t for t in CASE_TYPE_SHARE if t != "criminal"]
    for area in AREAS:
        for group, case_types, kinds, people in (
            ("criminal", ["criminal"], ["lawyer"], panel.lawyers_by_area.get(area, [])),
            ("other", other_types, ["lawyer", "legal_adviser"], panel.everyone_by_area.get(area, [])),
        ):
            pool_id = len(pools) + 1
            label = "刑事" if group == "criminal" else "民事行政"
            pools.append(
                {
                    "id": pool_id,
                    "name": f"{area}{label}轮派",
                    "case_types": case_types,
                    "provider_kinds": kinds,
                    "area": area,
                    "clock": 0.0,
                    "active_weight": float(len(people)),
                    "weights": [1.0],
                    "created_at": now - dt.timedelta(days=HISTORY_DAYS),
                }
            )
            pool_of[(group, area)] = pool_id
            for case_type in case_types:
                scopes.append(
                    {"id": len(scopes) + 1, "pool_id": pool_id, "case_type": case_type, "area_key": area}
                )
            for provider_id in people:
                members.append(
                    {
                        "pool_id": pool_id,
                        "provider_id": provider_id,
                        "weight": 1.0,
                        "turn_offset": 0.0,
                        "turns": 0,
                        "joined_at": now - dt.timedelta(days=HISTORY_DAYS),
                    }
                )
    for model_name, rows in (("RotationPool", pools), ("PoolScope", scopes), ("PoolMember", members)):
        table = pool_table if model_name == "RotationPool" else schema.table(model_name)
        if table is None:
            continue
        with timings.step(table.name, len(rows)):
            insert_batches(conn, table, rows, list(rows[0]), schema)
    return pool_of
