"""SVG chart contexts, the words that describe them and the chart partial."""

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from charts.spc import run_chart, xmr_chart
from charts.svg import run_chart_svg_context, xmr_chart_svg_context
from charts.words import format_value

SVG = "{http://www.w3.org/2000/svg}"
BASELINE = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 9]  # mean 10, limits 5.41 to 14.59


def weekly(values, start=date(2025, 3, 1)):
    return [(start + timedelta(weeks=i), float(v)) for i, v in enumerate(values)]


@pytest.fixture
def run_points():
    # Median 5: six points above it from 5 April (week 5).
    return weekly([4, 6, 6, 4, 5, 7, 8, 7, 8, 7, 8, 4, 6, 3])


@pytest.fixture
def xmr_points():
    return weekly([*BASELINE, 20, 11])


def test_run_chart_context(run_points):
    result = run_chart([v for _, v in run_points], baseline=4)
    context = run_chart_svg_context(
        run_points,
        result,
        title="Falls",
        unit="falls",
        annotations=[(date(2025, 3, 29), "PDSA 1"), (date(2024, 1, 1), "Too early")],
    )
    assert context["view_box"] == "0 0 720 400"
    assert [layout["view_box"] for layout in context["layouts"]] == ["0 0 720 400", "0 0 280 300"]
    assert len(context["points"]) == len(run_points)
    assert len(context["polyline"].split()) == len(run_points)
    shift_points = [i for i, p in enumerate(context["points"]) if "iw-point--shift" in p["classes"]]
    assert shift_points == [5, 6, 7, 8, 9, 10]
    assert all("iw-point" in p["classes"].split() for p in context["points"])
    assert context["points"][5]["r"] != context["points"][0]["r"]  # not colour alone
    assert [line["label"] for line in context["lines"]] == ["Median 5 falls"]
    assert 3 <= len(context["y_ticks"]) <= 5
    assert context["x_ticks"][0]["label"] == "01 Mar"
    (marker,) = context["annotations"]  # the one before the data is left out
    assert marker["label"] == "PDSA 1"
    assert context["points"][4]["cx"] == marker["x"]  # 29 March is the fifth point
    # 13 useful observations in 7 runs: within the limits (4 to 11).
    assert context["summary"] == (
        "Run chart of 14 points from 1 March to 31 May 2025. Median 5 falls, from the first "
        "4 points. One shift: 6 points above the median from 5 April to 10 May 2025."
    )


def test_run_chart_summary_with_a_trend_and_no_runs_test():
    points = weekly([10, 11, 12, 12, 13, 14, 10, 11])
    context = run_chart_svg_context(points, run_chart([v for _, v in points]), title="T", unit="%")
    assert context["summary"] == (
        "Run chart of 8 points from 1 March to 19 April 2025. Median 11.5%, from all points. "
        "One trend: 5 points rising from 1 March to 5 April 2025. "
        "Too few points off the median for the runs test (10 needed)."
    )


def test_run_chart_summary_with_too_few_runs():
    values = runs_of([3, 5, 3, 5, 4])
    context = run_chart_svg_context(weekly(values), run_chart(values), title="T", unit="")
    assert context["summary"] == (
        "Run chart of 20 points from 1 March to 12 July 2025. Median 5, from the first 12 "
        "points. "
        "5 runs in 20 useful observations: too few runs, a sign of non-random variation."
    )


def test_run_chart_summary_without_signals():
    values = [1, 2, 9, 8, 3, 7, 4, 6, 2, 8]  # 8 runs, no pattern
    context = run_chart_svg_context(weekly(values), run_chart(values), title="T", unit="")
    assert context["summary"].endswith("Median 5, from all points. No run chart rule is broken.")


def runs_of(sizes):
    values = []
    for n, size in enumerate(sizes):
        values += [1 if n % 2 == 0 else 9] * size
    return values


def test_empty_and_single_point_charts():
    empty = run_chart_svg_context([], run_chart([]), title="T", unit="")
    assert empty["points"] == [] and empty["summary"] == "Run chart with no data points yet."
    one = weekly([42])
    context = run_chart_svg_context(one, run_chart([42]), title="T", unit="minutes")
    assert context["summary"] == (
        "Run chart of 1 point on 1 March 2025. Median 42 minutes, from all points. "
        "Too few points off the median for the runs test (10 needed). "
        "No run chart rule is broken."
    )
    wide = context["layouts"][0]["plot"]
    middle = (float(wide["left"]) + float(wide["right"])) / 2
    assert float(context["points"][0]["cx"]) == pytest.approx(middle, abs=0.1)  # centred


def test_xmr_chart_context(xmr_points):
    result = xmr_chart([v for _, v in xmr_points], improvement="down", target=8)
    context = xmr_chart_svg_context(xmr_points, result, title="Waits", unit="days")
    classes = [p["classes"].split() for p in context["points"]]
    assert "iw-point--outside" in classes[12] and "iw-point--concern" in classes[12]
    assert classes[11] == classes[13] == ["iw-point"]
    # One format for the whole chart: the limits need a decimal, so every number has one.
    assert context["decimals"] == 1
    assert [line["label"] for line in context["lines"]] == [
        "Mean 10.0 days",
        "Upper limit 14.6 days",
        "Lower limit 5.4 days",
        "Target 8.0 days",
    ]
    assert [t["label"] for t in context["y_ticks"]] == ["0.0", "10.0", "20.0", "30.0"]
    assert context["points"][12]["label"].startswith("24 May 2025: 20.0 days")
    assert context["lines"][1]["dasharray"]  # limits are dashed
    assert context["notes"] == [
        "Latest point: common cause variation, no signal of change.",
        "Target 8.0 days: the process will sometimes meet it and sometimes miss it.",
    ]
    assert context["summary"] == (
        "XmR chart of 14 points from 1 March to 31 May 2025. Mean 10.0 days, process limits "
        "5.4 days to 14.6 days, from the first 12 points. One point outside the process "
        "limits: 20.0 days on 24 May, above the upper limit (concern). Latest point: common "
        "cause variation, no signal of change. Target 8.0 days: the process will sometimes "
        "meet it and sometimes miss it."
    )
    row = [cell["text"] for cell in context["table"]["rows"][12]]
    assert row == [
        "24 May 2025",
        "20.0",
        "10.0",
        "5.4",
        "14.6",
        "Outside the process limits (concern)",
        "",
    ]
    legend = [item["label"] for item in context["legend"]]
    assert "Larger orange point with a dashed ring: special cause concern" in legend


def test_xmr_chart_with_too_few_points_draws_trial_limits():
    points = weekly(BASELINE[:8])
    context = xmr_chart_svg_context(points, xmr_chart([v for _, v in points]), title="T", unit="")
    assert [line["label"].split()[:2] for line in context["lines"]] == [
        ["Mean", "10.1"],
        ["Trial", "upper"],
        ["Trial", "lower"],
    ]
    for layout in context["layouts"]:
        assert [h["label"] for h in layout["headers"]] == ["Trial limits"]
    assert context["notes"][0] == (
        "Trial limits: from 8 points. They are recalculated as points are added, until "
        "there are 12."
    )
    assert "trial process limits" in context["summary"]
    one = xmr_chart_svg_context(weekly([4]), xmr_chart([4]), title="T", unit="")
    assert one["notes"] == ["At least 2 points are needed before process limits can be calculated."]


def test_chart_ids_are_unique_unless_given(xmr_points):
    result = xmr_chart([v for _, v in xmr_points])
    first = xmr_chart_svg_context(xmr_points, result, title="T", unit="")
    second = xmr_chart_svg_context(xmr_points, result, title="T", unit="")
    assert first["chart_id"] != second["chart_id"]
    given = xmr_chart_svg_context(xmr_points, result, title="T", unit="", chart_id="waits")
    assert given["chart_id"] == "waits"


def test_coordinates_are_plain_decimal_strings(xmr_points):
    context = xmr_chart_svg_context(
        xmr_points, xmr_chart([v for _, v in xmr_points]), title="T", unit=""
    )
    numbers = [p[k] for p in context["points"] for k in ("cx", "cy", "r")]
    numbers += [line["y"] for line in context["lines"]] + [t["y"] for t in context["y_ticks"]]
    assert all(re.fullmatch(r"-?\d+(\.\d+)?", n) for n in numbers)


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(42.0, "minutes", "42 minutes"), (12.5, "%", "12.5%"), (1 / 3, "", "0.33"), (-0.001, "", "0")],
)
def test_format_value(value, unit, text):
    assert format_value(value, unit) == text


# -- The partials ----------------------------------------------------------------------


def parse(html):
    """Our own rendered markup, to check it is well-formed and to query it."""
    return ET.fromstring(html)  # noqa: S314 - not untrusted input


def render(template, context):
    from django.template.loader import render_to_string

    return render_to_string(f"charts/{template}", {"chart": context})


@pytest.fixture
def rendered(xmr_points):
    values = [v for _, v in xmr_points]
    annotations = [(date(2025, 4, 5), "<b>PDSA</b> & more")]
    run = run_chart_svg_context(
        xmr_points,
        run_chart(values),
        title="Waits <script>alert(1)</script>",
        unit="days",
        annotations=annotations,
    )
    xmr = xmr_chart_svg_context(
        xmr_points,
        xmr_chart(values, improvement="down", target=8),
        title="Waits <script>alert(1)</script>",
        unit="days",
        annotations=annotations,
    )
    return {
        "run": (run, render("_chart.html", run)),
        "xmr": (xmr, render("_chart.html", xmr)),
    }


@pytest.mark.parametrize("kind", ["run", "xmr"])
def test_partial_is_an_accessible_svg(rendered, kind, xmr_points):
    context, html = rendered[kind]
    figure = parse(html)  # well-formed, so the SVG parses as XML
    assert figure.tag == "figure"
    svg = figure.find(f"{SVG}svg")
    assert svg.get("role") == "img"
    assert svg.get("viewBox") == "0 0 720 400"
    chart_id = context["chart_id"]
    assert svg.get("aria-labelledby") == f"{chart_id}-wide-title {chart_id}-wide-desc"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == (f"{chart_id}-wide-title", context["title"])
    assert (desc.get("id"), desc.text) == (f"{chart_id}-wide-desc", context["summary"])
    circles = [c for c in svg.iter(f"{SVG}circle") if "iw-point" in c.get("class").split()]
    assert len(circles) == len(xmr_points)
    assert figure.find("figcaption/ul/li") is not None  # the legend is an HTML list
    assert "style=" not in html and "<style" not in html


def test_flagged_points_carry_their_classes(rendered):
    _, html = rendered["xmr"]
    svg = parse(html).find(f"{SVG}svg")
    outside = [c for c in svg.iter(f"{SVG}circle") if "iw-point--outside" in c.get("class")]
    assert len(outside) == 1
    assert "iw-point--concern" in outside[0].get("class")
    assert outside[0].get("stroke-width") == "2"  # ringed, not colour alone
    assert outside[0].get("fill") == "#ed8b00"


@pytest.mark.parametrize("template", ["run", "xmr"])
def test_text_is_escaped(rendered, template):
    _, html = rendered[template]
    assert "<script>" not in html and "<b>" not in html
    assert "Waits &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;PDSA&lt;/b&gt; &amp; more" in html


def test_two_charts_on_a_page_have_distinct_ids(rendered):
    ids = [parse(html).find(f"{SVG}svg/{SVG}title").get("id") for _, html in rendered.values()]
    assert len(set(ids)) == 2
