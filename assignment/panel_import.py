"""The panel from the centre's spreadsheet: ``legalaid panel import`` and the admin's upload read a CSV
of providers, and every row goes in or none does."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from assignment.forms import PROVIDER_KIND_LABELS, split_list
from assignment.models import (
    Organization,
    Provider,
    RotationPool,
)
from assignment.panel import create_organization, create_provider
from assignment.pools import set_pool_member
from assignment.roles import require_role
from legalaid import clock, limits
from legalaid.errors import Invalid, joined, labelled, say
from legalaid.exports import csv_text


@dataclass(frozen=True)
class Column:
    """One column of the panel spreadsheet: its code, its heading in people's words (English and
    Chinese headings are both accepted, as is the code), and what to write in it."""

    code: str
    label: object  # lazy: the heading in the reader's language
    zh: str  # the Chinese heading a centre's spreadsheet has
    required: bool
    what: object  # lazy: what to write in it
    example: tuple[str, str]  # an English row's cell and a Chinese row's cell


COLUMNS = (
    Column("name", _l("Name"), "姓名", True, _l("the provider's full name"), ("Li Lei", "李磊")),
    Column(
        "kind",
        _l("Kind"),
        "类别",
        True,
        _l("lawyer or legal adviser"),
        ("lawyer", "律师"),
    ),
    Column(
        "organization",
        _l("Organisation"),
        "所属机构",
        True,
        _l("the firm or office; a new name creates it"),
        ("Mingde Law Firm", "明德律师事务所"),
    ),
    Column(
        "organization_kind",
        _l("Organisation kind"),
        "机构类别",
        False,
        _l(
            "law firm, legal service office or the centre; "
            "empty: law firm for a lawyer, legal service office for an adviser"
        ),
        ("law firm", "律师事务所"),
    ),
    Column(
        "practice_since",
        _l("In practice since"),
        "执业起始日期",
        True,
        _l("a date such as 2015-03-01 or 2015/3/1"),
        ("2015-03-01", "2015年3月1日"),
    ),
    Column(
        "max_open_cases",
        _l("Open-case cap"),
        "在办案件上限",
        False,
        _l("a whole number; empty: 10"),
        ("12", "12"),
    ),
    Column(
        "prior_legal_aid_cases",
        _l("Legal aid cases before go-live"),
        "此前承办法援案件数",
        False,
        _l("a whole number; empty: 0"),
        ("0", "0"),
    ),
    Column(
        "specialties",
        _l("Specialties"),
        "专长",
        False,
        _l("separated by ; or 、"),
        ("labour; family", "劳动争议、婚姻家庭"),
    ),
    Column("areas", _l("Areas"), "服务区域", False, _l("separated by ; or 、"), ("West Lake", "西湖区")),
    Column("phone", _l("Phone"), "电话", False, "", ("13800000000", "13800000000")),
    Column("email", _l("E-mail"), "电子邮箱", False, "", ("li.lei@example.cn", "li.lei@example.cn")),
    Column(
        "bank_account", _l("Bank account"), "银行账号", False, "", ("6222020000001234", "6222020000001234")
    ),
    Column("bank_name", _l("Bank"), "开户银行", False, "", ("ICBC West Lake branch", "工商银行西湖支行")),
    Column(
        "active",
        _l("Takes cases"),
        "是否接案",
        False,
        _l("yes or no; empty: yes"),
        ("yes", "是"),
    ),
    Column(
        "pools",
        _l("Rotation pools"),
        "轮派池",
        False,
        _l("names of existing pools, separated by ; or 、"),
        ("", ""),
    ),
)
CSV_COLUMNS = tuple(c.code for c in COLUMNS)
REQUIRED_CSV_COLUMNS = tuple(c.code for c in COLUMNS if c.required)
COLUMN_LABELS = {c.code: c.label for c in COLUMNS}

# Cell values in the centre's words, mapped to the codes (the codes themselves are accepted too).
PROVIDER_KIND_WORDS = {
    "lawyer": "lawyer",
    "律师": "lawyer",
    "legal_adviser": "legal_adviser",
    "legal adviser": "legal_adviser",
    "基层法律服务工作者": "legal_adviser",
    "法律工作者": "legal_adviser",
    "法律服务工作者": "legal_adviser",
}
ORGANIZATION_KIND_WORDS = {
    "law_firm": "law_firm",
    "law firm": "law_firm",
    "律师事务所": "law_firm",
    "律所": "law_firm",
    "legal_service_office": "legal_service_office",
    "legal service office": "legal_service_office",
    "基层法律服务所": "legal_service_office",
    "法律服务所": "legal_service_office",
    "centre": "centre",
    "the centre": "centre",
    "法律援助中心": "centre",
}
YES_WORDS = {"1", "true", "yes", "y", "是", "在册", "接案"}
NO_WORDS = {"0", "false", "no", "n", "否", "停止接案", "不接案"}
_CHINESE_DATE = re.compile(r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$")


def _heading_codes() -> dict[str, str]:
    """Every heading a file may use for a column: the code, the English and the Chinese heading."""
    codes = {}
    for column in COLUMNS:
        english = column.label._args[0]  # a lazy string keeps its message id: the English heading
        codes[column.code] = codes[column.zh] = codes[english.lower()] = column.code
    return codes


def _normalised(row: dict, codes: dict[str, str]) -> dict:
    out = {}
    for heading, value in row.items():
        if heading is None:
            continue
        code = codes.get(heading.strip().lower(), codes.get(heading.strip()))
        if code:
            out[code] = value
    return out


def _column(code: str):
    return labelled(code, COLUMN_LABELS)


def _date(text: str) -> dt.date:
    text = text.strip()
    match = _CHINESE_DATE.match(text)
    if match:
        return dt.date(*(int(part) for part in match.groups()))
    return dt.date.fromisoformat(text)


def _parse_row(row: dict, pools: dict[str, RotationPool]) -> tuple[dict, list[str]]:
    problems: list[str] = []
    data: dict = {}
    for column in REQUIRED_CSV_COLUMNS:
        if not (row.get(column) or "").strip():
            problems.append(say("%(column)s is required", column=_column(column)))
    kind_text = (row.get("kind") or "").strip()
    kind = PROVIDER_KIND_WORDS.get(kind_text.lower(), "")
    if kind_text and not kind:
        problems.append(
            say(
                "%(column)s must be lawyer or legal adviser, not %(value)s",
                column=_column("kind"),
                value=kind_text,
            )
        )
    org_text = (row.get("organization_kind") or "").strip()
    org_kind = (
        ORGANIZATION_KIND_WORDS.get(org_text.lower(), "")
        if org_text
        else ("law_firm" if kind == "lawyer" else "legal_service_office")
    )
    if not org_kind:
        problems.append(
            say(
                "%(column)s must be law firm, legal service office or the centre, not %(value)s",
                column=_column("organization_kind"),
                value=org_text,
            )
        )
    since = None
    if (row.get("practice_since") or "").strip():
        try:
            since = _date(row["practice_since"])
        except ValueError:
            problems.append(
                say("%(column)s must be a date such as 2015-03-01", column=_column("practice_since"))
            )
        else:
            if since > clock.today():
                problems.append(say("%(column)s is in the future", column=_column("practice_since")))
    for column, default, minimum in (("max_open_cases", 10, 1), ("prior_legal_aid_cases", 0, 0)):
        raw = (row.get(column) or "").strip()
        try:
            data[column] = int(raw) if raw else default
            if data[column] < minimum:
                problems.append(
                    say("%(column)s must be at least %(minimum)s", column=_column(column), minimum=minimum)
                )
        except ValueError:
            problems.append(say("%(column)s must be a whole number", column=_column(column)))
    active = (row.get("active") or "").strip().lower()
    if active and active not in YES_WORDS | NO_WORDS:
        problems.append(say("%(column)s must be yes or no", column=_column("active")))
    pool_names = split_list(row.get("pools"))
    for pool_name in pool_names:
        if pool_name not in pools:
            problems.append(say("no pool named %(pool)s", pool=repr(pool_name)))
        elif kind and kind not in pools[pool_name].provider_kinds:
            problems.append(
                say(
                    "pool %(pool)s does not take %(kind)s",
                    pool=repr(pool_name),
                    kind=labelled(kind, PROVIDER_KIND_LABELS),
                )
            )
    data.update(
        name=(row.get("name") or "").strip(),
        kind=kind,
        organization=(row.get("organization") or "").strip(),
        organization_kind=org_kind,
        practice_since=since,
        specialties=split_list(row.get("specialties")),
        areas=split_list(row.get("areas")),
        phone=(row.get("phone") or "").strip() or None,
        email=(row.get("email") or "").strip() or None,
        bank_account=(row.get("bank_account") or "").strip() or None,
        bank_name=(row.get("bank_name") or "").strip() or None,
        active=active not in NO_WORDS,
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
                say("%(column)s: at most %(count)s characters", column=_column(key), count=column.type.length)
            )
    for key, most in (("max_open_cases", 500), ("prior_legal_aid_cases", 100000)):
        if isinstance(data.get(key), int) and data[key] > most:
            problems.append(say("%(column)s must be at most %(most)s", column=_column(key), most=most))
    since = data.get("practice_since")
    if since and since <= clock.today() and not limits.in_window("practice", since):
        problems.append(
            say(
                "%(column)s: %(problem)s",
                column=_column("practice_since"),
                problem=limits.window_problem("practice", since),
            )
        )


def sample_csv(chinese: bool) -> str:
    """A file to start from: the headings and one example row, in the centre's words."""
    heading = [c.zh if chinese else str(c.label) for c in COLUMNS]
    example = [c.example[1 if chinese else 0] for c in COLUMNS]
    return "\ufeff" + csv_text([heading, example])


def import_panel_csv(session: Session, text: str | io.TextIOBase, actor) -> dict:
    """Import providers (and their organisations and pool places) from CSV.

    Every row is checked first; if any row is wrong, nothing is imported and ``Invalid`` carries
    the per-row report (``fields`` keyed ``"row N"``, N the spreadsheet's line, the header being 1).
    Headings and cells may be the codes or the centre's words in English or Chinese (``COLUMNS``). A failure
    while writing raises too; the caller rolls the transaction back, so no row is half-imported."""
    require_role(actor, "admin")
    reader = csv.DictReader(io.StringIO(text) if isinstance(text, str) else text)
    codes = _heading_codes()
    present = {codes.get(h.strip().lower(), codes.get(h.strip())) for h in reader.fieldnames or []}
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in present]
    if missing:
        raise Invalid(
            say("The CSV lacks required columns."),
            fields={
                "columns": [say("missing: %(columns)s", columns=joined([_column(c) for c in missing], ", "))]
            },
        )
    pools = {p.name: p for p in session.scalars(sa.select(RotationPool))}
    rows, report = [], {}
    for line, row in enumerate(reader, start=2):
        data, problems = _parse_row(_normalised(row, codes), pools)
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
