"""Browser tests on the demo district: axe-core (pinned, from the npm registry) checks each page against
WCAG 2 A/AA, and each role's day is walked through the pages only.

axe-core is fetched once as the registry's pinned tarball (no npm needed), its sha512 integrity checked,
and ``axe.min.js`` kept in ``.cache/axe-core/`` (git-ignored; ``LEGALAID_AXE_CACHE`` names another
folder, e.g. one filled beforehand on a machine without internet). Playwright injects the file from disk
into the page: nothing from the internet is ever loaded into a page.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import threading
import urllib.request
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.test_page_words import close_app, demo_app

AXE_VERSION = "4.14.1"
AXE_TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
AXE_INTEGRITY = (
    "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
AXE_CACHE = Path(
    os.environ.get("LEGALAID_AXE_CACHE") or Path(__file__).resolve().parents[2] / ".cache" / "axe-core"
)

BROWSER_LOCALES = {"zh_Hans": "zh-CN", "en": "en-GB"}
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERIOUS = {"serious", "critical"}


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch_axe(cache: Path = AXE_CACHE) -> Path:
    """The path of the pinned ``axe.min.js``, downloading and checking the tarball the first time."""
    tarball = cache / f"axe-core-{AXE_VERSION}.tgz"
    script = cache / f"axe-{AXE_VERSION}.min.js"
    if tarball.exists() and _integrity(tarball.read_bytes()) == AXE_INTEGRITY and script.exists():
        return script
    cache.mkdir(parents=True, exist_ok=True)
    with urllib.request.urlopen(AXE_TARBALL, timeout=60) as answer:  # noqa: S310 (a fixed https URL)
        data = answer.read()
    got = _integrity(data)
    if got != AXE_INTEGRITY:
        raise RuntimeError(f"axe-core {AXE_VERSION} tarball integrity mismatch: {got}")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        member = archive.extractfile("package/axe.min.js")
        assert member is not None
        body = member.read()
    partial = script.with_suffix(".part")
    partial.write_bytes(body)
    partial.replace(script)
    tarball.write_bytes(data)
    return script


@pytest.fixture(scope="session")
def axe_script() -> Path:
    try:
        return fetch_axe()
    except OSError as error:  # no internet and no cache: say how to fill it
        pytest.fail(f"axe-core {AXE_VERSION} is not in {AXE_CACHE} and could not be fetched: {error}")


RUN_AXE = """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then((result) => result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({impact: n.impact, target: n.target.join(" "), summary: n.failureSummary})),
  })))"""


def axe_violations(page, script: Path) -> list[str]:
    """Every serious or critical WCAG 2 A/AA violation on the page, one line per element."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(script))
    found = []
    for violation in page.evaluate(RUN_AXE, WCAG_TAGS):
        alike: dict[tuple[str, str], list[str]] = {}  # one line per kind of failure, naming its elements
        for node in violation["nodes"]:
            impact = node["impact"] or violation["impact"]
            if impact in SERIOUS:
                summary = " ".join((node["summary"] or violation["help"]).split())
                alike.setdefault((impact, summary), []).append(node["target"])
        for (impact, summary), targets in alike.items():
            more = f" (+{len(targets) - 3} more)" if len(targets) > 3 else ""
            found.append(f"{violation['id']} [{impact}] {', '.join(targets[:3])}{more}: {summary}")
    return found


@pytest.fixture(scope="session")
def assert_accessible(axe_script):
    """``assert_accessible(page)``: fails listing every serious or critical axe-core finding."""

    def check(page, where: str = ""):
        found = axe_violations(page, axe_script)
        assert not found, f"{where or page.url}: axe-core found\n" + "\n".join(found)

    check.violations = lambda page: axe_violations(page, axe_script)
    return check


@pytest.fixture(scope="module")
def demo_server(migrated_url, tmp_path_factory):
    """The demo district served over HTTP in a thread (CSRF on, as in production), once per module."""
    app = demo_app(migrated_url, tmp_path_factory.mktemp("browser"), WTF_CSRF_ENABLED=True)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    close_app(app)


@pytest.fixture
def open_as(browser_instance, demo_server):
    """``open_as(username, locale, viewport)``: a fresh browser context signed in through the sign-in
    page (the only address typed); closed after the test."""
    from legalaid.demo import DEMO_PASSWORD

    contexts = []

    def sign_in(username, locale="en", viewport=DESKTOP):
        # The service's Content-Security-Policy ("script-src 'self'") would refuse axe-core's injected
        # script; the test context alone lets it in (the file comes from disk, never the internet).
        context = browser_instance.new_context(
            locale=BROWSER_LOCALES[locale], base_url=demo_server, viewport=viewport, bypass_csp=True
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", DEMO_PASSWORD)
        page.click("#sign-in")
        page.wait_for_url(lambda url: "/login" not in url)
        if page.locator("html").get_attribute("lang") != ("zh-Hans" if locale == "zh_Hans" else "en"):
            page.click(f"button[name=locale][value={locale}]")
            page.wait_for_load_state()
        return page

    yield sign_in
    for context in contexts:
        context.close()


def nav_links(page) -> list[str]:
    """Home and every page the navigation links to (the "More" menu's too)."""
    hrefs = page.eval_on_selector_all(".nav a[href]", "links => links.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(["/", *(h for h in hrefs if h.startswith("/"))]))


# What the page says about its width and its tables' key (first) columns on a phone.
LAYOUT = r"""() => {
  const width = window.innerWidth;
  const cut = [];
  for (const table of document.querySelectorAll("main table")) {
    const cell = Array.from(table.querySelectorAll("tr > :first-child")).find((c) => c.colSpan === 1);
    if (!cell || cell.offsetParent === null) continue;
    const box = cell.getBoundingClientRect();
    if (box.left < -1 || box.right > width + 1 || box.width < 16) {
      cut.push((table.id || table.className || "table") + ": " + cell.textContent.trim().slice(0, 20));
    }
  }
  return {scrollWidth: document.scrollingElement.scrollWidth, width: width, cut: cut};
}"""


def phone_pass(page) -> list[str]:
    """Each of the signed-in role's main pages at 390 px: what scrolls sideways or hides a key column."""
    page.set_viewport_size(PHONE)
    page.goto("/")
    wrong = []
    for path in nav_links(page):
        page.goto(path)
        layout = page.evaluate(LAYOUT)
        if layout["scrollWidth"] > layout["width"]:
            wrong.append(f"{path}: {layout['scrollWidth']} px wide on a {layout['width']} px phone")
        if layout["cut"]:
            wrong.append(f"{path}: key column out of view in {layout['cut']}")
    return wrong
