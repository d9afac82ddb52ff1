"""The organisation admin's home lists every admin screen that is installed."""

import pytest
from django.urls import NoReverseMatch

from organisations import manage_screens

pytestmark = pytest.mark.django_db

MANAGE = "/city-hospitals/manage/"


def test_the_home_links_every_installed_screen(client_for, organisation, alice):
    page = client_for(alice).get(MANAGE).content.decode()
    for path, title in [
        ("/city-hospitals/manage/staff/", "Staff"),
        ("/city-hospitals/manage/invitations/", "Invitations"),
        ("/city-hospitals/manage/sites/", "Sites and wards"),
        ("/city-hospitals/manage/settings/", "Organisation settings"),
        ("/city-hospitals/manage/concerns/", "Contacts for urgent concerns"),
        ("/city-hospitals/manage/categories/", "Idea categories"),
        ("/city-hospitals/manage/webhooks/", "Webhooks"),
    ]:
        assert f'<a href="{path}">{title}</a>' in page, title


def test_a_screen_not_installed_is_left_out(monkeypatch, client_for, organisation, alice):
    screens = [*manage_screens.SCREENS, ("nowhere:missing", "Missing screen", "Not here.")]
    monkeypatch.setattr(manage_screens, "SCREENS", screens)
    page = client_for(alice).get(MANAGE).content.decode()
    assert "Missing screen" not in page and "Sites and wards" in page
    with pytest.raises(NoReverseMatch):
        manage_screens.reverse("nowhere:missing", kwargs={"org_slug": "city-hospitals"})


def test_admins_find_it_from_the_home_page_and_the_menu(client_for, organisation, alice, lena):
    page = client_for(alice).get("/city-hospitals/").content.decode()
    assert page.count(f'href="{MANAGE}"') == 2  # the menu and the admin section
    assert f'href="{MANAGE}"' not in client_for(lena).get("/city-hospitals/").content.decode()
