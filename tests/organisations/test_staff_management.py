import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from organisations.models import Membership, Organisation, Role
from organisations.services import membership_set_active, membership_update, profile_update
from tests.factories import MembershipFactory, WardFactory

STAFF_URL = "/city-hospitals/manage/staff/"


def membership_of(user, organisation):
    with scopes_disabled():
        return Membership.objects.get(user=user, organisation=organisation)


def test_staff_list_runs_a_fixed_number_of_queries(
    client_for, alice, organisation, ward, django_assert_max_num_queries
):
    client = client_for(alice)
    with scopes_disabled():
        MembershipFactory.create_batch(5, organisation=organisation, home_ward=ward)
    with django_assert_max_num_queries(12) as small:
        client.get(STAFF_URL)
    with scopes_disabled():
        MembershipFactory.create_batch(40, organisation=organisation, home_ward=ward)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(STAFF_URL)
    assert response.status_code == 200


def test_staff_list_is_paginated_and_searchable(client_for, alice, organisation):
    with scopes_disabled():
        for n in range(55):
            MembershipFactory(organisation=organisation, user__email=f"nurse{n:02}@city.nhs.uk")
    client = client_for(alice)
    first = client.get(STAFF_URL).content.decode()
    assert "Showing 1 to 50 of 56 people." in first
    assert "Next" in first
    found = client.get(STAFF_URL, {"q": "nurse07"}).content.decode()
    assert "nurse07@city.nhs.uk" in found
    assert "nurse08@city.nhs.uk" not in found
    empty = client.get(STAFF_URL, {"q": "nobody-here"}).content.decode()
    assert "No staff match these filters." in empty


def test_staff_list_ignores_a_page_number_out_of_range(client_for, alice):
    assert client_for(alice).get(STAFF_URL, {"page": "9999"}).status_code == 200
    assert client_for(alice).get(STAFF_URL, {"page": "abc"}).status_code == 200


def test_admin_changes_a_role_and_home_ward(client_for, alice, bob, organisation):
    with scopes_disabled():
        new_ward = WardFactory(organisation=organisation, name="Oak Ward")
    bob_membership = membership_of(bob, organisation)
    response = client_for(alice).post(
        f"{STAFF_URL}{bob_membership.pk}/",
        {"role": Role.QI_LEAD, "profession": "estates_ancillary", "home_ward": new_ward.pk},
    )
    assert response.status_code == 302
    with scope(organisation=organisation):
        bob_membership.refresh_from_db()
        assert bob_membership.role == Role.QI_LEAD
        assert bob_membership.home_ward == new_ward


def test_a_ward_of_another_organisation_is_a_field_error(
    client_for, alice, bob, organisation, other_ward
):
    bob_membership = membership_of(bob, organisation)
    response = client_for(alice).post(
        f"{STAFF_URL}{bob_membership.pk}/",
        {"role": Role.STAFF, "profession": "estates_ancillary", "home_ward": other_ward.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["home_ward"] == ["Choose a ward of this organisation."]
    with scope(organisation=organisation):
        bob_membership.refresh_from_db()
        assert bob_membership.home_ward != other_ward


def test_service_refuses_a_ward_of_another_organisation(bob, organisation, other_ward):
    membership = membership_of(bob, organisation)
    with scope(organisation=organisation), pytest.raises(ValidationError) as error:
        profile_update(membership=membership, profession="", home_ward=other_ward)
    assert error.value.message_dict == {"home_ward": ["Choose a ward of this organisation."]}


def test_the_only_admin_cannot_be_demoted_or_deactivated(alice, bob, organisation):
    membership = membership_of(alice, organisation)
    with scope(organisation=organisation):
        with pytest.raises(ValidationError, match="only active admin"):
            membership_update(membership=membership, role=Role.STAFF, profession="", home_ward=None)
        with pytest.raises(ValidationError, match="only active admin"):
            membership_set_active(
                membership=membership, is_active=False, by=membership_of(bob, organisation).user
            )
        membership.refresh_from_db()
    assert membership.role == Role.ORG_ADMIN
    assert membership.is_active


def test_admin_cannot_deactivate_themselves(client_for, alice, organisation):
    membership = membership_of(alice, organisation)
    response = client_for(alice).post(f"{STAFF_URL}{membership.pk}/deactivate/")
    assert response.status_code == 400
    assert "You cannot deactivate yourself." in response.content.decode()


def test_admin_deactivates_after_confirming_and_the_person_loses_access(
    client_for, alice, bob, organisation
):
    url = f"{STAFF_URL}{membership_of(bob, organisation).pk}/deactivate/"
    admin = client_for(alice)
    confirm = admin.get(url)
    assert "Deactivate Bob Porter?" in confirm.content.decode()
    assert membership_of(bob, organisation).is_active  # a GET changes nothing
    assert admin.post(url).status_code == 302
    assert client_for(bob).get("/city-hospitals/").status_code == 404
    # ... and can be brought back.
    admin.post(f"{STAFF_URL}{membership_of(bob, organisation).pk}/reactivate/")
    assert client_for(bob).get("/city-hospitals/").status_code == 200


def test_member_sets_their_own_staff_group_and_ward(client_for, bob, organisation, ward):
    response = client_for(bob).post(
        "/city-hospitals/profile/", {"profession": "estates_ancillary", "home_ward": ward.pk}
    )
    assert response.status_code == 302
    assert membership_of(bob, organisation).profession == "estates_ancillary"


def test_profile_rejects_unknown_values_with_field_errors(client_for, bob, other_ward):
    response = client_for(bob).post(
        "/city-hospitals/profile/", {"profession": "wizard", "home_ward": other_ward.pk}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "profession" in errors
    assert errors["home_ward"] == ["Choose a ward of this organisation."]


def test_staff_and_leads_cannot_manage_staff(client_for, bob, lena):
    assert client_for(bob).get(STAFF_URL).status_code == 403
    assert client_for(lena).get(STAFF_URL).status_code == 403


def test_admin_without_two_factor_is_sent_to_set_it_up(client_for, organisation, ward):
    with scopes_disabled():
        admin = MembershipFactory(organisation=organisation, role=Role.ORG_ADMIN).user
    response = client_for(admin).get(STAFF_URL)
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"


def test_two_factor_requirement_can_be_switched_off_for_the_demo(
    client_for, organisation, settings
):
    settings.REQUIRE_MFA = False
    with scopes_disabled():
        admin = MembershipFactory(organisation=organisation, role=Role.ORG_ADMIN).user
    assert client_for(admin).get(STAFF_URL).status_code == 200


@pytest.mark.parametrize(
    "slug, message",
    [
        ("admin", "reserved"),
        ("healthz", "reserved"),
        ("City Hospitals", "lower-case letters"),
        ("city--hospitals", "lower-case letters"),
        ("-city", "lower-case letters"),
        ("<script>", "lower-case letters"),
    ],
)
def test_odd_or_reserved_slugs_are_refused(db, slug, message):
    organisation = Organisation(name="Test", slug=slug)
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert message in " ".join(error.value.message_dict["slug"])
