"""Sites and wards, managed by an organisation admin: add, rename, move, archive, restore.
A ward is never deleted; archiving keeps its history and takes it out of the forms."""

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from audit.models import AuditEvent
from ideas.models import Idea
from organisations import site_services
from organisations.forms import ProfileForm, wards_field
from organisations.models import Membership, Site, Ward
from tests import factories
from tests.conftest import membership

pytestmark = pytest.mark.django_db

SITES = "/city-hospitals/manage/sites/"


def _ward(pk):
    with scopes_disabled():
        return Ward.objects.select_related("site").get(pk=pk)


def _audited(organisation, action):
    with scopes_disabled():
        return list(AuditEvent.objects.filter(organisation=organisation, action=action))


def test_the_list_shows_every_site_and_ward_with_cheap_counts(
    client_for, organisation, ward, alice, bob, django_assert_max_num_queries
):
    admin = client_for(alice)
    admin.get(SITES)  # warm up the session and the user's two-factor state
    with django_assert_max_num_queries(14):
        page = admin.get(SITES).content.decode()
    assert "Acute Medical Unit" in page and "2 people" in page
    with scopes_disabled():
        for n in range(12):
            w = factories.WardFactory(organisation=organisation, site=ward.site, name=f"W{n}")
            factories.IdeaFactory(organisation=organisation, ward=w)
    with django_assert_max_num_queries(14):
        page = admin.get(SITES).content.decode()
    assert "W11" in page


def test_an_admin_adds_a_site_and_a_ward_and_renames_them(client_for, organisation, alice):
    admin = client_for(alice)
    assert admin.post(SITES, {"site-name": "  Northgate   Hospital "}).status_code == 302
    with scopes_disabled():
        site = Site.objects.get(organisation=organisation, name="Northgate Hospital")
    edit = f"/city-hospitals/manage/sites/{site.pk}/"
    assert admin.post(edit, {"add_ward": "", "ward-name": "Ward 3"}).status_code == 302
    assert admin.post(edit, {"rename": "", "site-name": "Northgate"}).status_code == 302
    with scopes_disabled():
        ward = Ward.objects.get(site=site, name="Ward 3")
        assert ward.is_active and ward.organisation_id == organisation.pk
    assert _ward(ward.pk).site.name == "Northgate"
    assert _audited(organisation, "renamed site")[0].before == {"site": "Northgate Hospital"}
    assert len(_audited(organisation, "created ward")) == 1


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"site-name": ""}, "This field is required."),
        ({"site-name": "x" * 121}, "at most 120 characters"),
    ],
)
def test_a_bad_site_name_is_a_field_error(client_for, organisation, alice, data, error):
    response = client_for(alice).post(SITES, data)
    assert response.status_code == 400
    assert error in response.content.decode()


def test_a_duplicate_name_is_a_field_error_not_a_500(client_for, organisation, ward, alice):
    admin = client_for(alice)
    response = admin.post(SITES, {"site-name": ward.site.name.upper()})
    assert response.status_code == 400
    assert "There is already a site called" in response.content.decode()
    edit = f"/city-hospitals/manage/sites/{ward.site_id}/"
    response = admin.post(edit, {"add_ward": "", "ward-name": "acute medical unit"})
    assert response.status_code == 400
    assert "already has a ward called acute medical unit" in response.content.decode()
    with scopes_disabled():
        assert Ward.objects.filter(organisation=organisation).count() == 1


def test_an_admin_moves_a_ward_to_another_site(
    client_for, organisation, ward, alice, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        other_site = factories.SiteFactory(organisation=organisation, name="Eastfield")
    url = f"/city-hospitals/manage/wards/{ward.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(url, {"name": "AMU", "site": other_site.pk})
    assert response.status_code == 302
    moved = _ward(ward.pk)
    assert (moved.name, moved.site_id) == ("AMU", other_site.pk)
    event = _audited(organisation, "changed ward")[0]
    assert event.before["site"] != event.after["site"] == "Eastfield"


def test_a_ward_cannot_move_to_another_organisations_site(
    client_for, organisation, ward, alice, other_ward
):
    url = f"/city-hospitals/manage/wards/{ward.pk}/"
    response = client_for(alice).post(url, {"name": "AMU", "site": other_ward.site_id})
    assert response.status_code == 400
    assert "Choose one of this organisation&#x27;s sites." in response.content.decode()
    assert _ward(ward.pk).site_id == ward.site_id


def test_archiving_someones_home_ward_is_refused_with_a_clear_error(
    client_for, organisation, ward, alice, bob
):
    url = f"/city-hospitals/manage/wards/{ward.pk}/archive/"
    page = client_for(alice).get(url).content.decode()
    assert "2 people have Acute Medical Unit as their home ward" in page
    response = client_for(alice).post(url, {})
    assert response.status_code == 400
    assert "Choose a ward to move them to, or change their home ward first." in (
        response.content.decode()
    )
    assert _ward(ward.pk).is_active


def test_archiving_moves_the_members_first_when_asked_and_keeps_the_history(
    client_for, organisation, ward, alice, bob
):
    with scopes_disabled():
        other = factories.WardFactory(organisation=organisation, name="Ward 9")
        idea = factories.IdeaFactory(organisation=organisation, ward=ward)
    url = f"/city-hospitals/manage/wards/{ward.pk}/archive/"
    response = client_for(alice).post(url, {"move_members_to": other.pk})
    assert response.status_code == 302
    assert not _ward(ward.pk).is_active
    with scopes_disabled():
        assert Idea.objects.get(pk=idea.pk).ward_id == ward.pk  # history kept
        assert set(Membership.objects.values_list("home_ward", flat=True)) == {other.pk}
    assert _audited(organisation, "archived ward")[0].after["members_moved"] == 2
    # It leaves the forms: profile, share form, teams and projects.
    with scope(organisation=organisation):
        assert ward not in ProfileForm(organisation=organisation).fields["home_ward"].queryset
        assert ward not in wards_field(organisation).queryset
    share = client_for(alice).get("/city-hospitals/ideas/new/").content.decode()
    assert f'value="{ward.pk}"' not in share
    # Restoring puts it back.
    assert client_for(alice).post(f"{url[:-8]}restore/").status_code == 302
    assert _ward(ward.pk).is_active


def test_members_cannot_be_moved_to_the_archived_ward_itself_or_a_foreign_one(
    organisation, ward, alice, other_ward
):
    admin = membership(alice, organisation)
    with scope(organisation=organisation):
        for target in (ward, other_ward):
            with pytest.raises(ValidationError) as refused:
                site_services.ward_archive(member=admin, ward=ward, move_members_to=target)
            assert "move_members_to" in refused.value.message_dict
    assert _ward(ward.pk).is_active


def test_a_profile_cannot_choose_an_archived_ward(client_for, organisation, bob):
    with scopes_disabled():
        archived = factories.WardFactory(organisation=organisation, is_active=False)
    response = client_for(bob).post(
        "/city-hospitals/profile/", {"profession": "pharmacy", "home_ward": archived.pk}
    )
    assert response.status_code in (200, 400)
    assert "Choose a ward of this organisation." in response.content.decode()
