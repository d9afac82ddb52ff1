"""The staff list as CSV: the filtered list, streamed, formulas neutralised, audited."""

import csv
import io

from django.http import StreamingHttpResponse
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.factories import MembershipFactory

from .test_staff_bulk import EXPORT_URL, audit_rows

TABS = ["'\tcmd", "'\rcmd"]


# Export ----------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_an_export_with_a_bad_filter_is_refused_rather_than_exporting_everyone(
    client_for, alice, organisation
):
    response = client_for(alice).get(EXPORT_URL, {"role": "superuser"})
    assert response.status_code == 400
    assert audit_rows(organisation, "exported staff list") == []


def test_the_export_is_the_filtered_list_with_formulas_neutralised(
    client_for, alice, people, organisation, ward
):
    with scopes_disabled():
        MembershipFactory(
            organisation=organisation,
            user__email="mallory@city.nhs.uk",
            user__name='=HYPERLINK("http://evil.example","click")',
            profession="admin_clerical",
        )
        for prefix in ["+", "-", "@", "\t", "\r"]:
            MembershipFactory(
                organisation=organisation,
                user__email=f"x{ord(prefix)}@city.nhs.uk",
                user__name=f"{prefix}cmd",
                profession="admin_clerical",
            )
    response = client_for(alice).get(EXPORT_URL, {"profession": "admin_clerical"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == ["email", "name", "role", "staff group", "home ward", "active", "joined"]
    names = sorted(row[1] for row in rows)
    assert names == sorted(
        ['\'=HYPERLINK("http://evil.example","click")', "'+cmd", "'-cmd", "'@cmd", *TABS]
    )
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    everyone = read_csv(client_for(alice).get(EXPORT_URL, {"status": "inactive"}))
    joined = timezone.localdate(people["doctor"].created_at).isoformat()
    assert everyone[1:] == [
        [
            "dev.doctor@city.nhs.uk",
            "Dev Doctor",
            "QI lead",
            "Medical and dental",
            ward.name,
            "no",
            joined,
        ]
    ]
    exports = audit_rows(organisation, "exported staff list")
    assert [e.after for e in exports] == [{"profession": "admin_clerical"}, {"status": "inactive"}]
