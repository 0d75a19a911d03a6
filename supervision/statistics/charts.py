"""Server-drawn SVG bar charts (no script, nothing loaded from the internet; prints as it shows)."""

from __future__ import annotations

from markupsafe import Markup, escape

PALETTE = ("#0b5cad", "#1f9d6b", "#d08a00", "#b42318")


def grouped_bars(
    labels: list[str], series: list[tuple[str, list[float]]], title: str, value_label=lambda v: f"{v:g}"
) -> Markup:
    """Bars per label, one colour per series, with a legend and each bar's value on hover/print."""
    peak = max([v for _name, values in series for v in values] + [1])
    widest = max(len(value_label(peak * i / 4)) for i in range(5))
    width, height, left, bottom, top = 760, 260, 12 + 7 * widest, 36, 28  # room for the axis labels
    plot_w, plot_h = width - left - 10, height - bottom - top
    group_w = plot_w / max(len(labels), 1)
    bar_w = max(min(group_w / (len(series) + 1), 28), 2)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i in range(5):  # grid lines with their values
        y = top + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e8ee"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#5b6775">'
            f"{escape(value_label(peak * i / 4))}</text>"
        )
    for g, label in enumerate(labels):
        x0 = left + g * group_w + (group_w - bar_w * len(series)) / 2
        for s, (name, values) in enumerate(series):
            value = values[g]
            h = plot_h * value / peak
            parts.append(
                f'<rect x="{x0 + s * bar_w:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[s % len(PALETTE)]}"><title>{escape(label)} · '
                f"{escape(name)}: {escape(value_label(value))}</title></rect>"
            )
        parts.append(
            f'<text x="{left + g * group_w + group_w / 2:.1f}" y="{height - bottom + 16}" font-size="11" '
            f'text-anchor="middle" fill="#1d2733">{escape(label)}</text>'
        )
    for s, (name, _values) in enumerate(series):
        parts.append(
            f'<rect x="{left + s * 150}" y="6" width="12" height="12" fill="{PALETTE[s % len(PALETTE)]}"/>'
            f'<text x="{left + s * 150 + 16}" y="16" font-size="12" fill="#1d2733">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
