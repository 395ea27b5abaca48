"""Charts drawn on the server as inline SVG: a line chart over days, bars stacked per day, and
horizontal bars with their figures.

Each chart is a `<figure>` holding the picture (`role="img"`, named by its `<title>` and
described by its `<desc>`, which sums the figures up), an HTML legend, and the same numbers
as a table in a `<details>`: what a screen reader reads in full, and what anyone without
graphics gets. Nothing needs a
script, and nothing uses a `style` attribute (the pages' CSP allows styles from /static only):
colours are classes (`chart-s0` ...) that app.css maps to custom properties, over presentation
attributes that hold the same colours for a page without the stylesheet. The drawing has a
fixed viewBox and stretches to its container's width, so it is as readable on a 390 px phone
as on a desktop.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

# The drawing's coordinate system; it scales to the container's width (text scales with it,
# so these sizes are chosen to read at about 11 px on a 390 px phone).
WIDTH = 360.0
HEIGHT = 200.0
LEFT = 36.0  # room for the y axis's tick labels
RIGHT = 8.0
TOP = 10.0
BOTTOM = 26.0  # room for the x axis's tick labels
FONT_SIZE = 12
# The most x tick labels drawn (a day's label is about 40 units wide); the others are in the
# data table.
MAX_X_TICKS = 5
NO_DATA = "No data in this period."
# Fallback colours for a page without the stylesheet (app.css sets the same as --chart-N).
PALETTE = (
    "#0b5cad",
    "#c2410c",
    "#15803d",
    "#7e22ce",
    "#b91c1c",
    "#0e7490",
    "#a16207",
    "#be185d",
    "#4d7c0f",
    "#1e3a8a",
    "#57606a",
    "#9a3412",
)
# Lines differ by dash pattern too, not by colour alone.
DASHES = ("", "6 3", "2 3", "8 3 2 3")


@dataclass(frozen=True)
class Series:
    """One named row of values, one per x label."""

    name: str
    values: Sequence[float]


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: its label, its length (relative to the chart's largest), and the
    figures written beside it (`92% (46 of 50)`)."""

    label: str
    value: float
    text: str


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _num(value: float) -> str:
    """A coordinate, short and exact enough."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _figure(value: float) -> str:
    """A data value as people read it: `3`, `2.5`."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def nice_ceiling(value: float) -> tuple[float, float]:
    """The y axis's top and step for data up to `value`: steps of 1, 2 or 5 times a power of
    ten, about four of them (whole steps for counts)."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if value >= 1:
        step = max(step, 1.0)
    return step * math.ceil(value / step - 1e-9), step


@dataclass(frozen=True)
class Plot:
    """Where values land in the drawing: x by index among `count` points (or bars), y by
    value up to `top`."""

    count: int
    top: float
    bands: bool = False

    @property
    def width(self) -> float:
        """The plotting area's width."""
        return WIDTH - LEFT - RIGHT

    @property
    def height(self) -> float:
        """The plotting area's height."""
        return HEIGHT - TOP - BOTTOM

    @property
    def band(self) -> float:
        """The width of one bar's slot."""
        return self.width / max(self.count, 1)

    def x(self, index: int) -> float:
        """The centre of point (or bar slot) `index`."""
        if self.bands:
            return LEFT + self.band * (index + 0.5)
        if self.count == 1:
            return LEFT + self.width / 2
        return LEFT + self.width * index / (self.count - 1)

    def y(self, value: float) -> float:
        """The height at which `value` is drawn (0 on the x axis, `top` at the top)."""
        return TOP + self.height * (1 - value / self.top)


def _x_ticks(count: int) -> list[int]:
    """The indices whose labels the x axis shows: evenly spaced, the first and the last."""
    every = max(1, math.ceil(count / MAX_X_TICKS))
    ticks = list(range(0, count, every))
    if ticks and ticks[-1] != count - 1:
        # The last day is labelled too (flush with the plot's end), in place of the tick
        # before it when that one is closer than a full step: their labels would overlap.
        if len(ticks) > 1 and count - 1 - ticks[-1] < every:
            ticks.pop()
        ticks.append(count - 1)
    return ticks


def _axes(plot: Plot, step: float, labels: Sequence[str]) -> list[str]:
    parts = ['<g class="chart-axes" aria-hidden="true">']
    ticks = round(plot.top / step)
    for n in range(ticks + 1):
        value = step * n
        y = plot.y(value)
        parts.append(
            f'<line class="chart-grid" x1="{_num(LEFT)}" x2="{_num(WIDTH - RIGHT)}" '
            f'y1="{_num(y)}" y2="{_num(y)}" stroke="#d0d7de" stroke-width="1"/>'
        )
        parts.append(
            f'<text class="chart-tick" x="{_num(LEFT - 4)}" y="{_num(y + FONT_SIZE / 3)}" '
            f'text-anchor="end" font-size="{FONT_SIZE}" fill="#57606a">{_e(_figure(value))}</text>'
        )
    for index in _x_ticks(len(labels)):
        x = plot.x(index)
        anchor = "middle"
        # A line's last point sits on the drawing's right edge: its label ends there. (The
        # first one's label has the y axis's margin to spread into.)
        if not plot.bands and index == len(labels) - 1 and len(labels) > 1:
            anchor = "end"
        parts.append(
            f'<text class="chart-tick" x="{_num(x)}" y="{_num(HEIGHT - BOTTOM + FONT_SIZE + 4)}" '
            f'text-anchor="{anchor}" font-size="{FONT_SIZE}" fill="#57606a">'
            f"{_e(labels[index])}</text>"
        )
    baseline = plot.y(0)
    parts.append(
        f'<line class="chart-axis" x1="{_num(LEFT)}" x2="{_num(WIDTH - RIGHT)}" '
        f'y1="{_num(baseline)}" y2="{_num(baseline)}" stroke="#57606a" stroke-width="1"/>'
    )
    parts.append("</g>")
    return parts


def _svg(chart_id: str, title: str, description: str, body: list[str], height: float) -> str:
    return (
        f'<svg class="chart-svg" viewBox="0 0 {_num(WIDTH)} {_num(height)}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{_e(chart_id)}-title" aria-describedby="{_e(chart_id)}-desc" '
        f'font-family="system-ui, sans-serif">'
        f'<title id="{_e(chart_id)}-title">{_e(title)}</title>'
        f'<desc id="{_e(chart_id)}-desc">{_e(description)}</desc>' + "".join(body) + "</svg>"
    )


def _legend(names: Sequence[str]) -> str:
    items = "".join(
        f'<li><span class="chart-swatch chart-s{n % len(PALETTE)}" aria-hidden="true"></span>'
        f"{_e(name)}</li>"
        for n, name in enumerate(names)
    )
    return f'<ul class="chart-legend">{items}</ul>'


def _table(chart_id: str, title: str, head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    cells = "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{_e(row[0])}</th>'
        + "".join(f'<td class="num">{_e(v)}</td>' for v in row[1:])
        + "</tr>"
        for row in rows
    )
    return (
        f'<details class="chart-data"><summary>Data table: {_e(title)}</summary>'
        f'<div class="table-wrap" role="region" aria-labelledby="{_e(chart_id)}-caption" '
        f'tabindex="0"><table class="table"><caption id="{_e(chart_id)}-caption">{_e(title)}'
        f"</caption><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table></div></details>"
    )


def _wrap(chart_id: str, kind: str, caption: str, inner: str) -> Markup:
    # Every text that goes in was escaped by `_e` on its way here.
    return Markup(  # noqa: S704
        f'<figure class="chart chart--{kind}" id="{_e(chart_id)}" data-chart="{_e(kind)}">'
        f'<figcaption class="chart-caption">{_e(caption)}</figcaption>{inner}</figure>'
    )


def _empty(chart_id: str, kind: str, title: str, caption: str) -> Markup:
    return _wrap(chart_id, kind, caption, f'<p class="chart-empty">{NO_DATA}</p>')


def _has_data(series: Sequence[Series]) -> bool:
    return any(v for s in series for v in s.values)


def _series_table(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    total: bool,
) -> str:
    head = ["Day", *(s.name for s in series)] + (["Total"] if total else [])
    rows = []
    for i, label in enumerate(labels):
        values = [s.values[i] for s in series]
        rows.append(
            [label, *(_figure(v) for v in values)] + ([_figure(sum(values))] if total else [])
        )
    return _table(chart_id, title, head, rows)


def _check(labels: Sequence[str], series: Sequence[Series]) -> None:
    for s in series:
        if len(s.values) != len(labels):
            msg = f"series {s.name!r} has {len(s.values)} values for {len(labels)} labels"
            raise ValueError(msg)


def line_chart(
    chart_id: str,
    title: str,
    caption: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    describe: Callable[[Series], str] | None = None,
) -> Markup:
    """One line per series over `labels` (days), with a point at each value; a chart with no
    value above zero says there is no data."""
    _check(labels, series)
    if not labels or not _has_data(series):
        return _empty(chart_id, "line", title, caption)
    top, step = nice_ceiling(max(v for s in series for v in s.values))
    plot = Plot(len(labels), top)
    body = _axes(plot, step, labels)
    for n, s in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(f"{_num(plot.x(i))},{_num(plot.y(v))}" for i, v in enumerate(s.values))
        dash = DASHES[n % len(DASHES)]
        body.append(
            f'<g class="chart-series chart-s{n % len(PALETTE)}" data-series="{_e(s.name)}">'
        )
        if len(labels) > 1:
            body.append(
                f'<polyline class="chart-line" points="{points}" fill="none" stroke="{colour}" '
                f'stroke-width="2" stroke-linejoin="round"'
                + (f' stroke-dasharray="{dash}"' if dash else "")
                + "/>"
            )
        for i, v in enumerate(s.values):
            body.append(
                f'<circle class="chart-point" cx="{_num(plot.x(i))}" cy="{_num(plot.y(v))}" '
                f'r="{2.5 if len(labels) > 1 else 4}" fill="{colour}" data-value="{_figure(v)}">'
                f"<title>{_e(labels[i])}: {_e(_figure(v))} {_e(s.name)}</title></circle>"
            )
        body.append("</g>")
    summary = "; ".join(
        describe(s) if describe else f"{s.name}: {_figure(sum(s.values))} in all" for s in series
    )
    description = f"{caption} {summary}."
    inner = (
        _svg(chart_id, title, description, body, HEIGHT)
        + _legend([s.name for s in series])
        + _series_table(chart_id, title, labels, series, total=False)
    )
    return _wrap(chart_id, "line", caption, inner)


def stacked_bar_chart(
    chart_id: str, title: str, caption: str, labels: Sequence[str], series: Sequence[Series]
) -> Markup:
    """A bar per label (day) made of one segment per series (status), bottom to top in the
    series' order; a chart with no value above zero says there is no data."""
    _check(labels, series)
    if not labels or not _has_data(series):
        return _empty(chart_id, "stacked", title, caption)
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    top, step = nice_ceiling(max(totals))
    plot = Plot(len(labels), top, bands=True)
    body = _axes(plot, step, labels)
    width = max(plot.band * 0.7, 1.0)
    for n, s in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        body.append(
            f'<g class="chart-series chart-s{n % len(PALETTE)}" data-series="{_e(s.name)}">'
        )
        for i, v in enumerate(s.values):
            if not v:
                continue
            below = sum(series[m].values[i] for m in range(n))
            y_top, y_bottom = plot.y(below + v), plot.y(below)
            body.append(
                f'<rect class="chart-bar" x="{_num(plot.x(i) - width / 2)}" y="{_num(y_top)}" '
                f'width="{_num(width)}" height="{_num(y_bottom - y_top)}" fill="{colour}" '
                f'data-value="{_figure(v)}"><title>{_e(labels[i])}: {_e(_figure(v))} '
                f"{_e(s.name)}</title></rect>"
            )
        body.append("</g>")
    summary = "; ".join(f"{s.name}: {_figure(sum(s.values))}" for s in series if any(s.values))
    description = f"{caption} In all: {summary}."
    inner = (
        _svg(chart_id, title, description, body, HEIGHT)
        + _legend([s.name for s in series])
        + _series_table(chart_id, title, labels, series, total=True)
    )
    return _wrap(chart_id, "stacked", caption, inner)


# Horizontal bars: each row is a line of text (label and figures) over its bar.
ROW_HEIGHT = 34.0
BAR_HEIGHT = 10.0


def horizontal_bar_chart(
    chart_id: str,
    title: str,
    caption: str,
    bars: Sequence[Bar],
    *,
    max_value: float | None = None,
    head: tuple[str, str] = ("", "Value"),
) -> Markup:
    """One bar per row, as long as its value relative to `max_value` (default: the largest),
    its label and figures written above it; no bars says there is no data."""
    if not bars:
        return _empty(chart_id, "bars", title, caption)
    largest = max_value if max_value is not None else max(b.value for b in bars)
    largest = largest or 1.0
    inner_width = WIDTH - RIGHT - 2
    body = []
    for n, bar in enumerate(bars):
        y = TOP / 2 + n * ROW_HEIGHT
        length = inner_width * max(0.0, min(bar.value / largest, 1.0))
        body.append(
            f'<g class="chart-row" data-label="{_e(bar.label)}">'
            f'<text x="2" y="{_num(y + FONT_SIZE)}" font-size="{FONT_SIZE}" fill="#1b1f24">'
            f'<tspan font-weight="600">{_e(bar.label)}</tspan> {_e(bar.text)}</text>'
            f'<rect class="chart-track" x="2" y="{_num(y + FONT_SIZE + 5)}" '
            f'width="{_num(inner_width)}" height="{_num(BAR_HEIGHT)}" fill="#eaeef2"/>'
            f'<rect class="chart-bar chart-s0" x="2" y="{_num(y + FONT_SIZE + 5)}" '
            f'width="{_num(length)}" height="{_num(BAR_HEIGHT)}" fill="{PALETTE[0]}" '
            f'data-value="{_figure(bar.value)}"><title>{_e(bar.label)}: {_e(bar.text)}</title>'
            f"</rect></g>"
        )
    height = TOP + len(bars) * ROW_HEIGHT
    description = f"{caption} " + "; ".join(f"{b.label}: {b.text}" for b in bars) + "."
    inner = _svg(chart_id, title, description, body, height) + _table(
        chart_id, title, head, [[b.label, b.text] for b in bars]
    )
    return _wrap(chart_id, "bars", caption, inner)
