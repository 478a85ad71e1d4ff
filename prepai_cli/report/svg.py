"""Horizontal bar charts as inline SVG for the HTML report (no script, no external resources)."""

from __future__ import annotations

from html import escape

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 230
CHART_WIDTH = 360
VALUE_WIDTH = 70
MAX_LABEL_CHARS = 34


def _colour(value: float, maximum: float) -> str:
    share = value / maximum if maximum else 0
    if share >= 0.75:
        return "#2e7d32"
    if share >= 0.5:
        return "#f9a825"
    return "#c62828"


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def bar_chart(title: str, bars: list[tuple[str, float | None]], maximum: float = 10.0) -> str:
    """One bar per (label, value); a None value is drawn as an empty track marked "n/a"."""
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + CHART_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(bars):
        y = GAP + i * (BAR_HEIGHT + GAP)
        text_y = y + BAR_HEIGHT * 0.7
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{text_y:.1f}" text-anchor="end" class="label">'
                     f"{escape(_short(label))}</text>")
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{CHART_WIDTH}" height="{BAR_HEIGHT}" class="track"/>')
        if value is None:
            shown = "n/a"
        else:
            bar = max(0.0, min(value, maximum)) / maximum * CHART_WIDTH
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{bar:.1f}" height="{BAR_HEIGHT}" '
                         f'fill="{_colour(value, maximum)}" data-value="{value:.1f}"/>')
            shown = f"{value:.1f}"
        parts.append(f'<text x="{LABEL_WIDTH + CHART_WIDTH + 8}" y="{text_y:.1f}" class="value">{shown}</text>')
    parts.append("</svg>")
    return "".join(parts)
