"""Every page a role reaches by links reads in people's words, in the reader's language (issue 11, item 10
and "Done when": no message id, enum code or untranslated English on a Chinese page, no Chinese on an
English one, user data excepted).

The walk signs in as each role on the demo district, in 简体中文 and in English, opens the home page and
follows every link of the nav and of the pages it reaches, three links deep, at most three pages per kind
of address (``/cases/12`` and ``/cases/31`` are one kind; further pages of a list are skipped). What
people typed or the demo wrote as data (names, addresses, organisations, notes, case numbers, checklist
wording) is taken out of the text first: it is read from the database's free-text columns, and a
template may also mark data with ``translate="no"`` or the class ``user-data``. Computer text in
``<code>`` (a setting's name) is not read; an element with its own ``lang`` (the language switch) is in
that language.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter, defaultdict
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
import sqlalchemy as sa

from legalaid import clock, create_app
from legalaid.answers import close_head_reader
from legalaid.db import db
from legalaid.demo import STAFF
from legalaid.pages import LANGUAGE_NAMES
from tests.conftest import ON_POSTGRES, _config, _reset_to_migrated_state

# Who walks: each role's demo login, and the dual-role deputy head (coordinator and supervisor).
WALKERS = ["coord", "sup", "sup4", "finance", "lawyer01", "admin", "desk"]
LOCALES = ["zh_Hans", "en"]
DEPTH = 3
PER_KIND = 3  # a case page in three states, not all 300 cases

# What the service composes and stores as text: it must be stored as a code with its facts and put
# into words on reading, in the reader's language, so it is read here like a template's words. Every
# other free-text column holds what people typed or named (names, addresses, notes, charges, lists of
# materials) and is user data.
COMPOSED_COLUMNS = {
    ("reminder", "subject"),
    ("reminder", "body"),
    ("outbox_message", "subject"),
    ("outbox_message", "body"),
    ("outbox_message", "last_error"),
    ("subsidy", "hold_reason"),
    ("assignment", "end_reason"),
}
UNREAD_COLUMNS = {
    "password_hash",
    "token_hash",
    "key_hash",
    "bank_account_stored",
    "last_hash",
    "prev_hash",
    "hash",
    "message_id",
    "key",
    "holder",
    "link",
}
UNREAD_JSON = {"audit_entry", "assignment"}  # before/after values and the rotation's figures
# Columns where a lowercase word is a name, not a code.
NAMES_THAT_LOOK_LIKE_CODES = {"username", "email"}

# Latin words a Chinese page may carry: names of formats and things with no Chinese name in use.
LATIN_ON_CHINESE_PAGES = {
    "csv",
    "xlsx",
    "pdf",
    "api",
    "id",
    "ics",
    "ical",
    "url",
    "https",
    "http",
    "e-mail",
    "email",
    "json",
    "ok",
    "sms",
    "qr",
    "utf",
}

# Files, not pages (a prepared file's ``/download`` too); the list of prepared files ``/exports`` is a page.
SKIPPED_PATH = re.compile(
    r"^/(static|api)/|/logout$|/language$|\.(csv|xlsx|ics|json|png|svg)$|/export\b|/exports/\d+/download$"
)
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CODE_SHAPE = re.compile(r"^[a-z][a-z0-9_]*$")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class PageText(HTMLParser):
    """The words a reader meets on a page: text nodes and the attributes read aloud, grouped by the
    element that holds them, without scripts, styles, marked user data and text in another language."""

    def __init__(self, page_lang: str):
        super().__init__(convert_charrefs=True)
        self.page_lang = page_lang
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.chunks: list[str] = []
        self.links: list[str] = []

    def _skipped(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        lang = attrs.get("lang")
        skipped = (
            self._skipped()
            or tag in ("script", "style", "template", "code", "kbd", "samp")
            or attrs.get("translate") == "no"
            or "user-data" in (attrs.get("class") or "").split()
            or (lang is not None and not lang.lower().startswith(self.page_lang))
        )
        if not skipped:
            for name in READ_ATTRIBUTES:
                if attrs.get(name):
                    self.chunks.append(attrs[name])
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.chunks.append(attrs["value"])
        if tag not in VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self._skipped() and data.strip():
            self.chunks.append(" ".join(data.split()))


def demo_words(session) -> tuple[re.Pattern, set[str]]:
    """What the demo wrote as user data (one pattern) and the codes it stored."""
    data: set[str] = set()
    codes: set[str] = set()

    def read(value, column: str, composed: bool) -> None:
        if isinstance(value, dict):
            for item in value.values():
                read(item, column, composed)
        elif isinstance(value, list):
            for item in value:
                read(item, column, composed)
        elif isinstance(value, str) and value.strip():
            if CODE_SHAPE.match(value) and column not in NAMES_THAT_LOOK_LIKE_CODES:
                codes.add(value)
            elif not composed:
                data.update(line.strip() for line in value.splitlines() if line.strip())

    for table in db.metadata.sorted_tables:
        for column in table.columns:
            text = isinstance(column.type, sa.String | sa.Text)
            json = isinstance(column.type, sa.JSON) and table.name not in UNREAD_JSON
            if column.name in UNREAD_COLUMNS or not (text or json):
                continue
            composed = (table.name, column.name) in COMPOSED_COLUMNS
            for value in session.scalars(sa.select(column).distinct() if text else sa.select(column)):
                read(value, column.name, composed)
    data.update(LANGUAGE_NAMES.values())  # each language is named in its own words
    return one_pattern(data), codes


def demo_app(migrated_url: str, folder, **config):
    """An app on a fresh copy of the migrated database filled with the demo district."""
    from legalaid.demo import run_demo

    if ON_POSTGRES:
        url = migrated_url
    else:
        path = folder / "demo.sqlite3"
        shutil.copyfile(migrated_url.removeprefix("sqlite:///"), path)
        url = f"sqlite:///{path}"
    app = create_app(_config(url, **config))
    if ON_POSTGRES:
        _reset_to_migrated_state(app)
    with app.app_context():
        run_demo(db.session, progress=lambda *args: None)
    return app


def close_app(app) -> None:
    with app.app_context():
        close_head_reader(app)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def demo_site(migrated_url, tmp_path_factory):
    """The app on the demo district (built once for this module), the demo's user data as one pattern,
    and the codes the database holds."""
    app = demo_app(migrated_url, tmp_path_factory.mktemp("words"))
    with app.app_context():
        data_pattern, codes = demo_words(db.session)
    yield app, data_pattern, codes
    close_app(app)


def one_pattern(data: set[str]) -> re.Pattern:
    """One pattern finding any of the strings; a Latin one only as a whole word ("admin", a username,
    is not taken out of "administrative")."""

    def alternative(value: str) -> str:
        before = r"(?<![A-Za-z0-9_])" if value[0].isascii() and value[0].isalnum() else ""
        after = r"(?![A-Za-z0-9_])" if value[-1].isascii() and value[-1].isalnum() else ""
        return before + re.escape(value) + after

    return re.compile("|".join(alternative(v) for v in sorted(data, key=len, reverse=True)))


def kind_of(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def signed_in(app, username: str, locale: str):
    from legalaid.demo import DEMO_PASSWORD

    client = app.test_client()
    answer = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code in (302, 303), f"{username} could not sign in"
    with client.session_transaction() as session:
        session["locale"] = locale
    return client


def walk(client):
    """Yield (path, html) for the home page and every page linked from it, DEPTH links deep, at most
    PER_KIND pages per kind of address; html is None for a page that fails."""
    visited: set[str] = set()
    per_kind: Counter = Counter()
    frontier = ["/"]
    for _depth in range(DEPTH + 1):
        following = []
        for path in frontier:
            if path in visited or per_kind[kind_of(path)] >= PER_KIND:
                continue
            visited.add(path)
            per_kind[kind_of(path)] += 1
            answer = client.get(path)
            if answer.status_code >= 500:
                yield path, None  # a page that fails is reported with the words
                continue
            if answer.status_code != 200 or answer.mimetype != "text/html":
                continue
            html = answer.get_data(as_text=True)
            yield path, html
            parser = PageText("-")
            parser.feed(html)
            for href in parser.links:
                parts = urlsplit(urldefrag(href)[0])
                if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                    continue
                if SKIPPED_PATH.search(parts.path) or "page=" in parts.query or "sort=" in parts.query:
                    continue
                following.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        frontier = following


def wrong_words(html: str, locale: str, data_pattern: re.Pattern, codes: set[str]) -> list[str]:
    """What a reader of ``locale`` should not meet on this page."""
    parser = PageText("zh" if locale == "zh_Hans" else "en")
    parser.feed(html)
    problems: set[str] = set()
    for chunk in parser.chunks:
        key = (chunk, locale, id(data_pattern))
        if key not in _CHUNKS:
            _CHUNKS[key] = chunk_problems(chunk, locale, data_pattern, codes)
        problems.update(_CHUNKS[key])
    return sorted(problems)


_CHUNKS: dict[tuple, list[str]] = {}  # the same text recurs on every page (the nav, headings)
SUSPECT = {"zh_Hans": re.compile(r"[A-Za-z_]"), "en": re.compile(r"_|[\u3400-\u9fff\uf900-\ufaff]")}


def chunk_problems(chunk: str, locale: str, data_pattern: re.Pattern, codes: set[str]) -> list[str]:
    if not SUSPECT[locale].search(chunk):
        return []  # nothing Latin on a Chinese page, nothing Chinese or snake_case on an English one
    text = data_pattern.sub(" ", chunk).strip()
    problems = [f"code {word!r} in {chunk!r}" for word in SNAKE.findall(text)]
    if locale == "zh_Hans":
        # A bare code or "code: 16", "held/payable". On an English page a one-word code may equal its
        # label ("trial", "lawyer"), so those are caught on the Chinese page, where either is wrong.
        bare = text.strip(" :：·()（）")
        words = re.fullmatch(r"([a-z_]+)(?:\s*[:/]\s*[a-z_0-9]+)?", bare)
        if bare in codes or (words and words.group(1) in codes and bare != words.group(1)):
            problems.append(f"code {bare!r}")
        english = [
            w for w in LATIN_WORD.findall(text) if len(w) > 1 and w.lower() not in LATIN_ON_CHINESE_PAGES
        ]
        if english:
            problems.append(f"English {' '.join(english)!r} in {chunk!r}")
    elif CJK.search(text):
        problems.append(f"Chinese in {chunk!r}")
    return problems


@pytest.mark.parametrize("locale", LOCALES)
def test_every_page_a_role_reaches_reads_in_its_language_without_codes(demo_site, locale):
    app, data_pattern, codes = demo_site
    found: dict[str, list[str]] = defaultdict(list)
    pages = 0
    for username in [u for u, _roles, _name in STAFF if u in WALKERS] + ["lawyer01"]:
        client = signed_in(app, username, locale)
        for path, html in walk(client):
            pages += 1
            if html is None:
                found["the page fails (500)"].append(f"{username} {path}")
                continue
            for problem in wrong_words(html, locale, data_pattern, codes):
                found[problem].append(f"{username} {path}")
    assert pages > 30
    report = "\n".join(
        f"{problem}  ← {', '.join(sorted(set(where))[:3])}" for problem, where in sorted(found.items())
    )
    assert not found, f"{len(found)} wrong words on {locale} pages:\n{report}"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_pages_of_prepared_files_read_in_words(demo_site, locale):
    """Issue 16, item 5: the list of files prepared in the background and a file waiting, being
    written, ready, and failed for each reason, in the reader's language (the walk meets only the
    files someone asked for)."""
    from legalaid.export_jobs import request_export
    from legalaid.models import User

    app, data_pattern, codes = demo_site
    with app.app_context():
        desk = db.session.scalar(sa.select(User).where(User.username == "desk"))
        ids = []
        for status, failure in [("queued", None), ("running", None), ("done", None)] + [
            ("failed", "interrupted"),
            ("failed", "error"),
        ]:
            job = request_export(db.session, desk, "consultations", "xlsx", {"channel": "letter"})
            job.status, job.failure = status, failure
            if status != "queued":
                job.rows_total, job.rows_done, job.beat_at = 1200, 600, clock.now()
            if status == "done":
                job.file_name, job.finished_at = "kept.xlsx", clock.now()
            ids.append(job.id)
        db.session.commit()
    client = signed_in(app, "desk", locale)
    found = {}
    for path in ["/exports", "/consultations", *(f"/exports/{i}" for i in ids)]:
        answer = client.get(path)
        assert answer.status_code == 200, path
        problems = wrong_words(answer.get_data(as_text=True), locale, data_pattern, codes)
        if problems:
            found[path] = problems
    assert not found, found


def test_the_walk_sees_codes_and_the_wrong_language():
    """The checks themselves: a raw code, a count by code, English on a Chinese page and Chinese on an
    English one are found; user data (a Latin one only as a whole word), computer code and text marked
    as another language are not."""
    codes = {"civil", "pending", "held"}
    data = one_pattern({"张三", "admin"})
    zh = (
        '<p>类型 civil</p><td>pending: 16</td><p lang="en">English</p><td>张三</td><p>administrative_case</p>'
        "<td>administrative</td><td>admin</td><code>LEGALAID_RULES</code>"
    )
    found = wrong_words(zh, "zh_Hans", data, codes)
    assert "code 'pending: 16'" in found
    assert any("administrative_case" in p for p in found)
    assert any("English 'civil'" in p for p in found)
    assert any("English 'administrative'" in p for p in found)
    assert not any("English" in p or "admin'" in p for p in found if "'English'" in p or "LEGALAID" in p)
    en = '<td>held</td><td>held_payable</td><td>不合格</td><td>张三</td><span lang="zh-Hans">中文</span>'
    found = wrong_words(en, "en", data, codes)
    assert found == ["Chinese in '不合格'", "code 'held_payable' in 'held_payable'"]


def test_why_this_provider_is_said_in_words_with_the_figures_folded(demo_site):
    """Issue 11, item 11: the provider's "why you" says who was first in line and why others were passed
    over, in words; the cases-owed figures are kept in a <details>, never shown bare."""
    app, _data, _codes = demo_site
    client = signed_in(app, "lawyer01", "en")
    html = client.get("/me/assignments").get_data(as_text=True)
    assert 'class="why-words"' in html
    assert "first in line" in html or "waited longest" in html
    outside = re.sub(r'<details class="why-figures">.*?</details>', "", html, flags=re.S)
    assert not re.search(r"-?\d+\.\d{3,}", outside), "a raw figure outside the folded details"
    assert re.search(r'<details class="why-figures">.*?[+-]\d\.\d\d<', html, flags=re.S)


def test_the_score_chart_names_both_axes(demo_site):
    """Issue 11, item 16: the bars count files (left axis), the line is the average score (right axis)."""
    from supervision.scoring.reports import months_chart

    app, _data, _codes = demo_site  # not the ``app`` fixture: on PostgreSQL it would empty the demo

    months = [
        {
            "month": "2026-01",
            "count": 3,
            "average": 84.5,
            "grades": {"excellent": 1, "good": 1, "pass": 1, "fail": 0},
        }
    ]
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        svg = str(months_chart(months, "My scores"))
    assert "Files (bars)" in svg and "Average score (line)" in svg
    assert ">excellent:" not in svg  # grades by their label, not their code


def test_the_demo_spreads_its_year_so_deadlines_and_history_look_real(demo_site):
    """Issue 11, item 15: the demo's open intake deadlines are mostly still running (a few overdue, as in
    a real centre), and its history is written over the year, not all at the moment it was loaded."""
    from assignment.intake import case_deadlines
    from assignment.models import Assignment, Case
    from legalaid.models import AuditEntry

    app, _data, _codes = demo_site
    with app.app_context():
        waiting = db.session.scalars(
            sa.select(Case).where(Case.status.in_(("applied", "pending_materials", "accepted", "assigned")))
        ).all()
        running = [
            d for c in waiting for d in case_deadlines(c).values() if d["state"] in ("open", "overdue")
        ]
        overdue = [d for d in running if d["state"] == "overdue"]
        assert len(running) >= 5 and len(overdue) <= len(running) // 3, (len(overdue), len(running))
        months = {
            clock.local_date(at).strftime("%Y-%m") for at in db.session.scalars(sa.select(AuditEntry.at))
        }
        accepted = {
            clock.local_date(at).strftime("%Y-%m")
            for at in db.session.scalars(
                sa.select(Assignment.accepted_at).where(Assignment.accepted_at.is_not(None))
            )
        }
    assert len(months) >= 11 and len(accepted) >= 11, (sorted(months), sorted(accepted))
