"""Screenshots of each role's home page at 1366 px and on a 390 px phone, for docs/screens/.

    python bench/screens.py                      # a fresh demo district, 简体中文, into docs/screens/
    python bench/screens.py --locale en          # the English pages (files end in -en)
    python bench/screens.py --url http://127.0.0.1:5000   # a server already running `legalaid serve --demo`
    python bench/screens.py --clock 2026-12-05   # the demo as on that day (the same pictures every run)

Without ``--url`` the demo district is built in a temporary SQLite database (the migrations, then
``legalaid demo``) and served in this process. Pages are drawn by Debian's Chromium
(``/usr/bin/chromium``, or ``LEGALAID_CHROMIUM``) through Playwright, from the test extra
(``pip install -e '.[test]'``); Chinese pages need a CJK font (``apt-get install fonts-wqy-microhei``).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Who is shown: each role's demo login (the deputy head holds two roles).
ROLES = [
    ("coordinator", "coord"),
    ("supervisor", "sup"),
    ("coordinator-supervisor", "sup4"),
    ("finance", "finance"),
    ("lawyer", "lawyer01"),
    ("admin", "admin"),
    ("desk", "desk"),
]
WIDTHS = {1366: {"width": 1366, "height": 900}, 390: {"width": 390, "height": 844}}
BROWSER_LOCALES = {"zh_Hans": "zh-CN", "en": "en-GB"}


@contextmanager
def demo_server(clock_day: str | None):
    """The demo district in a temporary SQLite database, served over HTTP in a thread."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from legalaid import clock, create_app
    from legalaid.db import db
    from legalaid.demo import run_demo

    if clock_day:
        clock.travel_to(clock_day)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SECRET_KEY": "screens",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/demo.sqlite3",
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # 70 demo logins, hashed once each
            }
        )
        with app.app_context():
            upgrade()
            run_demo(db.session, progress=lambda message: print(message, file=sys.stderr))
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=10)
            with app.app_context():
                db.engine.dispose()


def take_screens(base_url: str, out: Path, locale: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from legalaid.demo import DEMO_PASSWORD

    out.mkdir(parents=True, exist_ok=True)
    suffix = "" if locale == "zh_Hans" else f"-{locale}"
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=os.environ.get("LEGALAID_CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        )
        for name, username in ROLES:
            for width, viewport in WIDTHS.items():
                context = browser.new_context(
                    locale=BROWSER_LOCALES[locale], base_url=base_url, viewport=viewport
                )
                page = context.new_page()
                page.goto("/login")
                page.fill("#username", username)
                page.fill("#password", DEMO_PASSWORD)
                page.click("#sign-in")
                page.wait_for_load_state()
                if "/login" in page.url:
                    context.close()
                    print(f"  {username}: no such demo login, skipped", file=sys.stderr)
                    break
                path = out / f"{name}-{width}{suffix}.png"
                page.screenshot(path=str(path))
                written.append(path)
                context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="a running demo server (default: build one here)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screens"), help="folder for the PNGs")
    parser.add_argument("--locale", choices=sorted(BROWSER_LOCALES), default="zh_Hans")
    parser.add_argument("--clock", help="the demo's date (YYYY-MM-DD), for the same pictures every run")
    args = parser.parse_args()
    if args.url:
        written = take_screens(args.url, Path(args.out), args.locale)
    else:
        with demo_server(args.clock) as url:
            written = take_screens(url, Path(args.out), args.locale)
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
