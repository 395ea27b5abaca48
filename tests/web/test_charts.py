"""The server-drawn charts: well-formed SVG named and described for assistive technology, values
at the right coordinates, labels escaped, a data table beside each, and empty periods said so."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from jobpilot.web.charts import (
    BOTTOM,
    HEIGHT,
    LEFT,
    NO_DATA,
    RIGHT,
    TOP,
    WIDTH,
    Bar,
    Series,
    horizontal_bar_chart,
    line_chart,
    nice_ceiling,
    stacked_bar_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
DAYS = ["Nov 1", "Nov 2", "Nov 3", "Nov 4", "Nov 5"]


def svg_of(markup: str) -> ET.Element:
    """The chart's <svg>, parsed as XML (it fails on anything malformed)."""
    found = re.search(r"<svg.*</svg>", markup, re.S)
    assert found, markup
    return ET.fromstring(found.group(0))


def baseline_y() -> float:
    return HEIGHT - BOTTOM


def test_a_line_chart_puts_each_value_at_its_day_and_height() -> None:
    markup = line_chart(
        "signups",
        "Sign-ups per day",
        "Accounts created each day (UTC).",
        DAYS,
        [Series("Sign-ups", [0, 2, 4, 1, 3])],
    )
    svg = svg_of(markup)
    assert svg.get("role") == "img"
    assert svg.get("viewBox") == f"0 0 {WIDTH:g} {HEIGHT:g}"
    assert svg.get("width") == "100%"
    assert svg.get("aria-labelledby") == "signups-title"
    assert svg.get("aria-describedby") == "signups-desc"
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert title is not None
    assert title.get("id") == "signups-title"
    assert title.text == "Sign-ups per day"
    assert desc is not None
    assert "Sign-ups: 10 in all" in (desc.text or "")
    points = svg.findall(f".//{SVG}circle")
    assert [p.get("data-value") for p in points] == ["0", "2", "4", "1", "3"]
    # The axis tops out at 4 (steps of 1): 0 on the baseline, 4 at the top, 2 half-way.
    xs = [float(p.get("cx", "")) for p in points]
    ys = [float(p.get("cy", "")) for p in points]
    assert xs[0] == pytest.approx(LEFT)
    assert xs[-1] == pytest.approx(WIDTH - RIGHT)
    assert xs[2] == pytest.approx((LEFT + WIDTH - RIGHT) / 2)
    assert ys[0] == pytest.approx(baseline_y())
    assert ys[2] == pytest.approx(TOP)
    assert ys[1] == pytest.approx((TOP + baseline_y()) / 2)
    line = svg.find(f".//{SVG}polyline")
    assert line is not None
    assert line.get("points", "").split()[2] == f"{xs[2]:g},{ys[2]:g}"
    # The y axis labels its ticks, the x axis its days; the legend and the table follow.
    ticks = [t.text for t in svg.iter(f"{SVG}text")]
    assert ticks[:5] == ["0", "1", "2", "3", "4"]
    assert "Nov 1" in ticks
    assert "Nov 5" in ticks
    assert '<ul class="chart-legend">' in markup
    assert "<summary>Data table: Sign-ups per day</summary>" in markup
    assert '<tr><th scope="row">Nov 3</th><td class="num">4</td></tr>' in markup


def test_several_series_get_their_own_colour_dash_and_legend_entry() -> None:
    markup = line_chart(
        "two",
        "Two",
        "Two series.",
        DAYS,
        [Series("Sent", [1, 1, 1, 1, 1]), Series("Failed", [0, 0, 2, 0, 0])],
    )
    svg = svg_of(markup)
    groups = svg.findall(f"{SVG}g[@data-series]")
    assert [g.get("data-series") for g in groups] == ["Sent", "Failed"]
    assert "chart-s0" in groups[0].get("class", "")
    assert "chart-s1" in groups[1].get("class", "")
    lines = svg.findall(f".//{SVG}polyline")
    assert lines[0].get("stroke") != lines[1].get("stroke")
    assert lines[0].get("stroke-dasharray") is None
    assert lines[1].get("stroke-dasharray")
    assert markup.count('<span class="chart-swatch') == 2
    assert '<th scope="col">Sent</th><th scope="col">Failed</th>' in markup


def test_a_single_day_is_one_point_in_the_middle() -> None:
    svg = svg_of(line_chart("one", "One", "A day.", ["Nov 1"], [Series("Sign-ups", [3])]))
    (point,) = svg.findall(f".//{SVG}circle")
    assert float(point.get("cx", "")) == pytest.approx(LEFT + (WIDTH - LEFT - RIGHT) / 2)
    assert svg.find(f".//{SVG}polyline") is None
    stacked = svg_of(stacked_bar_chart("s1", "S", "A day.", ["Nov 1"], [Series("saved", [2])]))
    (bar,) = stacked.findall(f".//{SVG}rect")
    assert float(bar.get("y", "")) == pytest.approx(TOP)
    assert float(bar.get("y", "")) + float(bar.get("height", "")) == pytest.approx(baseline_y())


def test_stacked_bars_pile_the_statuses_of_each_day() -> None:
    markup = stacked_bar_chart(
        "statuses",
        "Statuses",
        "Applications per status.",
        ["Nov 1", "Nov 2"],
        [Series("queued", [2, 0]), Series("submitted", [2, 1])],
    )
    svg = svg_of(markup)
    rects = svg.findall(f".//{SVG}rect")
    # Zero segments are left out: day 1 has two segments, day 2 one.
    assert [(r.get("data-value"), r.find(f"{SVG}title").text) for r in rects] == [  # type: ignore[union-attr]
        ("2", "Nov 1: 2 queued"),
        ("2", "Nov 1: 2 submitted"),
        ("1", "Nov 2: 1 submitted"),
    ]
    queued, submitted, second = rects
    # Day 1's total of 4 reaches the top; queued sits on the baseline, submitted on it.
    assert float(queued.get("y", "")) + float(queued.get("height", "")) == pytest.approx(
        baseline_y()
    )
    assert float(submitted.get("y", "")) == pytest.approx(TOP)
    assert float(submitted.get("y", "")) + float(submitted.get("height", "")) == pytest.approx(
        float(queued.get("y", ""))
    )
    assert float(second.get("height", "")) == pytest.approx((baseline_y() - TOP) / 4)
    # Day 2's bar is in the right half.
    assert float(second.get("x", "")) > (LEFT + WIDTH - RIGHT) / 2
    assert '<th scope="col">Total</th>' in markup
    assert '<th scope="row">Nov 1</th><td class="num">2</td><td class="num">2</td>' in markup


def test_horizontal_bars_are_as_long_as_their_share() -> None:
    markup = horizontal_bar_chart(
        "ats",
        "Success per ATS",
        "Submitted of finished.",
        [Bar("greenhouse", 0.92, "92% (46 of 50)"), Bar("lever", 0.5, "50% (1 of 2)")],
        max_value=1.0,
        head=("ATS", "Submitted"),
    )
    svg = svg_of(markup)
    bars = svg.findall(f".//{SVG}rect[@data-value]")
    tracks = svg.findall(f".//{SVG}rect[@class='chart-track']")
    full = float(tracks[0].get("width", ""))
    assert float(bars[0].get("width", "")) == pytest.approx(full * 0.92, abs=0.01)
    assert float(bars[1].get("width", "")) == pytest.approx(full * 0.5, abs=0.01)
    texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert texts == ["greenhouse 92% (46 of 50)", "lever 50% (1 of 2)"]
    assert '<th scope="row">greenhouse</th><td class="num">92% (46 of 50)</td>' in markup
    # The drawing is as tall as its rows.
    assert float(svg.get("viewBox", "").split()[3]) > 2 * 20


def test_labels_and_names_are_escaped() -> None:
    hostile = '<script>alert("x")</script> & co'
    markup = line_chart(
        "x&y", hostile, hostile, [hostile, "b"], [Series(hostile, [1, 2])]
    ) + horizontal_bar_chart("h", hostile, hostile, [Bar(hostile, 1, hostile)])
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    svg = svg_of(str(markup).split("</figure>")[0])
    title = svg.find(f"{SVG}title")
    assert title is not None
    assert title.text == hostile
    assert svg.get("aria-labelledby") == "x&y-title"


@pytest.mark.parametrize(
    "markup",
    [
        line_chart("a", "A", "Caption.", DAYS, [Series("Sign-ups", [0, 0, 0, 0, 0])]),
        line_chart("b", "B", "Caption.", [], []),
        stacked_bar_chart("c", "C", "Caption.", DAYS, []),
        horizontal_bar_chart("d", "D", "Caption.", []),
    ],
)
def test_an_empty_period_says_there_is_no_data(markup: str) -> None:
    assert "<svg" not in markup
    assert f'<p class="chart-empty">{NO_DATA}</p>' in markup
    assert '<figcaption class="chart-caption">Caption.</figcaption>' in markup


def test_values_must_match_the_labels() -> None:
    with pytest.raises(ValueError, match="has 2 values for 5 labels"):
        line_chart("a", "A", "", DAYS, [Series("x", [1, 2])])


@pytest.mark.parametrize(
    ("value", "top", "step"),
    [(0, 1, 1), (1, 1, 1), (3, 3, 1), (4, 4, 1), (7, 8, 2), (46, 60, 20), (0.37, 0.4, 0.1)],
)
def test_the_y_axis_ends_on_a_round_step(value: float, top: float, step: float) -> None:
    assert nice_ceiling(value) == pytest.approx((top, step))
