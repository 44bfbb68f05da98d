"""The ₽/м² chart as inline SVG, rendered on the server.

No JavaScript and no chart library: the page works offline, prints, and the same markup goes into
the shared snapshot. One row per comparable: a hollow dot at its asking ₽/м², a filled dot at its
value adjusted to the target, vertical lines for the target's asking price and the fair value, and
a shaded band where the fair value lies in 8 cases of 10.

Horizontal positions are percentages of the chart's width and the text is in pixels, so the chart
fills a 390 px phone as well as a desktop column with labels of one readable size; the legend is
HTML under it, so it wraps instead of running off a narrow screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from calculator.formatting import format_number

# Plot area, in percent of the width: row labels on the left, room for the last tick's label.
LEFT, RIGHT = 12.0, 91.0
TOP, BOTTOM = 10, 30  # px above the first row and below the last (tick labels)
ROW = 24  # px per comparable


@dataclass(frozen=True)
class ChartRow:
    label: str
    raw: float
    adjusted: float
    weak: bool = False


def _nice_step(span: float) -> float:
    """A round tick step giving about three ticks: fewer labels fit a phone's width."""
    raw = span / 3
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _short(value: float) -> str:
    if value >= 1_000_000:
        return f"{format_number(value / 1_000_000, 2)} млн"
    return f"{format_number(value / 1000)} тыс."


def price_chart(
    rows: list[ChartRow],
    *,
    asking: float | None,
    fair: float | None,
    band: tuple[float, float] | None = None,
) -> SafeString:
    """Inline SVG and its legend; empty string when there is nothing to draw.

    `band` is the fair ₽/м² in 8 cases of 10 (low, high), shaded behind the rows."""
    values = [v for r in rows for v in (r.raw, r.adjusted) if v]
    values += [v for v in (asking, fair, *(band or ())) if v]
    if not rows or not values:
        return mark_safe("")
    low, high = min(values), max(values)
    pad = max((high - low) * 0.06, high * 0.02)
    low, high = max(low - pad, 0), high + pad
    height = TOP + ROW * len(rows) + BOTTOM

    def position(value: float) -> float:
        return LEFT + (value - low) / (high - low) * (RIGHT - LEFT)

    def x(value: float) -> str:
        return f"{position(value):.2f}%"

    parts = [
        f'<svg class="chart" width="100%" height="{height}" role="img" '
        'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Цена за м² у аналогов</title>',
        '<desc id="chart-desc">Для каждого аналога: цена за м² в объявлении (пустой кружок) '
        "и после поправок к оцениваемой квартире (закрашенный кружок); полоса — где справедливая "
        "цена бывает в 8 случаях из 10.</desc>",
    ]
    bottom = TOP + ROW * len(rows)
    if band:
        parts.append(_band(band, position, bottom))
    parts += _axis(low, high, x, height)
    for index, row in enumerate(rows):
        parts += _row(row, TOP + ROW * index + ROW / 2, x)
    for value, css, name in ((asking, "asking", "цена объявления"), (fair, "fair", "справедливая")):
        if value:
            parts.append(
                f'<line x1="{x(value)}" y1="{TOP - 6}" x2="{x(value)}" y2="{bottom}" '
                f'class="marker {css}"><title>{name}: {escape(_short(value))} ₽/м²</title></line>'
            )
    parts.append("</svg>")
    parts.append(_legend(band is not None, bool(asking)))
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _band(band: tuple[float, float], position, bottom: float) -> str:
    left, right = position(band[0]), position(band[1])
    span = f"{escape(_short(band[0]))} — {escape(_short(band[1]))} ₽/м²"
    return (
        f'<rect x="{left:.2f}%" y="{TOP - 6}" width="{right - left:.2f}%" '
        f'height="{bottom - TOP + 6}" class="band"><title>в 8 случаях из 10: {span}</title></rect>'
    )


def _row(row: ChartRow, y: float, x) -> list[str]:
    css = "row weak" if row.weak else "row"
    return [
        f'<g class="{css}">',
        f'<text x="4" y="{y + 4}" class="label">{escape(row.label)}</text>',
        f'<line x1="{x(row.raw)}" y1="{y}" x2="{x(row.adjusted)}" y2="{y}" class="shift"/>',
        f'<circle cx="{x(row.raw)}" cy="{y}" r="4.5" class="raw"/>',
        f'<circle cx="{x(row.adjusted)}" cy="{y}" r="5" class="adjusted"/>',
        "</g>",
    ]


LEGEND = (
    ("raw", "цена за м² в объявлении аналога"),
    ("adjusted", "она же после поправок на отличия от этой квартиры"),
    ("band", "справедливая цена в 8 случаях из 10"),
    ("fair", "справедливая цена"),
    ("asking", "цена в объявлении этой квартиры"),
)


def _legend(band: bool, asking: bool) -> str:
    shown = [(css, text) for css, text in LEGEND if (band or css != "band")]
    shown = [(css, text) for css, text in shown if asking or css != "asking"]
    items = "".join(
        f'<li><span class="swatch {css}" aria-hidden="true"></span>{text}</li>'
        for css, text in shown
    )
    return f'<ul class="chart-legend">{items}</ul>'


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
