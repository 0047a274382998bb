"""Bar-chart geometry for small inline SVG charts drawn on the server.

No JavaScript and no chart library reach the browser: the view computes rectangles here and
``templates/components/charts.html`` writes them as SVG with presentation attributes (fill,
stroke, font-size), which the CSP allows where a ``style=`` attribute would be blocked. Every
chart has its numbers in a table beside it, so the SVG itself is decoration for sighted readers
and paper.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 600
HEIGHT = 200
LEFT = 44  # room for the y-axis labels
RIGHT = 8
TOP = 18  # room for the value over the tallest bar
BOTTOM = 28  # room for the month labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # under the bar; "" when labels are thinned out
    value: str  # over the bar; "" when there is no value or too many bars
    empty: bool  # no data for this bar (a rate with nothing to divide by)


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    bars: list[Bar]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value:.0f}%"
    return f"{value:g}"


def bar_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    percent: bool = False,
) -> Chart:
    """Bars for ``values`` (None = no data). Percentages use a fixed 0–100 scale so months
    compare honestly; counts scale to the largest value (at least 1)."""
    n = max(1, len(values))
    if percent:
        top = 100.0
    else:  # an even top keeps the middle grid line on a whole number
        largest = int(max([v for v in values if v is not None] or [0]) or 1)
        top = float(largest + largest % 2)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / n
    gap = slot * 0.2
    every = 1 if n <= 12 else 2 if n <= 24 else 3  # month labels that still fit
    bars = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = 0.0 if value is None else plot_h * (value / top)
        bars.append(
            Bar(
                x=round(LEFT + i * slot + gap / 2, 1),
                y=round(TOP + plot_h - h, 1),
                width=round(slot - gap, 1),
                height=round(h, 1),
                label=label if i % every == 0 else "",
                value="" if value is None or n > 12 else _fmt(value, percent),
                empty=value is None,
            )
        )
    ticks = [
        Tick(y=round(TOP + plot_h * (1 - f), 1), label=_fmt(top * f, percent))
        for f in (0.0, 0.5, 1.0)
    ]
    return Chart(id=chart_id, title=title, bars=bars, ticks=ticks)
