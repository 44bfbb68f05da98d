"""The ₽/м² chart as inline SVG, rendered on the server.

No JavaScript and no chart library: the page works offline, prints, and the same markup goes into
the shared snapshot. One row per comparable: a hollow dot at its asking ₽/м², a filled dot at its
value adjusted to the target, and vertical lines for the target's asking price and the fair value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from calculator.formatting import format_number

WIDTH = 640
LEFT, RIGHT, TOP, BOTTOM = 52, 20, 46, 34
ROW = 22


@dataclass(frozen=True)
class ChartRow:
    label: str
    raw: float
    adjusted: float
    weak: bool = False


def _nice_step(span: float) -> float:
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _short(value: float) -> str:
    if value >= 1_000_000:
        return f"{format_number(value / 1_000_000, 2)} млн"
    return f"{format_number(value / 1000)} тыс."


def price_chart(rows: list[ChartRow], *, asking: float | None, fair: float | None) -> SafeString:
    """Inline SVG; empty string when there is nothing to draw."""
    values = [v for r in rows for v in (r.raw, r.adjusted) if v] + [v for v in (asking, fair) if v]
    if not rows or not values:
        return mark_safe("")
    low, high = min(values), max(values)
    pad = max((high - low) * 0.08, high * 0.02)
    low, high = max(low - pad, 0), high + pad
    plot_w = WIDTH - LEFT - RIGHT
    height = TOP + ROW * len(rows) + BOTTOM

    def x(value: float) -> float:
        return round(LEFT + (value - low) / (high - low) * plot_w, 1)

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Цена за м² у аналогов</title>',
        '<desc id="chart-desc">Для каждого аналога: цена за м² в объявлении (пустой кружок) '
        "и после корректировок к оцениваемой квартире (закрашенный кружок).</desc>",
    ]
    parts += _legend()
    parts += _axis(low, high, x, height)
    for index, row in enumerate(rows):
        y = TOP + ROW * index + ROW / 2
        css = "row weak" if row.weak else "row"
        parts.append(f'<g class="{css}">')
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 4}" text-anchor="end" class="label">'
            f"{escape(row.label)}</text>"
        )
        parts.append(
            f'<line x1="{x(row.raw)}" y1="{y}" x2="{x(row.adjusted)}" y2="{y}" class="shift"/>'
        )
        parts.append(f'<circle cx="{x(row.raw)}" cy="{y}" r="4.5" class="raw"/>')
        parts.append(f'<circle cx="{x(row.adjusted)}" cy="{y}" r="5" class="adjusted"/>')
        parts.append("</g>")
    bottom = TOP + ROW * len(rows)
    for value, css, name in ((asking, "asking", "цена объявления"), (fair, "fair", "справедливая")):
        if value:
            parts.append(
                f'<line x1="{x(value)}" y1="{TOP - 6}" x2="{x(value)}" y2="{bottom}" '
                f'class="marker {css}"><title>{name}: {escape(_short(value))} ₽/м²</title></line>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _legend() -> list[str]:
    items = (
        ("raw", "в объявлении"),
        ("adjusted", "с поправками"),
        ("asking", "цена объекта"),
        ("fair", "справедливая"),
    )
    parts, cursor = [], 8
    for css, text in items:
        if css in ("raw", "adjusted"):
            parts.append(f'<circle cx="{cursor + 5}" cy="14" r="4.5" class="{css}"/>')
        else:
            parts.append(
                f'<line x1="{cursor}" y1="14" x2="{cursor + 12}" y2="14" class="marker {css}"/>'
            )
        parts.append(f'<text x="{cursor + 17}" y="18" class="legend">{text}</text>')
        cursor += 24 + len(text) * 7.2
    return parts


def _axis(low: float, high: float, x, height: int) -> list[str]:
    step = _nice_step(high - low)
    parts = []
    tick = math.ceil(low / step) * step
    while tick <= high:
        px = x(tick)
        parts.append(
            f'<line x1="{px}" y1="{TOP - 6}" x2="{px}" y2="{height - BOTTOM + 4}" class="grid"/>'
        )
        parts.append(
            f'<text x="{px}" y="{height - BOTTOM + 20}" text-anchor="middle" class="tick">'
            f"{escape(_short(tick))}</text>"
        )
        tick += step
    return parts
