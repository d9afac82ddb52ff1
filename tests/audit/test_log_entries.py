"""Entries are written for every kind of action: admin actions, role changes, sign-ins,
refused pages and the platform admin's changes in /admin/."""

from allauth.account.models import EmailAddress
from django.test import Client
from django_scopes import scopes_disabled

from audit.models import Kind
from organisations.models import Membership, Role

from .conftest import entries

STAFF = "/city-hospitals/manage/staff/"


def _bob_membership(bob):
    with scopes_disabled():
        return Membership.objects.get(user=bob)


def test_a_role_change_is_recorded_with_who_whom_before_and_after(
    client_for, alice, bob, organisation
):
    member = _bob_membership(bob)
    response = client_for(alice).post(
        f"{STAFF}{member.pk}/",
        {"role": Role.QI_LEAD, "profession": member.profession, "home_ward": member.home_ward_id},
    )
    assert response.status_code == 302
    (entry,) = entries(kind=Kind.ROLE)
    assert entry.action == "changed role"
    assert entry.actor == alice
    assert entry.target_user_id == bob.pk
    assert entry.organisation_id == organisation.pk
    assert entry.before == {"role": "Staff"}
    assert entry.after == {"role": "QI lead"}


def test_saving_a_member_unchanged_records_nothing(client_for, alice, bob):
    member = _bob_membership(bob)
    client_for(alice).post(
        f"{STAFF}{member.pk}/",
        {"role": member.role, "profession": member.profession, "home_ward": member.home_ward_id},
    )
    assert entries() == []


def test_deactivating_and_reactivating_are_role_changes(client_for, alice, bob):
    member = _bob_membership(bob)
    client = client_for(alice)
    client.post(f"{STAFF}{member.pk}/deactivate/")
    client.post(f"{STAFF}{member.pk}/reactivate/")
    actions = [(e.action, e.before, e.after, e.target_user_id) for e in entries(kind=Kind.ROLE)]
    assert actions == [
        ("deactivated member", {"status": "active"}, {"status": "deactivated"}, bob.pk),
        ("reactivated member", {"status": "deactivated"}, {"status": "active"}, bob.pk),
    ]


def test_a_settings_change_is_an_admin_action_with_its_values(client_for, alice):
    response = client_for(alice).post(
        "/city-hospitals/manage/concerns/",
        {
            "speak_up_guardian_name": "Sam Guardian",
            "speak_up_guardian_contact": "guardian@city.nhs.uk",
            "incident_reporting_url": "",
            "urgent_response_target_days": 3,
        },
    )
    assert response.status_code == 302
    (entry,) = entries(kind=Kind.ADMIN)
    assert entry.action == "changed concern settings"
    assert entry.actor == alice
    assert entry.after["speak up guardian name"] == "Sam Guardian"
    assert entry.after["urgent response target days"] == 3
    assert "incident reporting url" not in entry.after  # unchanged


def test_categories_and_invitations_are_admin_actions(client_for, alice):
    client = client_for(alice)
    client.post("/city-hospitals/manage/categories/", {"name": "Night shifts", "is_active": "on"})
    client.post(
        "/city-hospitals/manage/invitations/", {"email": "new.nurse@nhs.net", "role": "staff"}
    )
    got = [(e.action, e.after) for e in entries(kind=Kind.ADMIN)]
    assert got == [
        ("added category", {"name": "Night shifts", "in use": "yes"}),
        # The address's domain, not the address: the log keeps no one's personal data.
        ("invited someone", {"role": "Staff", "email domain": "nhs.net"}),
    ]


def test_a_sign_in_is_recorded_in_each_organisation_of_the_person(
    bob, organisation, other_organisation
):
    with scopes_disabled():
        Membership.objects.create(organisation=other_organisation, user=bob, role=Role.STAFF)
    bob.set_password("a long enough passphrase")
    bob.save()
    EmailAddress.objects.update_or_create(
        user=bob, email=bob.email, defaults={"verified": True, "primary": True}
    )
    response = Client().post(
        "/accounts/login/", {"login": bob.email, "password": "a long enough passphrase"}
    )
    assert response.status_code == 302
    signed_in = entries(kind=Kind.SIGN_IN)
    assert {e.organisation_id for e in signed_in} == {organisation.pk, other_organisation.pk}
    assert all(e.actor == bob and e.action == "signed in" for e in signed_in)


def test_a_failed_sign_in_records_nothing(bob):
    Client().post("/accounts/login/", {"login": bob.email, "password": "wrong password"})
    assert entries() == []


def test_a_refused_page_records_who_tried_which_route_but_no_ids(client_for, bob, alice):
    member = _bob_membership(bob)
    response = client_for(bob).get(f"{STAFF}{member.pk}/")
    assert response.status_code == 403
    (entry,) = entries(kind=Kind.REFUSED)
    assert entry.actor == bob
    assert entry.subject == "organisations:member_edit"
    assert entry.after["method"] == "GET"
    assert entry.after["route"] == "/<slug:org_slug>/manage/staff/<int:membership_id>/"
    assert str(member.pk) not in str(entry.after)


def test_an_outsider_is_not_recorded_in_the_organisation(client_for, charlie):
    assert client_for(charlie).get(STAFF).status_code == 404
    assert entries() == []


def test_a_platform_admins_change_is_recorded_for_the_organisation(
    client_for, platform_admin, organisation, ward
):
    response = client_for(platform_admin).post(
        f"/admin/organisations/ward/{ward.pk}/change/",
        {
            "organisation": organisation.pk,
            "site": ward.site_id,
            "name": "Acute Medical Unit 2",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    (entry,) = entries(kind=Kind.PLATFORM)
    assert entry.organisation_id == organisation.pk
    assert entry.actor == platform_admin
    assert entry.action == "changed ward"
    assert entry.before == {"Name": "Acute Medical Unit"}
    assert entry.after == {"Name": "Acute Medical Unit 2"}


def test_a_platform_admins_change_to_a_person_keeps_no_personal_values(
    client_for, platform_admin, bob, organisation
):
    response = client_for(platform_admin).post(
        f"/admin/users/user/{bob.pk}/change/",
        {"name": "Robert Porter", "is_active": "on"},
    )
    assert response.status_code == 302
    (entry,) = entries(kind=Kind.PLATFORM)
    assert entry.organisation_id == organisation.pk
    assert entry.target_user_id == bob.pk
    assert entry.before == {"Full name": ""}
    assert entry.after == {"Full name": "changed"}
    assert "Robert" not in str(entry.after) + entry.subject


def test_a_refused_api_request_records_its_route_and_method(bob, share):
    idea = share(bob, title="Label the drug fridge")
    client = Client()
    client.force_login(bob)
    response = client.post(
        f"/api/v1/city-hospitals/ideas/{idea.pk}/status/",
        {"status": "under_review"},
        content_type="application/json",
    )
    assert response.status_code == 403
    (entry,) = entries(kind=Kind.REFUSED)
    assert entry.actor == bob
    assert entry.subject == "api:idea_triage_status"
    assert entry.after["method"] == "POST"
    assert "<uuid:idea_id>" in entry.after["route"]
    assert str(idea.pk) not in str(entry.after)


def test_a_platform_admins_change_to_an_invitation_keeps_no_address(
    client_for, platform_admin, organisation, alice
):
    from tests.factories import InvitationFactory

    with scopes_disabled():
        invitation = InvitationFactory(
            organisation=organisation, email="locum@gmail.com", role=Role.STAFF, invited_by=alice
        )
    admin = client_for(platform_admin)
    response = admin.post(
        "/admin/organisations/invitation/",
        {"action": "delete_selected", "_selected_action": [invitation.pk], "post": "yes"},
    )
    assert response.status_code == 302
    logged = entries(kind=Kind.PLATFORM)
    assert logged, "the deletion is in the organisation's log"
    assert all("locum" not in f"{e.subject} {e.before} {e.after}" for e in logged)
