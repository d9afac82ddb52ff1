"""Who takes part, ward by ward: the two-way table of wards and staff groups."""

import csv
import io
from collections import defaultdict

from django.utils import timezone
from django_scopes import scopes_disabled
from hypothesis import given
from hypothesis import strategies as st

from dashboards.suppression import suppressed_table_cells
from tests.dashboards.helpers import add_staff_ideas
from tests.factories import WardFactory

PEOPLE = "/city-hospitals/dashboards/who-takes-part/"


def lines_with_one_hidden(table, hidden):
    """Rows or columns with exactly one hidden cell and a visible non-zero cell left."""
    lines = defaultdict(list)
    for cell in table:
        lines[("row", cell[0])].append(cell)
        lines[("column", cell[1])].append(cell)
    return [
        line
        for line, cells in lines.items()
        if sum(c in hidden for c in cells) == 1
        and any(c not in hidden and table[c] > 0 for c in cells)
    ]


def test_a_hidden_cell_takes_one_from_its_row_and_its_column():
    table = {
        ("oak", "nurses"): 30,
        ("oak", "porters"): 3,
        ("oak", "doctors"): 20,
        ("ash", "nurses"): 25,
        ("ash", "porters"): 40,
        ("ash", "doctors"): 50,
    }
    hidden = suppressed_table_cells(table, 11)
    # The 3 porters; then Oak's next smallest (20 doctors); then, so that neither column
    # has one hidden cell, Ash's porters and doctors.
    assert hidden == {
        ("oak", "porters"),
        ("oak", "doctors"),
        ("ash", "porters"),
        ("ash", "doctors"),
    }
    assert suppressed_table_cells({("a", "x"): 0, ("a", "y"): 12}, 11) == set()


@given(
    st.dictionaries(
        st.tuples(st.integers(0, 4), st.integers(0, 4)), st.integers(0, 30), max_size=25
    )
)
def test_no_row_or_column_is_left_with_a_single_hidden_cell(table):
    hidden = suppressed_table_cells(table, 11)
    assert all(cell in hidden for cell, value in table.items() if 0 < value < 11)
    assert lines_with_one_hidden(table, hidden) == []
    assert all(table[cell] > 0 for cell in hidden)  # zero is shown: nobody to single out


def staff_facts(organisation, rows):
    add_staff_ideas(organisation, [(timezone.localdate(), *row) for row in rows])


def test_ward_by_ward_table_on_every_level(client_for, lena, organisation, ward):
    with scopes_disabled():
        oak = WardFactory(organisation=organisation, site=ward.site, name="Oak Ward")
    acute, oak_key = f"ward:{ward.pk}", f"ward:{oak.pk}"
    staff_facts(
        organisation,
        [
            ("organisation", "nursing_midwifery", 60),
            ("organisation", "estates_ancillary", 45),
            ("organisation", "", 12),  # all of them on no ward
            (acute, "nursing_midwifery", 40),
            (acute, "estates_ancillary", 3),
            (oak_key, "nursing_midwifery", 20),
            (oak_key, "estates_ancillary", 42),
        ],
    )
    client = client_for(lena)

    page = client.get(PEOPLE).content.decode()
    assert "Ideas by ward and staff group" in page
    wards = {
        row["Ward"]: row
        for row in csv.DictReader(
            io.StringIO(client.get(PEOPLE, {"format": "csv", "table": "wards"}).content.decode())
        )
    }
    acute_row, oak_row = wards["Acute Medical Unit"], wards["Oak Ward"]
    # 3 porters on the acute unit are hidden, with its 40 nurses (same row) and Oak's
    # 42 porters (same column), and then Oak's 20 nurses.
    assert acute_row["Estates and ancillary"] == "fewer than 11"
    assert acute_row["Registered nursing and midwifery"] == "fewer than 11"
    assert oak_row["Estates and ancillary"] == "fewer than 11"
    assert oak_row["Registered nursing and midwifery"] == "fewer than 11"
    assert acute_row["Pharmacy"] == "0"

    ward_page = client.get(f"/city-hospitals/dashboards/wards/{ward.pk}/")
    content = ward_page.content.decode()
    assert "Who takes part" in content
    assert "Pharmacy" not in content  # no ideas: left out
    ward_csv = client.get(
        f"/city-hospitals/dashboards/wards/{ward.pk}/",
        {"format": "csv", "table": "staff-groups"},
    )
    assert ward_csv["Content-Type"].startswith("text/csv")
    groups = {
        r["Staff group"]: r["Ideas"] for r in csv.DictReader(io.StringIO(ward_csv.content.decode()))
    }
    assert groups["Estates and ancillary"] == "fewer than 11"
    assert groups["Pharmacy"] == "0"

    site_url = f"/city-hospitals/dashboards/sites/{ward.site_id}/"
    site_page = client.get(site_url).content.decode()
    assert "Oak Ward" in site_page and "Ideas by ward and staff group" in site_page
    site_groups = client.get(site_url, {"format": "csv", "table": "staff-groups"}).content.decode()
    cells = {cell for row in csv.reader(io.StringIO(site_groups)) for cell in row}
    assert "42" not in cells and "40" not in cells  # (a site's made-up name may hold "42")
    league = list(
        csv.DictReader(
            io.StringIO(client.get(site_url, {"format": "csv", "table": "wards"}).content.decode())
        )
    )
    assert {row["Ward"] for row in league} == {"Acute Medical Unit", "Oak Ward"}


def test_a_ward_page_with_no_ideas_says_so(client_for, lena, ward):
    content = client_for(lena).get(f"/city-hospitals/dashboards/wards/{ward.pk}/").content
    assert "No ideas from this ward in this period." in content.decode()


def test_month_by_month_and_weekly_figures_download(client_for, lena, organisation):
    staff_facts(organisation, [("organisation", "nursing_midwifery", 30)])
    client = client_for(lena)
    months = client.get(PEOPLE, {"format": "csv", "table": "months"})
    rows = list(csv.reader(io.StringIO(months.content.decode())))
    assert rows[0][0] == "Staff group"
    assert ["Registered nursing and midwifery", "30"] in rows
    weekly = client.get("/city-hospitals/dashboards/spc/", {"format": "csv"})
    assert weekly["Content-Type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(weekly.content.decode())))
    assert header[:2] == ["Week beginning", "Ideas shared per week"]
