"""The staff list at trust size: filters, search, pages, bulk changes, leavers and export."""

from datetime import timedelta

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client
from django_scopes import scopes_disabled

from api import tokens
from api.models import PersonalAccessToken
from audit.models import AuditEvent
from organisations.models import Membership, Role
from tests.factories import TEST_PASSWORD, MembershipFactory

STAFF_URL = "/city-hospitals/manage/staff/"
BULK_URL = f"{STAFF_URL}change/"
EXPORT_URL = f"{STAFF_URL}export.csv"
TABS = ["'\tcmd", "'\rcmd"]


def membership_of(user, organisation):
    with scopes_disabled():
        return Membership.objects.select_related("user").get(user=user, organisation=organisation)


def audit_rows(organisation, action):
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(organisation=organisation, action=action).order_by("id")
        )


def emails_on(response) -> set[str]:
    return {m.user.email for m in response.context["page"].object_list}


# Filters, search and pages -------------------------------------------------------------


def test_staff_are_filtered_by_role_staff_group_home_ward_and_status(
    client_for, alice, people, ward
):
    client = client_for(alice)
    by_role = client.get(STAFF_URL, {"role": Role.QI_LEAD})
    assert emails_on(by_role) == {"dev.doctor@city.nhs.uk"}
    by_group = client.get(STAFF_URL, {"profession": "estates_ancillary"})
    assert emails_on(by_group) == {"pat.porter@city.nhs.uk"}
    by_ward = client.get(STAFF_URL, {"home_ward": people["oak"].pk})
    assert emails_on(by_ward) == {"pat.porter@city.nhs.uk"}
    deactivated = client.get(STAFF_URL, {"status": "inactive"})
    assert emails_on(deactivated) == {"dev.doctor@city.nhs.uk"}
    combined = client.get(STAFF_URL, {"home_ward": ward.pk, "status": "active"})
    assert emails_on(combined) == {"alice@city.nhs.uk", "nia.nurse@city.nhs.uk"}


def test_search_finds_names_and_emails_in_any_case(client_for, alice, people):
    client = client_for(alice)
    assert emails_on(client.get(STAFF_URL, {"q": "o'PORTER"})) == {"pat.porter@city.nhs.uk"}
    assert emails_on(client.get(STAFF_URL, {"q": "NIA.nurse@"})) == {"nia.nurse@city.nhs.uk"}
    assert emails_on(client.get(STAFF_URL, {"q": "  nia  "})) == {"nia.nurse@city.nhs.uk"}


def test_a_ward_of_another_organisation_is_a_filter_error_not_a_leak(
    client_for, alice, people, other_ward
):
    response = client_for(alice).get(STAFF_URL, {"home_ward": other_ward.pk})
    assert response.status_code == 400
    assert "Choose a ward of this organisation." in response.content.decode()


def test_the_list_shows_fifty_people_a_page_and_keeps_the_filters_on_the_next(
    client_for, alice, organisation
):
    with scopes_disabled():
        for n in range(120):
            MembershipFactory(
                organisation=organisation,
                user__email=f"hca{n:03}@city.nhs.uk",
                user__name=f"Healthcare Assistant {n:03}",
                profession="healthcare_assistant",
            )
    client = client_for(alice)
    first = client.get(STAFF_URL, {"profession": "healthcare_assistant"})
    assert len(first.context["page"].object_list) == 50
    assert "Showing 1 to 50 of 120 people." in first.content.decode()
    assert 'href="?profession=healthcare_assistant&amp;page=2"' in first.content.decode()
    third = client.get(STAFF_URL, {"profession": "healthcare_assistant", "page": 3})
    assert "Showing 101 to 120 of 120 people." in third.content.decode()
    assert emails_on(third) == {f"hca{n:03}@city.nhs.uk" for n in range(100, 120)}


def test_the_list_and_the_export_run_a_fixed_number_of_queries(
    client_for, alice, organisation, ward, django_assert_max_num_queries
):
    client = client_for(alice)
    filters = {"q": "NHS", "status": "active", "home_ward": ward.pk}
    with scopes_disabled():
        MembershipFactory.create_batch(3, organisation=organisation, home_ward=ward)
    with django_assert_max_num_queries(14) as few:
        assert client.get(STAFF_URL, filters).status_code == 200
    with django_assert_max_num_queries(14) as few_exported:
        b"".join(client.get(EXPORT_URL, filters).streaming_content)
    with scopes_disabled():
        MembershipFactory.create_batch(70, organisation=organisation, home_ward=ward)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(STAFF_URL, filters).status_code == 200
    with django_assert_max_num_queries(len(few_exported.captured_queries)):
        rows = b"".join(client.get(EXPORT_URL, filters).streaming_content)
    assert rows.count(b"\n") == 1 + 1 + 73  # header, alice, everyone else


# Bulk changes ----------------------------------------------------------------------


def test_a_role_change_is_confirmed_then_applied_and_audited_per_person(
    client_for, alice, people, organisation
):
    client = client_for(alice)
    chosen = [people["nurse"].pk, people["porter"].pk]
    form = {"member": chosen, "action": "role:qi_lead", "back": "profession=nursing_midwifery"}
    preview = client.post(BULK_URL, form)
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Check the changes" in page and "2 people will change" in page
    assert "Nia Nurse" in page and "Pat O&#x27;Porter" in page
    assert membership_of(people["nurse"].user, organisation).role == Role.STAFF  # not yet

    done = client.post(BULK_URL, {**form, "confirm": "on"})
    assert done.status_code == 302
    assert done.url == f"{STAFF_URL}?profession=nursing_midwifery"
    for key in ("nurse", "porter"):
        assert membership_of(people[key].user, organisation).role == Role.QI_LEAD
    changes = audit_rows(organisation, "changed role")
    # The members by reference: an erased leaver's audit rows keep no name or address.
    assert sorted((e.target_user_id, e.before, e.after) for e in changes) == sorted(
        (people[key].user_id, {"role": "Staff"}, {"role": "QI lead"}) for key in ("nurse", "porter")
    )
    assert {e.actor_id for e in changes} == {alice.pk}


def test_people_already_in_that_role_are_not_changed_or_audited(
    client_for, alice, people, organisation
):
    form = {"member": [people["doctor"].pk], "action": "role:qi_lead", "confirm": "on"}
    assert client_for(alice).post(BULK_URL, form).status_code == 302
    assert audit_rows(organisation, "changed member's role") == []


def test_removing_the_last_admin_is_refused_and_nothing_changes(
    client_for, alice, bob, people, organisation
):
    alice_member = membership_of(alice, organisation)
    form = {
        "member": [alice_member.pk, people["nurse"].pk],
        "action": "role:staff",
        "confirm": "on",
    }
    response = client_for(alice).post(BULK_URL, form)
    assert response.status_code == 400
    assert "only active admin" in response.content.decode()
    assert "Nothing has been changed." in response.content.decode()
    assert membership_of(alice, organisation).role == Role.ORG_ADMIN
    assert audit_rows(organisation, "changed member's role") == []


def test_an_admin_may_step_down_once_someone_else_is_made_admin(
    client_for, alice, bob, organisation
):
    client = client_for(alice)
    bob_member = membership_of(bob, organisation)
    promote = {"member": [bob_member.pk], "action": "role:org_admin", "confirm": "on"}
    assert client.post(BULK_URL, promote).status_code == 302
    step_down = {
        "member": [membership_of(alice, organisation).pk],
        "action": "role:staff",
        "confirm": "on",
    }
    assert client.post(BULK_URL, step_down).status_code == 302
    assert membership_of(alice, organisation).role == Role.STAFF


def test_an_admin_cannot_deactivate_themselves_in_bulk(client_for, alice, people, organisation):
    form = {
        "member": [membership_of(alice, organisation).pk, people["nurse"].pk],
        "action": "deactivate",
        "confirm": "on",
    }
    response = client_for(alice).post(BULK_URL, form)
    assert response.status_code == 400
    assert "You cannot deactivate yourself." in response.content.decode()
    assert membership_of(people["nurse"].user, organisation).is_active


def test_members_of_another_organisation_are_never_changed(
    client_for, alice, charlie, other_organisation
):
    charlie_member = membership_of(charlie, other_organisation)
    form = {"member": [charlie_member.pk], "action": "deactivate", "confirm": "on"}
    assert client_for(alice).post(BULK_URL, form).status_code == 302
    assert membership_of(charlie, other_organisation).is_active


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"action": "deactivate"}, "Choose at least one person from the list."),
        ({"member": ["1"], "action": ""}, "Choose what to change for the people you ticked."),
        ({"member": ["1"], "action": "role:superuser"}, "Select a valid choice."),
        ({"member": ["x"], "action": "deactivate"}, "Choose people from the list."),
    ],
)
def test_a_bad_bulk_request_changes_nothing_and_says_why(
    client_for, alice, organisation, form, error
):
    response = client_for(alice).post(BULK_URL, form, follow=True)
    assert error in response.content.decode()
    assert audit_rows(organisation, "deactivated member") == []


def test_only_organisation_admins_may_change_staff(client_for, lena, bob, people, organisation):
    form = {"member": [people["nurse"].pk], "action": "deactivate", "confirm": "on"}
    for user in (lena, bob):
        assert client_for(user).post(BULK_URL, form).status_code == 403
        assert client_for(user).get(EXPORT_URL).status_code == 403
    assert membership_of(people["nurse"].user, organisation).is_active


# Leavers ---------------------------------------------------------------------------


def signed_in_through_allauth(user) -> Client:
    """A real sign-in, so that allauth records the session as it does in production."""
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content
    return client


def test_deactivating_ends_every_session_and_revokes_api_tokens_at_once(
    client_for, alice, bob, organisation
):
    phone, desktop = signed_in_through_allauth(bob), signed_in_through_allauth(bob)
    assert phone.get("/city-hospitals/").status_code == 200
    _, raw = tokens.token_create(
        user=bob,
        organisation_id=organisation.pk,
        name="Power BI",
        scope="read",
        lifetime=timedelta(days=30),
    )
    assert UserSession.objects.filter(user=bob).count() == 2

    form = {"member": [membership_of(bob, organisation).pk], "action": "deactivate"}
    admin = client_for(alice)
    assert "signed out everywhere at once" in admin.post(BULK_URL, form).content.decode()
    assert admin.post(BULK_URL, {**form, "confirm": "on"}).status_code == 302

    for client in (phone, desktop):
        response = client.get("/city-hospitals/")
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
        assert client.get("/account/tokens/").status_code == 302  # signed out everywhere
    assert not UserSession.objects.filter(user=bob).exists()
    with scopes_disabled():
        assert PersonalAccessToken.objects.get(user=bob).revoked_at is not None
    assert tokens.token_for(raw) is None
    [left] = audit_rows(organisation, "deactivated member")
    assert (left.target_user_id, left.after) == (bob.pk, {"status": "deactivated"})

    # Reactivated, they sign in again; the old token stays revoked.
    form = {"member": [membership_of(bob, organisation).pk], "action": "reactivate"}
    assert admin.post(BULK_URL, {**form, "confirm": "on"}).status_code == 302
    assert signed_in_through_allauth(bob).get("/city-hospitals/").status_code == 200
    assert tokens.token_for(raw) is None
    assert len(audit_rows(organisation, "reactivated member")) == 1


def test_the_single_deactivate_page_ends_sessions_too(client_for, alice, bob, organisation):
    phone = signed_in_through_allauth(bob)
    url = f"{STAFF_URL}{membership_of(bob, organisation).pk}/deactivate/"
    assert client_for(alice).post(url).status_code == 302
    assert phone.get("/city-hospitals/").status_code == 302
    assert len(audit_rows(organisation, "deactivated member")) == 1


# The member edit page ---------------------------------------------------------------


def test_editing_someone_else_speaks_of_them(client_for, alice, bob, organisation):
    page = client_for(alice).get(f"{STAFF_URL}{membership_of(bob, organisation).pk}/")
    text = page.content.decode()
    assert "Their staff group" in text and "Choose their staff group" in text
    assert "Where they work most of the time." in text
    assert "Choose your staff group" not in text and "Where you work" not in text


def test_editing_yourself_still_speaks_to_you(client_for, alice, organisation):
    page = client_for(alice).get(f"{STAFF_URL}{membership_of(alice, organisation).pk}/")
    text = page.content.decode()
    assert "Choose your staff group" in text and "Where you work most of the time." in text


def test_a_single_role_change_is_audited(client_for, alice, bob, organisation, ward):
    url = f"{STAFF_URL}{membership_of(bob, organisation).pk}/"
    form = {"role": Role.QI_LEAD, "profession": "nursing_midwifery", "home_ward": ward.pk}
    assert client_for(alice).post(url, form).status_code == 302
    (event,) = audit_rows(organisation, "changed role")
    assert event.target_user_id == bob.pk
    assert (event.before, event.after) == ({"role": "Staff"}, {"role": "QI lead"})


def test_the_search_has_trigram_indexes_on_the_expressions_it_compares(postgresql):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'users_user'"
            " AND indexname LIKE 'user_%_upper_trgm' ORDER BY indexname"
        )
        found = dict(cursor.fetchall())
    assert set(found) == {"user_email_upper_trgm", "user_name_upper_trgm"}
    for column in ("email", "name"):
        definition = found[f"user_{column}_upper_trgm"]
        assert f"upper(({column})::text) gin_trgm_ops" in definition, definition
