"""The ward poster: a QR code for the share form (drawn here, inline), its address in
words, and a print button (its script in a static file)."""

import html
import re

import pytest
from django_scopes import scopes_disabled

from ideas.models import Idea

POSTER = "/city-hospitals/you-said-we-did/{}/poster/"


def test_the_poster_carries_a_qr_code_and_the_address_of_the_share_form(client_for, bob, ward):
    response = client_for(bob).get(POSTER.format(ward.pk))
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    address = f"http://testserver/city-hospitals/ideas/new/?ward={ward.pk}"
    assert address in page
    assert re.search(r'<figure class="iw-qr-figure" role="img" aria-label="[^"]+"><svg ', page)
    assert "<path " in page and "<script>" not in page and " style=" not in page
    assert "data-print hidden>Print this poster</button>" in page
    assert "improvewell/print.js" in page and 'media="print"' in page
    assert "use your browser's Print" in page


def test_the_qr_code_reads_back_as_the_address(client_for, bob, ward):
    import segno

    page = client_for(bob).get(POSTER.format(ward.pk)).content.decode()
    svg = page[page.index("<svg ") : page.index("</svg>") + 6]
    expected = segno.make(
        f"http://testserver/city-hospitals/ideas/new/?ward={ward.pk}",
        error="m",
        micro=False,
        boost_error=False,
    ).svg_inline(
        scale=1,
        border=4,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass="iw-qr",
        lineclass=None,
    )
    assert svg == expected


def test_the_share_form_from_the_qr_code_has_the_ward_chosen(client_for, bob, organisation):
    from tests import factories

    with scopes_disabled():
        other = factories.WardFactory(organisation=organisation, name="Birch Ward")
    page = client_for(bob).get(f"/city-hospitals/ideas/new/?ward={other.pk}").content.decode()
    assert re.search(rf'<option value="{other.pk}" selected>', page)


@pytest.mark.parametrize("value", ["abc", "-1", "99999999", "1" * 40])
def test_a_bad_ward_in_the_address_is_ignored(client_for, bob, ward, value):
    response = client_for(bob).get("/city-hospitals/ideas/new/", {"ward": value})
    assert response.status_code == 200
    assert re.search(rf'<option value="{ward.pk}" selected>', response.content.decode())


def test_another_organisations_ward_is_not_chosen(client_for, bob, ward, other_ward):
    response = client_for(bob).get("/city-hospitals/ideas/new/", {"ward": other_ward.pk})
    assert response.status_code == 200
    assert "Birch Ward" not in response.content.decode()
    with scopes_disabled():
        assert not Idea.objects.exists()
