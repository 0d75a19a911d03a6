"""Charts drawn on the server as inline SVG: no script, nothing loaded from elsewhere (DESIGN.md §7)."""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 180
VALUE_WIDTH = 70
ROW = 30
TOP = 34
NAME_CHARS = 22


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def count_vs_expected(members: list[dict], *, title: str, count_label: str, expected_label: str) -> Markup:
    """Horizontal bars per member: assignments counted (solid) against the expected share (light).

    ``members`` are the fairness report's rows (``name``, ``count``, ``expected``)."""
    bar_area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    top = max([1.0, *(float(m["count"]) for m in members), *(float(m["expected"]) for m in members)])
    scale = bar_area / top
    height = TOP + ROW * len(members) + 8
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{LABEL_WIDTH}" y="6" width="12" height="10" fill="#0b5cad"/>'
        f'<text x="{LABEL_WIDTH + 16}" y="15" font-size="12">{escape(count_label)}</text>',
        f'<rect x="{LABEL_WIDTH + 150}" y="6" width="12" height="10" fill="#9cc3e8"/>'
        f'<text x="{LABEL_WIDTH + 166}" y="15" font-size="12">{escape(expected_label)}</text>',
    ]
    for i, member in enumerate(members):
        y = TOP + i * ROW
        count, expected = float(member["count"]), float(member["expected"])
        name = escape(_short(str(member["name"])))
        hint = f"{escape(member['name'])}: {member['count']} / {member['expected']}"
        parts.append(
            f'<g class="bar"><title>{hint}</title>'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" font-size="13" text-anchor="end">{name}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{count * scale:.1f}" height="11" fill="#0b5cad"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 14}" width="{expected * scale:.1f}" height="9" fill="#9cc3e8"/>'
            f'<text x="{WIDTH - VALUE_WIDTH + 6}" y="{y + 15}" font-size="12">'
            f"{member['count']} / {member['expected']}</text></g>"
        )
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{TOP - 4}" x2="{LABEL_WIDTH}" y2="{height - 6}" stroke="#5b6775"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
