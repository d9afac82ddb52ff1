"""What an analyst checks on a drawn chart: phases, trial limits, notes, floors, labels."""

from datetime import date, timedelta

import pytest

from charts.geometry import CHAR_WIDTH, LAYOUTS, NARROW
from charts.spc import c_chart, p_chart, run_chart, xmr_chart
from charts.svg import control_chart_svg_context, run_chart_svg_context

BASELINE = [10, 11, 9, 10, 12, 8, 10, 11, 9, 10, 11, 9]


def weekly(values, start=date(2025, 10, 5)):
    return [(start + timedelta(weeks=i), float(v)) for i, v in enumerate(values)]


def texts(layout):
    """Every label of a layout with its x, anchor and text, for the clipping check."""
    width = int(layout["width"])
    found = [(float(t["label_x"]), "middle", t["label"]) for t in layout["x_ticks"]]
    found += [(float(layout["plot"]["y_label_x"]), "end", t["label"]) for t in layout["y_ticks"]]
    found += [
        (float(line["label_x"]), "start", line["label"])
        for line in layout["lines"]
        if line["label"]
    ]
    found += [(float(h["x"]), "start", h["label"]) for h in layout["headers"]]
    found += [(float(a["label_x"]), "start", a["label"]) for a in layout["annotations"]]
    found += [(float(n["x"]), "middle", n["label"]) for n in layout["notes"]]
    return width, found


def assert_no_label_is_clipped(context):
    for layout in context["layouts"]:
        width, found = texts(layout)
        size = int(layout["font"]) * CHAR_WIDTH
        for x, anchor, text in found:
            w = len(text) * size
            left = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
            assert left >= 0 and left + w <= width, (layout["name"], text)


def test_phases_are_drawn_as_separate_segments_with_a_labelled_divider():
    values = [*BASELINE, *(v + 10 for v in BASELINE)]
    result = xmr_chart(values, improvement="up", phases=[12])
    context = control_chart_svg_context(
        weekly(values), result, title="T", unit="", phase_labels=["Before", "After PDSA 2"]
    )
    for layout in context["layouts"]:
        assert len(layout["dividers"]) == 1
        assert [h["title"] for h in layout["headers"]] == ["Before", "After PDSA 2"]
        means = [line for line in layout["lines"] if line["title"].startswith("Mean")]
        assert len(means) == 2  # one segment per phase
        assert all(line["d"].count("M") == 1 for line in means)
    assert "Phase 2 (from 28 December 2025 to 15 March 2026): Mean 20.0" in context["summary"]
    assert_no_label_is_clipped(context)


def test_trial_limits_are_labelled():
    result = xmr_chart([*BASELINE, 20, 21, 19, 20], phases=[12])
    context = control_chart_svg_context(
        weekly([*BASELINE, 20, 21, 19, 20]), result, title="T", unit=""
    )
    wide = context["layouts"][0]
    assert [h["title"] for h in wide["headers"]] == ["Phase 2: trial limits"]
    assert any(line["label"].startswith("Trial upper limit") for line in wide["lines"])
    assert "Trial limits: from fewer than 12 points" in [i["label"] for i in context["legend"]]


def test_a_point_note_is_drawn_and_listed_in_the_table():
    points = weekly(BASELINE)
    result = xmr_chart(BASELINE)
    context = control_chart_svg_context(
        points, result, title="T", unit="", point_notes={4: "Agency staff on the ward", 40: "x"}
    )
    assert context["point_notes"] == [
        {"index": 4, "number": 1, "date": "2 November 2025", "text": "Agency staff on the ward"}
    ]
    wide, narrow = context["layouts"]
    assert wide["notes"][0]["label"] == "1. Agency staff on the ward"
    assert narrow["notes"][0]["label"] == "1"
    assert wide["notes"][0]["cx"] == wide["points"][4]["cx"]
    notes = [row[-1]["text"] for row in context["table"]["rows"]]
    assert notes[4] == "1. Agency staff on the ward" and notes.count("") == 11
    assert_no_label_is_clipped(context)


def test_counts_never_go_below_zero_on_the_axis_or_the_limits():
    counts = [0, 2, 1, 0, 3, 1, 0, 2, 1, 0, 1, 1]
    context = control_chart_svg_context(
        weekly(counts), xmr_chart(counts, floor=0.0), title="Incidents", unit="incidents"
    )
    for layout in context["layouts"]:
        assert float(layout["y_ticks"][0]["label"]) == 0
        bottom = float(layout["plot"]["bottom"])
        assert all(float(p["cy"]) <= bottom for p in layout["points"])
    assert "Lower limit 0.0 incidents" in [line["label"] for line in context["lines"]]
    assert "-" not in context["summary"].split("process limits")[1].split(",")[0]
    c = c_chart(counts)
    context = control_chart_svg_context(weekly(counts), c, title="T", unit="")
    assert float(context["y_ticks"][0]["label"]) == 0


def test_percentages_stay_within_0_and_100_and_limits_step_with_the_denominator():
    numerators, denominators = [5, 4, 9, 6, 5], [10, 10, 20, 10, 10]
    result = p_chart(numerators, denominators)
    points = list(zip([d for d, _ in weekly(numerators)], result.values, strict=True))
    context = control_chart_svg_context(points, result, title="T", unit="%")
    assert float(context["y_ticks"][-1]["label"]) <= 100
    upper = next(line for line in context["lines"] if "upper limit" in line["title"].lower())
    assert "V" in upper["d"]  # a step where the denominator changes
    headings = context["table"]["headings"]
    assert headings[:4] == ["Date", "Value (%)", "Numerator", "Denominator"]
    assert_no_label_is_clipped(context)


def test_one_number_format_per_chart():
    values = [12.25, 13.5, 11, 12, 14, 12.5, 13, 12, 11.5, 13, 12, 12.75]
    context = control_chart_svg_context(weekly(values), xmr_chart(values), title="T", unit="")
    assert context["decimals"] == 2
    assert all(len(t["label"].split(".")[1]) == 2 for t in context["y_ticks"])
    assert context["points"][2]["label"] == "19 October 2025: 11.00"
    assert all(len(row[1]["text"].split(".")[1]) == 2 for row in context["table"]["rows"])


@pytest.mark.parametrize("unit", ["", "%", "minutes from arrival to antibiotics"])
def test_labels_are_never_clipped(unit):
    values = [1234.5, 1300, 1250, 1280, 1190, 1400, 1350, 1260, 1310, 1220, 1275, 1330, 1500]
    run = run_chart(values)
    annotations = [(date(2025, 10, 19), "PDSA 1: a very long description of the change")]
    for context in (
        run_chart_svg_context(weekly(values), run, title="T", unit=unit, annotations=annotations),
        control_chart_svg_context(
            weekly(values),
            xmr_chart(values, target=1000),
            title="T",
            unit=unit,
            annotations=annotations,
            point_notes={12: "Winter pressures"},
        ),
    ):
        assert_no_label_is_clipped(context)


def test_the_narrow_layout_keeps_text_at_body_size_on_a_320px_screen():
    # 320 px less 16 px page margins each side: the chart is 288 px wide.
    assert NARROW.font * 288 / NARROW.width >= 16
    assert [layout.name for layout in LAYOUTS] == ["wide", "narrow"]
