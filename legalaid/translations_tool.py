"""``legalaid translations``: keep the two catalogs (简体中文, English) complete and compiled.

The message ids are English. ``update`` extracts every string from the code and templates, merges
it into both catalogs (English translates to itself) and compiles them; ``check`` fails when a
string has no Chinese translation or a compiled catalog is stale, so CI catches a missing one."""

from __future__ import annotations

import io
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
SOURCES = ["legalaid", "assignment", "supervision", "templates"]
METHODS = [("**.py", "python"), ("**.html", "jinja2.ext:babel_extract")]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
    "say": None,
}
LOCALES = ("zh_Hans", "en")


def extract() -> Catalog:
    template = Catalog(project="legalaid", charset="utf-8")
    for source in SOURCES:
        folder = ROOT / source
        if not folder.exists():  # an installed copy has no templates beside the packages
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            folder,
            METHODS,
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
            options_map={"**.html": {"extensions": "jinja2.ext.do"}},
        ):
            template.add(
                message, None, [(f"{source}/{filename}", lineno)], auto_comments=comments, context=context
            )
    return template


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def load(locale: str) -> Catalog:
    path = po_path(locale)
    if not path.exists():
        return Catalog(locale=locale, project="legalaid", charset="utf-8")
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def update() -> dict[str, int]:
    template = extract()
    missing = {}
    for locale in LOCALES:
        catalog = load(locale)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        for message in catalog:
            if not message.id:
                continue
            if locale == "en":
                message.string = message.id
            message.flags.discard("fuzzy")
        path = po_path(locale)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=110, sort_output=True)
        path.with_suffix(".mo").write_bytes(compiled(catalog))
        missing[locale] = sum(1 for m in catalog if m.id and not _translated(m))
    return missing


def _translated(message) -> bool:
    if isinstance(message.string, tuple | list):
        return all(message.string)
    return bool(message.string)


def _read_mo(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_mo(f)


def _messages(catalog: Catalog) -> dict:
    """What a catalog translates, without its header: Babel versions write the header differently, so a
    compiled catalog is stale when its messages differ, not its bytes."""

    def frozen(value):
        return tuple(value) if isinstance(value, list) else value

    return {
        (m.context, frozen(m.id)): frozen(m.string)
        for m in catalog
        if m.id and not m.fuzzy and _translated(m)
    }


def problems() -> list[str]:
    """What is wrong with the catalogs now (empty when they are complete and compiled)."""
    found = []
    wanted = {m.id if not isinstance(m.id, tuple) else m.id[0] for m in extract() if m.id}
    for locale in LOCALES:
        catalog = load(locale)
        have = {m.id if not isinstance(m.id, tuple) else m.id[0]: m for m in catalog if m.id}
        for msgid in sorted(wanted - set(have)):
            found.append(f"{locale}: not in the catalog: {msgid!r}")
        for msgid, message in have.items():
            if msgid in wanted and not _translated(message):
                found.append(f"{locale}: not translated: {msgid!r}")
        mo = po_path(locale).with_suffix(".mo")
        if not mo.exists() or _messages(_read_mo(mo)) != _messages(catalog):
            found.append(f"{locale}: compiled catalog is stale; run `legalaid translations update`")
    return found


translations_cli = click.Group("translations", help="The Chinese and English catalogs.")


@translations_cli.command("update")
def update_command():
    """Extract strings, merge them into both catalogs, compile."""
    for locale, count in update().items():
        click.echo(f"{locale}: {count} strings still to translate")


@translations_cli.command("check")
def check_command():
    """Fail when a string is untranslated or a compiled catalog is stale."""
    found = problems()
    for line in found:
        click.echo(line, err=True)
    if found:
        raise SystemExit(1)
    click.echo("both catalogs complete and compiled")
