"""Charts drawn on the server as inline SVG: no script, no library, no CDN.

A chart is never the only way to read its numbers: the page puts the same figures in a
table next to it, and the SVG carries a `<title>` and `<desc>` (named by
`aria-labelledby`) for screen readers. Each bar also has its number written beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 150
BAR_WIDTH = 300
VALUE_WIDTH = 60


def bar_chart(
    rows: Sequence[tuple[str, int | float]], *, chart_id: str, title: str, description: str = ""
) -> Markup:
    """Horizontal bars, one per `(label, value)`, longest for the largest value, each
    with its label on the left and its value on the right; an accessible SVG image."""
    top = max((value for _, value in rows), default=0) or 1
    height = max(len(rows), 1) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg id="{escape(chart_id)}" class="chart" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description or title)}</desc>',
    ]
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT / 2
        length = round(BAR_WIDTH * (value / top), 1) if value > 0 else 0
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{middle}" text-anchor="end" '
            f'dominant-baseline="middle" font-size="12">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" '
            f'fill="#1d4ed8"><title>{escape(label)}: {escape(_number(value))}</title></rect>'
            f'<text x="{LABEL_WIDTH + length + 4}" y="{middle}" dominant-baseline="middle" '
            f'font-size="12">{escape(_number(value))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every label and title is escaped above)


def _number(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
