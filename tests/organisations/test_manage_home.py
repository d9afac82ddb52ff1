"""The organisation admin's home lists every admin screen that is installed."""

import pytest

from organisations import manage_screens

pytestmark = pytest.mark.django_db

MANAGE = "/city-hospitals/manage/"


def test_the_home_links_every_installed_screen(client_for, organisation, alice):
    page = client_for(alice).get(MANAGE).content.decode()
    # Every screen, none left out.
    assert page.count("nhsuk-heading-s nhsuk-u-margin-bottom-1") == len(manage_screens.SCREENS)
    for path, title in [
        ("/city-hospitals/manage/staff/", "Staff"),
        ("/city-hospitals/manage/invitations/", "Invitations"),
        ("/city-hospitals/manage/sites/", "Sites and wards"),
        ("/city-hospitals/manage/settings/", "Organisation settings"),
        ("/city-hospitals/manage/concerns/", "Contacts for urgent concerns"),
        ("/city-hospitals/manage/categories/", "Idea categories"),
        ("/city-hospitals/manage/webhooks/", "Webhooks"),
        ("/city-hospitals/manage/staff/import/", "Import staff"),
        ("/city-hospitals/manage/routing/", "Routing rules"),
        ("/city-hospitals/manage/sso/", "Single sign-on"),
        ("/city-hospitals/manage/audit/", "Audit log"),
    ]:
        assert f'<a href="{path}">{title}</a>' in page, title


def test_admins_find_it_from_the_home_page_and_the_menu(client_for, organisation, alice, lena):
    page = client_for(alice).get("/city-hospitals/").content.decode()
    assert page.count(f'href="{MANAGE}"') == 2  # the menu and the admin section
    assert f'href="{MANAGE}"' not in client_for(lena).get("/city-hospitals/").content.decode()
