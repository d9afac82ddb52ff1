"""A person downloads their own data: all of it, and nobody else's."""

import csv
import io
import json
import re
import zipfile

import pytest

from privacy.selectors import KINDS, personal_data

pytestmark = pytest.mark.django_db

JSON_URL = "/account/data/improvewell-your-data.json"
ZIP_URL = "/account/data/improvewell-your-data.zip"
TIME_OF_DAY = re.compile(r"T\d\d:\d\d")


def _download(client):
    response = client.get(JSON_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    return json.loads(response.content)


def test_the_account_page_links_to_the_download(client_for, bob):
    page = client_for(bob).get("/account/").content.decode()
    assert 'href="/account/data/"' in page
    page = client_for(bob).get("/account/data/").content.decode()
    assert JSON_URL in page and ZIP_URL in page


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in ("/account/data/", JSON_URL, ZIP_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_json_has_every_kind_of_bobs_data(client_for, bob, bobs_life):
    data = _download(client_for(bob))
    assert list(data) == list(KINDS)
    assert data["profile"][0]["email"] == "bob@city.nhs.uk"
    assert data["profile"][0]["name"] == "Bob Porter"
    assert data["profile"][0]["email_addresses"] == "bob@city.nhs.uk"
    assert [m["organisation"] for m in data["memberships"]] == [
        "City Hospitals NHS Foundation Trust"
    ]
    titles = {i["title"]: i["anonymous"] for i in data["ideas"]}
    assert titles == {"Bob's named trolley idea": False, "Bob's anonymous rota concern": True}
    comments = {c["text"]: c["as_anonymous_submitter"] for c in data["comments"]}
    assert comments == {"Bob as submitter": True, "Bob on Lena's idea": False}
    assert [s["idea_title"] for s in data["supports"]] == ["Lena's anonymous idea"]
    assert sorted(c["score"] for c in data["pulse_check_ins"]) == [2, 4]
    texts = [n["text"] for n in data["notifications"]]
    assert len(texts) == 2  # the named idea's status, Lena's comment on the anonymous one
    assert any("Bob's named trolley idea" in t for t in texts)
    assert [t["name"] for t in data["api_tokens"]] == ["Bob's spreadsheet"]


def test_it_never_holds_another_persons_data(client_for, bob, lena, bobs_life):
    body = json.dumps(_download(client_for(bob)))
    assert "Lena's reply to Bob" not in body
    assert "Lena as submitter" not in body
    assert "lena@city.nhs.uk" not in body and "Lena Lead" not in body
    # Lena's idea appears only as what Bob supported and commented on, never as his.
    data = json.loads(body)
    assert "Lena's anonymous idea" not in {i["title"] for i in data["ideas"]}
    lena_data = personal_data(lena)
    assert {i["title"] for i in lena_data["ideas"]} == {"Lena's anonymous idea"}
    assert [c["score"] for c in lena_data["pulse_check_ins"]] == [5]
    assert "Bob" not in json.dumps(lena_data["ideas"] + lena_data["pulse_check_ins"])


def test_anonymous_items_carry_their_day_and_never_a_time(client_for, bob, bobs_life):
    data = _download(client_for(bob))
    anonymous = next(i for i in data["ideas"] if i["anonymous"])
    named = next(i for i in data["ideas"] if not i["anonymous"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", anonymous["shared"])
    assert TIME_OF_DAY.search(named["shared"])
    as_submitter = next(c for c in data["comments"] if c["as_anonymous_submitter"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", as_submitter["written"])
    for notification in data["notifications"]:
        if "named" not in notification["text"]:
            assert not TIME_OF_DAY.search(notification["sent"])


def test_api_tokens_show_names_and_dates_never_their_digest(client_for, bob, bobs_life):
    from api.models import PersonalAccessToken
    from improvewell.rls import cross_organisation

    with cross_organisation():
        token = PersonalAccessToken.objects.get(user=bob)
    body = client_for(bob).get(JSON_URL).content.decode()
    assert token.digest not in body and token.prefix not in body
    assert set(json.loads(body)["api_tokens"][0]) == {
        "organisation",
        "name",
        "access",
        "created",
        "expires",
        "last_used",
        "revoked",
    }


def test_the_zip_has_one_csv_per_kind(client_for, bob, bobs_life):
    response = client_for(bob).get(ZIP_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == [f"{kind}.csv" for kind in KINDS]
    text = archive.read("ideas.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["title"] for r in rows} == {
        "Bob's named trolley idea",
        "Bob's anonymous rota concern",
    }
    assert {r["anonymous"] for r in rows} == {"yes", "no"}


def test_a_formula_in_a_title_stays_text_in_the_csv(client_for, bob, share):
    share(bob, title="=HYPERLINK(1)")
    archive = zipfile.ZipFile(io.BytesIO(client_for(bob).get(ZIP_URL).content))
    text = archive.read("ideas.csv").decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_a_person_in_two_organisations_gets_both(
    client_for, bob, organisation, other_organisation, categories
):
    from django_scopes import scopes_disabled

    from tests import factories

    with scopes_disabled():
        factories.MembershipFactory(organisation=other_organisation, user=bob)
    data = _download(client_for(bob))
    assert sorted(m["organisation"] for m in data["memberships"]) == [
        "City Hospitals NHS Foundation Trust",
        "Hill NHS Trust",
    ]


def test_the_download_reads_a_bounded_number_of_queries(
    client_for, bob, bobs_life, django_assert_max_num_queries
):
    client = client_for(bob)
    with django_assert_max_num_queries(40):
        client.get(JSON_URL)
