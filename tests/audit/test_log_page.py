"""The audit log page: organisation admins only, filtered, paginated, exported as CSV."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope

from audit.models import AuditEvent, Kind
from audit.services import record, record_for
from tests.conftest import membership
from tests.factories import MembershipFactory

from .conftest import EXPORT_URL, LOG_URL

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def log(organisation, alice, bob, lena):
    """A role change by Alice, a sign-in by Bob and a refusal of Lena's."""
    with scope(organisation=organisation):
        admin = membership(alice, organisation)
        record(
            admin,
            "changed role",
            kind=Kind.ROLE,
            before={"role": "Staff"},
            after={"role": "QI lead"},
            target_user=bob,
        )
        record_for(organisation=organisation, actor=bob, action="signed in", kind=Kind.SIGN_IN)
        record(
            membership(lena, organisation),
            "was refused",
            kind=Kind.REFUSED,
            subject="organisations:member_list",
            after={"method": "GET", "route": "/<slug:org_slug>/manage/staff/"},
        )


def test_an_admin_reads_the_log_newest_first(client_for, alice, log):
    response = client_for(alice).get(LOG_URL)
    assert response.status_code == 200
    content = response.content.decode()
    refused, signed_in, role = (
        content.index("was refused"),
        content.index("signed in"),
        content.index("changed role"),
    )
    assert refused < signed_in < role
    assert "Alice Admin" in content and "Bob Porter" in content
    assert "Staff → QI lead" in content
    assert "Showing 1 to 3 of 3 entries." in content


@pytest.mark.parametrize("who", ["bob", "lena"])
def test_staff_and_leads_are_refused(request, client_for, who, log):
    assert client_for(request.getfixturevalue(who)).get(LOG_URL).status_code == 403
    assert client_for(request.getfixturevalue(who)).get(EXPORT_URL).status_code == 403


def test_an_outsider_gets_404(client_for, charlie, log):
    assert client_for(charlie).get(LOG_URL).status_code == 404
    assert client_for(charlie).get(EXPORT_URL).status_code == 404


def test_another_organisations_entries_never_show(client_for, alice, charlie, other_organisation):
    with scope(organisation=other_organisation):
        record(membership(charlie, other_organisation), "changed concern settings")
    content = client_for(alice).get(LOG_URL).content.decode()
    assert "changed concern settings" not in content


def test_filter_by_kind(client_for, alice, log):
    content = client_for(alice).get(LOG_URL, {"kind": Kind.SIGN_IN}).content.decode()
    assert "signed in" in content
    assert "changed role" not in content and "was refused" not in content


def test_filter_by_who(client_for, alice, log):
    content = client_for(alice).get(LOG_URL, {"actor": "lena@"}).content.decode()
    assert "was refused" in content
    assert "changed role" not in content and "signed in" not in content


def test_filter_by_dates(client_for, alice, log, organisation):
    today = datetime.now(LONDON).date()
    client = client_for(alice)
    shown = client.get(LOG_URL, {"date_from": today, "date_to": today}).content.decode()
    assert "Showing 1 to 3 of 3 entries." in shown
    tomorrow = today + timedelta(days=1)
    later = client.get(LOG_URL, {"date_from": tomorrow}).content.decode()
    assert "No entries match these filters." in later
    earlier = client.get(LOG_URL, {"date_to": today - timedelta(days=1)}).content.decode()
    assert "No entries match these filters." in earlier


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "31/02/2026"}, "date_from", "Enter the first day as a date"),
        ({"date_to": "yesterday"}, "date_to", "Enter the last day as a date"),
        ({"date_to": "9999-12-31"}, "date_to", "before the year 9999"),
        (
            {"date_from": "2026-03-02", "date_to": "2026-03-01"},
            "date_to",
            "The last day must be the same as or after the first day.",
        ),
        ({"kind": "everything"}, "kind", "Select a valid choice"),
        ({"actor": "x" * 101}, "actor", "at most 100 characters"),
    ],
)
def test_bad_filters_get_field_errors(client_for, alice, log, params, field, message):
    client = client_for(alice)
    response = client.get(LOG_URL, params)
    assert response.status_code == 400
    content = response.content.decode()
    assert "There is a problem" in content
    assert message in content
    assert f'href="#id_{field}"' in content
    assert "changed role" not in content
    assert client.get(EXPORT_URL, params).status_code == 400


def test_the_page_runs_a_fixed_number_of_queries(
    client_for, alice, organisation, django_assert_max_num_queries
):
    client = client_for(alice)

    def add(count):
        with scope(organisation=organisation):
            for member in MembershipFactory.create_batch(count, organisation=organisation):
                record(member, "changed role", kind=Kind.ROLE, target_user=member.user)

    add(3)
    with django_assert_max_num_queries(14) as few:
        assert client.get(LOG_URL).status_code == 200
    add(60)
    with django_assert_max_num_queries(len(few.captured_queries)):
        content = client.get(LOG_URL).content.decode()
    assert "Showing 1 to 50 of 63 entries." in content
    assert "Next" in content


def _csv(response):
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_the_export_is_the_filtered_log_as_csv(client_for, alice, log):
    rows = _csv(client_for(alice).get(EXPORT_URL, {"kind": Kind.ROLE}))
    assert rows[0] == ["Date", "Time", "Who", "Kind", "What", "About", "Field", "Before", "After"]
    [(date, time, who, kind, what, about, field, before, after)] = rows[1:]
    assert (who, kind, what, about) == ("Alice Admin", "Role change", "changed role", "Bob Porter")
    assert (field, before, after) == ("role", "Staff", "QI lead")
    assert date and time


def test_the_export_runs_no_formula(client_for, alice, organisation):
    with scope(organisation=organisation):
        record(
            membership(alice, organisation),
            "=HYPERLINK(1)",
            subject="@SUM(A1)",
            after={"name": "+cmd", "other": "-2+3"},
        )
    rows = _csv(client_for(alice).get(EXPORT_URL))
    cells = [cell for row in rows[1:] for cell in row if cell]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
    assert "'=HYPERLINK(1)" in cells and "'+cmd" in cells


def test_the_page_stacks_its_table_on_a_phone(client_for, alice, log):
    content = client_for(alice).get(LOG_URL).content.decode()
    assert '<table class="nhsuk-table-responsive">' in content
    assert content.count('class="nhsuk-table-responsive__heading"') == 3 * 4


def test_an_entry_about_an_anonymous_idea_shows_its_day_and_no_submitter(
    client_for, alice, lena, bob, organisation, share
):
    from triage import services as triage_services

    idea = share(bob, anonymous=True, title="Bullying on night shifts")
    with scope(organisation=organisation):
        triage_services.idea_triage_status(
            member=membership(lena, organisation), idea=idea, to_status="under_review"
        )
        (entry,) = AuditEvent.objects.filter(idea=idea)
    assert entry.date_only
    local = entry.created_at.astimezone(LONDON)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    client = client_for(alice)
    content = client.get(LOG_URL).content.decode()
    assert "Bullying on night shifts" in content
    assert "Bob" not in content and "bob@" not in content
    [row] = _csv(client.get(EXPORT_URL))[1:]
    assert row[1] == ""  # no time of day
    assert "Bob" not in " ".join(row)
