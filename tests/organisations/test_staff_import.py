"""Importing staff from a CSV: the dry run, per-row errors, the all-or-nothing apply
through its Celery task, invitations from the same file, and who may use it."""

import csv
import io
import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_scopes import scopes_disabled

from accounts.models import User
from audit.models import AuditEvent
from organisations import staff_csv
from organisations.models import ImportJob, Invitation, Membership, Profession, Role
from organisations.staff_import import progress_key
from tests import factories

URL = "/city-hospitals/manage/staff/import/"
HEADER = "email,name,role,staff group,home ward\n"


def upload(client, data, *, mode="create", name="staff.csv"):
    if isinstance(data, str):
        data = data.encode()
    return client.post(
        URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "mode": mode}
    )


def job_of(response) -> ImportJob:
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        return ImportJob.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[1])


def apply(client, job, capture):
    with capture(execute=True):
        response = client.post(f"{URL}{job.pk}/")
    assert response.status_code == 302
    with scopes_disabled():
        job.refresh_from_db()
    return job


def members(organisation):
    with scopes_disabled():
        return {
            m.user.email: m
            for m in Membership.objects.filter(organisation=organisation).select_related(
                "user", "home_ward"
            )
        }


@pytest.fixture
def admin(client_for, alice):
    return client_for(alice)


def test_good_file_previews_then_applies_every_row(
    admin, organisation, ward, bob, other_organisation, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        factories.MembershipFactory(
            organisation=other_organisation, user__email="locum@hill.nhs.uk", user__name=""
        )
    text = HEADER + (
        "new.nurse@city.nhs.uk,Nia Nurse,Staff,Registered nursing and midwifery,"
        "Acute Medical Unit\n"
        "locum@hill.nhs.uk,Lou Locum,qi_lead,pharmacy,\n"
        "bob@city.nhs.uk,Bob Porter,,Estates and ancillary,\n"
        "alice@city.nhs.uk,Alice Admin,Organisation admin,,\n"
    )
    job = job_of(upload(admin, text))
    assert job.state == ImportJob.State.CHECKED
    assert job.counts == {
        "added": 2,
        "updated": 1,
        "invited": 0,
        "unchanged": 1,
        "errors": 0,
        "notes": 0,
    }
    page = admin.get(f"{URL}{job.pk}/").content.decode()
    assert "Would be added" in page and "Apply the import" in page
    assert "new.nurse@city.nhs.uk" not in members(organisation)  # a dry run changes nothing

    job = apply(admin, job, django_capture_on_commit_callbacks)
    assert job.state == ImportJob.State.APPLIED and job.content == ""
    people = members(organisation)
    nia = people["new.nurse@city.nhs.uk"]
    assert (nia.user.name, nia.role, nia.profession, nia.home_ward) == (
        "Nia Nurse",
        Role.STAFF,
        Profession.NURSING,
        ward,
    )
    assert not nia.user.has_usable_password()
    mail.outbox.clear()  # the new account sets its password through "Forgot your password?"
    Client().post("/accounts/password/reset/", {"email": "new.nurse@city.nhs.uk"})
    assert [m.to for m in mail.outbox] == [["new.nurse@city.nhs.uk"]]
    lou = people["locum@hill.nhs.uk"]
    assert (lou.role, lou.profession, lou.user.name) == (
        Role.QI_LEAD,
        Profession.PHARMACY,
        "Lou Locum",
    )
    assert people["bob@city.nhs.uk"].profession == Profession.ESTATES
    assert people["bob@city.nhs.uk"].role == Role.STAFF  # an empty role cell changes nothing
    with scopes_disabled():
        event = AuditEvent.objects.get(organisation=organisation, action="imported staff")
    assert event.actor.email == "alice@city.nhs.uk"
    assert event.after["added"] == 2 and event.after["updated"] == 1


def test_esr_export_columns_and_staff_group_names_are_understood(admin, organisation, ward):
    text = (
        "Employee Number,Assignment Email Address,First Name,Last Name,Staff Group,Department\n"
        "100,Kim.Khan@City.nhs.uk,Kim,Khan,Nursing and Midwifery Registered,acute medical unit\n"
        "101,lee@city.nhs.uk,Lee,Li,Administrative and Clerical,\n"
    )
    job = job_of(upload(admin, text, name="ESR export.csv"))
    assert job.state == ImportJob.State.CHECKED, job.errors
    assert job.counts["added"] == 2


def test_utf8_with_a_bom_and_windows_1252_files_are_read(admin):
    bom = ("\ufeff" + HEADER + "zoe@city.nhs.uk,Zoë Brontë,,,\n").encode("utf-8")
    assert staff_csv.read(staff_csv.decode(bom)).rows[0].name == "Zoë Brontë"
    assert job_of(upload(admin, bom)).state == ImportJob.State.CHECKED
    windows = (HEADER + "sian@city.nhs.uk,Siân O\u2019Neill,,,\n").encode("cp1252")
    assert staff_csv.read(staff_csv.decode(windows)).rows[0].name == "Siân O\u2019Neill"
    assert job_of(upload(admin, windows)).state == ImportJob.State.CHECKED


def test_semicolons_and_tabs_between_cells_are_read():
    for delimiter in (";", "\t"):
        text = f"email{delimiter}name\njo@city.nhs.uk{delimiter}Jo Bloggs\n"
        assert staff_csv.read(text).rows[0].email == "jo@city.nhs.uk"


def test_formulas_are_kept_as_text_and_the_problems_download_is_neutralised(
    admin, organisation, django_capture_on_commit_callbacks
):
    text = HEADER + '=cmd|/C calc,"=HYPERLINK(""http://x"",""y"")",,,\n'
    job = job_of(upload(admin, text))
    assert job.errors == ["Row 2: '=cmd|/c calc' is not an email address."]
    download = admin.get(f"{URL}{job.pk}/problems.csv")
    cells = [cell for row in csv.reader(io.StringIO(download.content.decode())) for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)

    text = HEADER + 'ed@city.nhs.uk,"=HYPERLINK(""http://x"",""y"")",,,\n'
    job = apply(admin, job_of(upload(admin, text)), django_capture_on_commit_callbacks)
    assert members(organisation)["ed@city.nhs.uk"].user.name == '=HYPERLINK("http://x","y")'


BAD_ROWS = [
    ("not-an-email,Jo,,,", "Row 2: 'not-an-email' is not an email address."),
    (",Jo,,,", "Row 2: the email address is empty."),
    ("jo@city.nhs.uk,,,,", "Row 2: the name is empty."),
    ("jo@city.nhs.uk,Jo,Matron,,", "Row 2: 'Matron' is not a role."),
    ("jo@city.nhs.uk,Jo,,Nurses,", "Row 2: 'Nurses' is not a staff group."),
    (
        "jo@city.nhs.uk,Jo,,,Ward 99",
        "Row 2: 'Ward 99' is not a ward of City Hospitals NHS Foundation Trust.",
    ),
    ("jo@city.nhs.uk,Jo,,", "Row 2 has 4 cells but the header has 5."),
    ("alice@city.nhs.uk,Alice,Staff,,", "Row 2: you cannot change your own role."),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_each_kind_of_bad_row_is_named_and_nothing_is_applied(
    admin, organisation, row, message, django_capture_on_commit_callbacks
):
    text = HEADER + row + "\ngood.person@city.nhs.uk,Good Person,,,\n"
    response = upload(admin, text)
    job = job_of(response)
    assert job.state == ImportJob.State.REJECTED
    assert job.errors[0].startswith(message)
    page = admin.get(response.url).content.decode()
    assert "The file has problems" in page and "Apply the import" not in page
    apply(admin, job, django_capture_on_commit_callbacks)  # a forged apply does nothing
    assert job.state == ImportJob.State.REJECTED
    assert "good.person@city.nhs.uk" not in members(organisation)


def test_duplicate_emails_in_the_file_name_both_rows(admin):
    text = HEADER + "jo@city.nhs.uk,Jo,,,\nsam@city.nhs.uk,Sam,,,\nJO@city.nhs.uk,Jo B,,,\n"
    job = job_of(upload(admin, text))
    assert job.errors == ["Row 4: jo@city.nhs.uk is also on row 2. List each person once."]


def test_ward_names_shared_by_two_sites_must_say_which(admin, organisation, ward):
    with scopes_disabled():
        factories.WardFactory(organisation=organisation, name=ward.name)
    job = job_of(upload(admin, HEADER + f"jo@city.nhs.uk,Jo,,,{ward.name}\n"))
    assert "more than one site has a ward called" in job.errors[0]
    job = job_of(upload(admin, HEADER + f"jo@city.nhs.uk,Jo,,,{ward.name} ({ward.site.name})\n"))
    assert job.state == ImportJob.State.CHECKED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Choose a CSV file"),
        (b"   \n", "The file is empty"),
        (b"email,role\njo@city.nhs.uk,staff\n", "no name (or Full Name"),
        (b"name\nJo\n", "no email (or Email Address"),
        (HEADER.encode(), "no people under it"),
        (b"PK\x03\x04binary", "Excel workbook"),
        ("email,name\njo@x.uk,Jo\n".encode("utf-16"), "UTF-16"),
        (b"email,name\n\x81\x8d\x90,\x9d\n", "could not read the file's characters"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_field_error(admin, data, message):
    response = upload(admin, data) if data else admin.post(URL, {"mode": "create"})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["file"])
    with scopes_disabled():
        assert not ImportJob.objects.exists()


def test_files_over_the_limits_are_refused(admin, monkeypatch):
    monkeypatch.setattr(staff_csv, "MAX_ROWS", 2)
    response = upload(admin, HEADER + "a@x.uk,A,,,\nb@x.uk,B,,,\nc@x.uk,C,,,\n")
    assert "more than 2 people" in response.context["form"].errors["file"][0]
    monkeypatch.setattr(staff_csv, "MAX_BYTES", 40)
    response = upload(admin, HEADER + "a@x.uk,A,,,\n")
    assert response.status_code == 400
    assert "larger than 5 MB" in response.context["form"].errors["file"][0]


def test_deactivated_members_stay_deactivated(admin, organisation, bob):
    with scopes_disabled():
        Membership.objects.filter(user=bob).update(is_active=False)
    job = job_of(upload(admin, HEADER + "bob@city.nhs.uk,Bob,QI lead,,\n"))
    assert job.counts["unchanged"] == 1
    assert "is deactivated here" in job.notes[0]


def test_a_row_that_became_wrong_after_the_dry_run_fails_the_whole_apply(
    admin, organisation, ward, django_capture_on_commit_callbacks
):
    text = HEADER + f"jo@city.nhs.uk,Jo,,,\nsam@city.nhs.uk,Sam,,,{ward.name}\n"
    job = job_of(upload(admin, text))
    with scopes_disabled():
        type(ward).objects.filter(pk=ward.pk).update(is_active=False)
    job = apply(admin, job, django_capture_on_commit_callbacks)
    assert job.state == ImportJob.State.FAILED
    assert "is not a ward of" in job.errors[0]
    assert "jo@city.nhs.uk" not in members(organisation)
    assert "was not applied" in admin.get(f"{URL}{job.pk}/").content.decode()


def test_invitations_go_once_to_each_person_not_yet_a_member(
    admin, organisation, bob, django_capture_on_commit_callbacks
):
    text = "Email Address,Role\nann@gmail.com,QI lead\nben@city.nhs.uk,\nbob@city.nhs.uk,\n"
    job = job_of(upload(admin, text, mode="invite"))
    assert (job.counts["invited"], job.counts["unchanged"]) == (2, 1)
    assert "already a member" in job.notes[0]
    mail.outbox.clear()
    job = apply(admin, job, django_capture_on_commit_callbacks)
    assert job.state == ImportJob.State.APPLIED
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@gmail.com", "ben@city.nhs.uk"]
    with scopes_disabled():
        invitations = {
            i.email: i.role for i in Invitation.objects.filter(organisation=organisation)
        }
    assert invitations == {"ann@gmail.com": Role.QI_LEAD, "ben@city.nhs.uk": Role.STAFF}
    job.state = ImportJob.State.CHECKED  # even a job sent again is applied once
    apply(admin, job, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


def test_twenty_thousand_rows_apply_through_the_task(
    admin, organisation, ward, django_capture_on_commit_callbacks
):
    rows = [
        f"person{n}@city.nhs.uk,Person {n},,Admin and clerical,{ward.name if n % 2 else ''}"
        for n in range(20_000)
    ]
    job = job_of(upload(admin, HEADER + "\n".join(rows) + "\n"))
    assert job.counts["added"] == 20_000
    started = time.monotonic()
    job = apply(admin, job, django_capture_on_commit_callbacks)
    took = time.monotonic() - started
    assert job.state == ImportJob.State.APPLIED
    assert job.counts["added"] == 20_000 and job.done == job.total == 20_000
    with scopes_disabled():
        assert Membership.objects.filter(organisation=organisation).count() == 20_001
        assert Membership.objects.filter(home_ward=ward).count() == 10_001
        assert User.objects.filter(email__startswith="person").count() == 20_000
    assert took < 60


def test_the_progress_page_polls_while_applying_and_stops_when_done(admin, organisation, alice):
    with scopes_disabled():
        job = ImportJob.objects.create(
            organisation=organisation,
            created_by=alice,
            mode="create",
            state=ImportJob.State.APPLYING,
            total=200,
        )
    cache.set(progress_key(job.pk), 50)
    page = admin.get(f"{URL}{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert '<noscript><meta http-equiv="refresh"' in page
    assert 'value="50"' in page and "50 of 200 rows (25%)" in page
    partial = admin.get(f"{URL}{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="import-job"') and "<html" not in partial
    with scopes_disabled():
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.APPLIED, done=200, counts={"added": 200}
        )
    page = admin.get(f"{URL}{job.pk}/").content.decode()
    assert "hx-trigger" not in page and "Staff imported" in page and "http-equiv" not in page


def test_only_organisation_admins_use_the_import(client_for, bob, lena, charlie, alice):
    assert client_for(bob).get(URL).status_code == 403
    assert client_for(lena).get(URL).status_code == 403
    assert client_for(charlie).get(URL).status_code == 404
    page = client_for(alice).get("/city-hospitals/manage/staff/").content.decode()
    assert f'href="{URL}"' in page
