"""The dashboards' tables: each one's columns, written once for its page and its CSV.

A column gives its heading and, for each row, its cell: a figure, None where the figure
is suppressed, or a wording ("no members"). The page and the CSV print a cell alike (the
page adds the column's unit to a figure), and a suppressed cell always reads as
`fewer_than` says. Where the page and the CSV differ (the ward table's CSV has more
columns), both shapes are here, side by side.
"""

from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from improvewell.http import csv_response

# How a suppressed figure reads, on every page and in every CSV.
SUPPRESSED = "fewer than {n}"


def fewer_than(threshold: int, what: str = "") -> str:
    """The wording of a suppressed figure ("fewer than 11"), or of a group ("… people")."""
    wording = SUPPRESSED.format(n=threshold)
    return f"{wording} {what}" if what else wording


def shown(cell, threshold: int):
    """A cell as printed: its figure or wording, or the suppressed wording for None."""
    return fewer_than(threshold) if cell is None else cell


@dataclass(frozen=True)
class Column:
    heading: str
    cell: Callable[[Any], Any]  # the row's figure, None where suppressed, or a wording
    unit: str = ""  # after a figure on the page ("%")
    key: str = ""  # what the page sorts by
    short: str = ""  # the heading repeated in each cell on narrow screens, if not `heading`

    @property
    def narrow_heading(self) -> str:
        return self.short or self.heading


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list  # a selector's rows, each read by every column's `cell`

    @property
    def headings(self) -> list[str]:
        return [column.heading for column in self.columns]

    @property
    def lines(self) -> list[dict]:
        """For a page: each row (`item`, for links) with its (column, cell) pairs."""
        return [
            {"item": row, "cells": [(column, column.cell(row)) for column in self.columns]}
            for row in self.rows
        ]

    def csv(self, filename: str, threshold: int):
        return csv_response(
            filename,
            self.headings,
            [[shown(column.cell(row), threshold) for column in self.columns] for row in self.rows],
        )


def _or(wording: str, key: str):
    """A cell of the row's `key`, or `wording` when the figure is missing (not suppressed)."""
    return lambda row: wording if row[key] is None else row[key]


# The ward table (dashboards.selectors.ward_league) ------------------------------------


def _people(row):
    if row["participation"] is None and not row["active_members"]:
        return "no members"
    return row["participation"]


def _pulse(row, figure: str):
    """The check-ins or the mean of the ward's latest published month (dashboards.pulse)."""
    pulse = row["pulse"]
    if pulse is None:
        return "no complete month"
    if pulse.suppressed:
        return None
    if figure == "count":
        return pulse.count
    return "no check-ins" if pulse.mean is None else pulse.mean


def _month(month, form: str) -> str:
    """The pulse column's heading names the month it shows."""
    return f" ({month:{form}})" if month else ""


def league(rows, month) -> Table:
    return Table(
        [
            Column("Ward", itemgetter("name"), key="ward"),
            Column("Ideas", itemgetter("ideas"), key="ideas"),
            Column(
                "Taking part (30 days)", _people, unit="%", key="participation", short="Taking part"
            ),
            Column(
                "Answered within target", _or("none answered", "answered"), unit="%", key="answered"
            ),
            Column("Implemented", itemgetter("implemented"), key="implemented"),
            Column(
                f"Pulse mean{_month(month, '%b %Y')}",
                lambda row: _pulse(row, "mean"),
                key="pulse",
                short="Pulse mean",
            ),
        ],
        rows,
    )


def league_csv(rows, month) -> Table:
    named = _month(month, "%B %Y")
    return Table(
        [
            Column("Ward", itemgetter("name")),
            Column("Site", itemgetter("site")),
            Column("Ideas", itemgetter("ideas")),
            Column("Implemented", itemgetter("implemented")),
            Column("Answered within target (%)", _or("", "answered")),
            Column("Contributors (30 days)", itemgetter("contributors_30d")),
            Column("Active members", itemgetter("active_members")),
            Column("Participation (%)", _people),
            Column(f"Pulse check-ins{named}", lambda row: _pulse(row, "count")),
            Column(f"Pulse mean{named}", lambda row: _pulse(row, "mean")),
        ],
        rows,
    )


def pulse_by_month(rows) -> Table:
    """The pulse figures by month (selectors.pulse_by_month): a CSV only."""
    return Table(
        [
            Column("Month", lambda row: f"{row['month']:%Y-%m}"),
            Column("Level", itemgetter("level")),
            Column("Site or organisation", itemgetter("place")),
            Column("Ward", itemgetter("ward")),
            Column("Pulse check-ins", lambda row: _pulse(row, "count")),
            Column("Pulse mean", lambda row: _pulse(row, "mean")),
        ],
        rows,
    )


# Staff groups (dashboards.selectors) ---------------------------------------------------


def _cells(labels) -> list[Column]:
    return [Column(label, lambda row, n=n: row["cells"][n]) for n, label in enumerate(labels)]


def staff_matrix(matrix, *, with_site=False) -> Table:
    """Wards by staff group; the CSV names each ward's site, the page links the ward."""
    ward = [Column("Ward", lambda row: row["ward"].name)]
    if with_site:
        ward.append(Column("Site", lambda row: row["ward"].site.name))
    return Table([*ward, *_cells(label for _, label in matrix["groups"])], matrix["rows"])


def ward_staff_groups(groups) -> Table:
    """A ward's ideas by staff group, from (label, ideas) pairs."""
    return Table([Column("Staff group", itemgetter(0)), Column("Ideas", itemgetter(1))], groups)


def _share(row):
    """On the page, a share is not shown with its hidden count, and none with no ideas."""
    if row["share"] is None:
        return "not shown" if row["ideas"] is None else "none"
    return row["share"]


def who_takes_part(rows) -> Table:
    return Table(
        [
            Column("Staff group", itemgetter("label")),
            Column("Ideas", itemgetter("ideas")),
            Column("Share of ideas", _share, unit="%"),
        ],
        rows,
    )


def who_takes_part_csv(rows) -> Table:
    return Table(
        [
            Column("Staff group", itemgetter("label")),
            Column("Ideas", itemgetter("ideas")),
            Column("Share of ideas (%)", itemgetter("share")),
        ],
        rows,
    )


def by_month(table) -> Table:
    """Staff groups month by month (selectors.who_takes_part_by_month)."""
    months = [f"{month:%b %Y}" for month in table["months"]]
    return Table([Column("Staff group", itemgetter("label")), *_cells(months)], table["rows"])


# Engagement per week and the funnel ------------------------------------------------------


def weekly(series: dict, kpis) -> Table:
    """The weekly figures of the SPC page, one column per KPI ((key, title, ...) tuples);
    a week a KPI leaves out (too few people) is blank."""
    weeks = sorted({week for points in series.values() for week, _ in points})
    values = {key: dict(series[key]) for key, *_ in kpis}
    columns = [Column("Week beginning", lambda week: week)]
    columns += [
        Column(title, lambda week, key=key: values[key].get(week, "")) for key, title, *_ in kpis
    ]
    return Table(columns, weeks)


def funnel(totals: dict) -> list[tuple[str, int]]:
    return [
        ("Shared", totals["ideas"]),
        ("Reviewed", totals["reviewed"]),
        ("In progress", totals["in_progress"]),
        ("Implemented", totals["implemented"]),
        ("Not taken forward", totals["not_taken_forward"]),
    ]
