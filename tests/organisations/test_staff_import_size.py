"""A staff CSV over 5 MB is refused from the request's stated length, before its body is
parsed or stored, with the form and a field error; the check after reading stays."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import multipartparser
from django_scopes import scopes_disabled

from organisations import staff_csv
from organisations.models import ImportJob

URL = "/city-hospitals/manage/staff/import/"
HEADER = "email,name,role,staff group,home ward\n"


def big_csv(size: int) -> bytes:
    # Long rows, so that a file near the size limit stays under the row limit.
    row = "someone@city.nhs.uk,Some One " + "x" * 200 + ",staff,,\n"
    return (HEADER + row * (size // len(row) + 1)).encode()


@pytest.fixture
def never_parsed(monkeypatch):
    def parse(self):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", parse)


def test_a_file_over_five_megabytes_is_refused_before_it_is_read(client_for, alice, never_parsed):
    upload = SimpleUploadedFile("staff.csv", big_csv(6 * 1024 * 1024), content_type="text/csv")
    response = client_for(alice).post(URL, {"file": upload, "mode": "create"})
    page = response.content.decode()
    assert response.status_code == 413
    assert "The file is larger than 5 MB. Split it into smaller files." in page
    assert 'href="#id_file"' in page and "Import staff from a CSV file" in page
    with scopes_disabled():
        assert not ImportJob.objects.exists()


def test_a_file_just_under_the_limit_is_read_and_checked(client_for, alice, organisation, ward):
    text = big_csv(staff_csv.MAX_BYTES - 1024)[: staff_csv.MAX_BYTES - 1024]
    text = text[: text.rindex(b"\n") + 1]
    upload = SimpleUploadedFile("staff.csv", text, content_type="text/csv")
    response = client_for(alice).post(URL, {"file": upload, "mode": "create"})
    # Read and checked: a dry run (whatever it says of the rows), not a refusal of size.
    assert response.status_code == 302, response.content.decode()[:500]


def test_the_check_after_reading_stays_for_a_length_not_stated(client_for, alice, monkeypatch):
    """A body just over the file limit but within the allowance for the form's other
    parts is read, and the form's own check refuses it."""
    upload = SimpleUploadedFile(
        "staff.csv", big_csv(staff_csv.MAX_BYTES + 10), content_type="text/csv"
    )
    response = client_for(alice).post(URL, {"file": upload, "mode": "invite"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file is larger than 5 MB" in page
    # The mode chosen is kept: the form was read.
    assert re.search(r'value="invite"[^>]*checked', page)


def test_an_outsider_or_staff_member_posting_a_large_file_is_refused_as_before(
    client_for, bob, charlie, never_parsed
):
    upload = SimpleUploadedFile("staff.csv", big_csv(6 * 1024 * 1024), content_type="text/csv")
    assert client_for(bob).post(URL, {"file": upload}).status_code == 403
    upload.seek(0)
    assert client_for(charlie).post(URL, {"file": upload}).status_code == 404


def test_a_post_without_the_csrf_token_is_still_refused(alice, organisation):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    upload = SimpleUploadedFile("staff.csv", (HEADER + "a@city.nhs.uk,A,,,\n").encode())
    response = client.post(URL, {"file": upload, "mode": "create"})
    assert response.status_code == 403
    with scopes_disabled():
        assert not ImportJob.objects.exists()
