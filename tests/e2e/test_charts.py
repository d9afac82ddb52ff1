"""The engagement SPC charts on a phone: no sideways scroll, chart text at body size."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_dashboards import heading, open_overview

# For every visible chart, the size its text is drawn at (its font size times the chart's
# scale) and the page's body text size, in CSS pixels.
TEXT_SIZES = """() => {
  const body = parseFloat(getComputedStyle(document.querySelector("main p")).fontSize);
  const sizes = [];
  for (const svg of document.querySelectorAll("svg.iw-chart__svg")) {
    if (svg.getBoundingClientRect().width === 0) continue;  // the other layout
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const text of svg.querySelectorAll("text")) {
      sizes.push(parseFloat(getComputedStyle(text).fontSize) * scale);
    }
  }
  return {body, smallest: Math.min(...sizes), count: sizes.length};
}"""


@pytest.mark.parametrize("viewport", [{"width": 320, "height": 640}])
def test_spc_charts_at_320px_are_readable_and_do_not_scroll_sideways(
    live_server, page, settings, transactional_db, assert_no_axe_violations
):
    open_overview(live_server, page, settings)
    page.goto(live_server.url + "/demo-trust/dashboards/spc/")
    expect(heading(page)).to_have_text("Engagement as SPC charts")
    narrow = page.locator("svg.iw-chart__svg--narrow").first
    expect(narrow).to_be_visible()
    expect(page.locator("svg.iw-chart__svg--wide").first).to_be_hidden()
    sizes = page.evaluate(TEXT_SIZES)
    assert sizes["count"] > 0
    assert sizes["smallest"] >= sizes["body"] - 0.01, sizes
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    # The figures as a table stack on a phone rather than scroll.
    page.get_by_text("The weekly figures as a table").first.click()
    expect(page.get_by_role("table").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_no_axe_violations(page)


def test_spc_charts_on_a_desktop_show_the_wide_layout_with_complete_weeks(
    live_server, page, settings, transactional_db, assert_no_axe_violations
):
    open_overview(live_server, page, settings)
    page.goto(live_server.url + "/demo-trust/dashboards/spc/")
    expect(page.locator("svg.iw-chart__svg--wide").first).to_be_visible()
    expect(page.locator("svg.iw-chart__svg--narrow").first).to_be_hidden()
    expect(page.get_by_text(re.compile(r"only complete weeks are charted"))).to_be_visible()
    assert_no_axe_violations(page)
