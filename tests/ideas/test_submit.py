import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from ideas.models import Category, Idea, IdeaEvent, Status
from ideas.services import SUBMISSIONS_PER_DAY
from organisations.models import Ward
from tests.factories import CategoryFactory

NEW = "/city-hospitals/ideas/new/"


def form_data(categories, home_ward, **overrides):
    data = {
        "submission_id": str(uuid.uuid4()),
        "kind": "idea",
        "title": "Second drug trolley for nights",
        "description": "We lose twenty minutes every round.",
        "ward": home_ward.pk,
        "category": categories["Efficiency and waste"].pk,
    }
    data.update(overrides)
    return data


def ideas_of(organisation):
    with scope(organisation=organisation):
        return list(Idea.objects.all())


def test_form_defaults_to_the_members_home_ward(client_for, bob, ward, categories):
    response = client_for(bob).get(NEW)
    assert response.status_code == 200
    assert f'<option value="{ward.pk}" selected>' in response.content.decode()


def test_staff_member_shares_an_idea_and_is_told_what_happens_next(
    client_for, bob, organisation, ward, categories
):
    client = client_for(bob)
    response = client.post(NEW, form_data(categories, ward))
    [idea] = ideas_of(organisation)
    # The confirmation answers the POST: no redirect to a URL carrying the idea's id,
    # which an access log would tie to the poster's address.
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert idea.author == bob
    assert idea.status == Status.SUBMITTED
    with scope(organisation=organisation):
        assert list(IdeaEvent.objects.values_list("type", "actor")) == [("submitted", bob.pk)]
    thanks = response.content.decode()
    assert "Thank you for sharing" in thanks
    assert "aim to reply within 7 days" in thanks
    assert f"/city-hospitals/ideas/{idea.pk}/" in thanks


def test_anonymous_idea_stores_no_author_and_a_random_id(
    client_for, bob, organisation, ward, categories
):
    client_for(bob).post(NEW, form_data(categories, ward, anonymous="on", place="ward"))
    [idea] = ideas_of(organisation)
    assert idea.is_anonymous
    assert idea.author is None
    assert isinstance(idea.pk, uuid.UUID)
    assert len(idea.submitter_token) == 64
    with scope(organisation=organisation):
        assert IdeaEvent.objects.get().actor is None


def test_named_idea_carries_no_token(client_for, bob, organisation, ward, categories):
    # Otherwise a named idea would reveal who wrote anonymous ideas with the same token.
    client_for(bob).post(NEW, form_data(categories, ward))
    assert ideas_of(organisation)[0].submitter_token == ""


def test_double_submit_creates_one_idea(client_for, bob, organisation, ward, categories):
    client = client_for(bob)
    data = form_data(categories, ward)
    first = client.post(NEW, data)
    second = client.post(NEW, data)
    assert first.status_code == second.status_code == 200
    assert len(ideas_of(organisation)) == 1
    idea = ideas_of(organisation)[0]
    assert f"/city-hospitals/ideas/{idea.pk}/" in second.content.decode()


def test_someone_elses_submission_id_makes_a_new_idea(
    client_for, bob, lena, organisation, ward, categories
):
    data = form_data(categories, ward)
    client_for(bob).post(NEW, data)
    client_for(lena).post(NEW, data)
    ideas = ideas_of(organisation)
    assert len(ideas) == 2
    assert {i.author for i in ideas} == {bob, lena}


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"title": ""}, "title", "Enter a title."),
        ({"title": "x" * 121}, "title", "Title must be 120 characters or fewer."),
        ({"description": ""}, "description", "Describe your idea, concern or praise."),
        (
            {"description": "x" * 5001},
            "description",
            "Description must be 5000 characters or fewer.",
        ),
        (
            {"kind": "rant"},
            "kind",
            "Select a valid choice. rant is not one of the available choices.",
        ),
        ({"category": "999999"}, "category", "Choose a category from the list."),
        ({"category": ""}, "category", "Choose a category."),
        ({"ward": "999999"}, "ward", "Choose a ward of this organisation."),
        ({"ward": "not-a-number"}, "ward", "Choose a ward of this organisation."),
    ],
)
def test_bad_input_gets_a_field_error_and_nothing_is_lost(
    client_for, bob, organisation, ward, categories, overrides, field, message
):
    data = form_data(categories, ward, **overrides)
    response = client_for(bob).post(NEW, data)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert ideas_of(organisation) == []
    content = response.content.decode()
    if field != "title":
        assert 'value="Second drug trolley for nights"' in content
    if field != "description":
        assert "We lose twenty minutes every round." in content


def test_a_ward_or_category_of_another_organisation_is_refused(
    client_for, bob, organisation, ward, other_ward, categories, other_organisation
):
    with scopes_disabled():
        other_category = CategoryFactory(organisation=other_organisation)
    response = client_for(bob).post(
        NEW, form_data(categories, ward, ward=other_ward.pk, category=other_category.pk)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["ward"] == ["Choose a ward of this organisation."]
    assert errors["category"] == ["Choose a category from the list."]


def test_html_is_shown_escaped_everywhere(client_for, bob, lena, organisation, ward, categories):
    script = "<script>alert('x')</script>"
    client_for(bob).post(NEW, form_data(categories, ward, title=script, description=script))
    [idea] = ideas_of(organisation)
    for page in (f"/city-hospitals/ideas/{idea.pk}/", "/city-hospitals/ideas/"):
        content = client_for(lena).get(page).content.decode()
        assert script not in content
        assert "&lt;script&gt;" in content


def test_more_than_twenty_ideas_an_hour_is_refused_kindly(
    client_for, bob, organisation, ward, categories
):
    client = client_for(bob)
    for _ in range(SUBMISSIONS_PER_DAY):
        assert client.post(NEW, form_data(categories, ward)).status_code == 200
    response = client.post(NEW, form_data(categories, ward, title="One more idea"))
    assert response.status_code == 429
    content = response.content.decode()
    assert "which is our limit" in content
    assert 'value="One more idea"' in content
    assert len(ideas_of(organisation)) == SUBMISSIONS_PER_DAY
    with scope(organisation=organisation):  # the refused idea was taken back, whole
        assert IdeaEvent.objects.count() == SUBMISSIONS_PER_DAY


def test_the_last_idea_of_the_day_sent_again_is_still_acknowledged(
    client_for, bob, organisation, ward, categories
):
    client = client_for(bob)
    for _ in range(SUBMISSIONS_PER_DAY - 1):
        client.post(NEW, form_data(categories, ward))
    last = form_data(categories, ward, title="The thirtieth idea")
    assert client.post(NEW, last).status_code == 200
    again = client.post(NEW, last)
    assert again.status_code == 200
    assert "which is our limit" not in again.content.decode()
    assert len(ideas_of(organisation)) == SUBMISSIONS_PER_DAY
    with scope(organisation=organisation):
        assert IdeaEvent.objects.filter(type="submitted").count() == SUBMISSIONS_PER_DAY


def test_an_inactive_category_is_not_offered(client_for, bob, organisation, categories):
    category = categories["Communication"]
    with scopes_disabled():
        category.is_active = False
        category.save()
    content = client_for(bob).get(NEW).content.decode()
    assert "Communication" not in content
    assert "Patient safety" in content


def test_a_sent_ward_and_category_are_checked_against_the_kept_set_up_without_a_query(
    client_for, bob, organisation, ward, categories
):
    client = client_for(bob)
    assert client.post(NEW, form_data(categories, ward)).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.post(NEW, form_data(categories, ward)).status_code == 200
    read = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    asked = ('FROM "organisations_ward"', 'FROM "ideas_category"')
    assert not any(table in sql for sql in read for table in asked)
    assert len(ideas_of(organisation)) == 2


def test_a_ward_or_category_archived_since_the_last_idea_is_refused(
    client_for, bob, organisation, ward, categories
):
    client = client_for(bob)
    assert client.post(NEW, form_data(categories, ward)).status_code == 200
    with scopes_disabled():
        Category.objects.filter(pk=categories["Efficiency and waste"].pk).update(is_active=False)
        Ward.objects.filter(pk=ward.pk).update(is_active=False)
    response = client.post(NEW, form_data(categories, ward))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["ward"] == ["Choose a ward of this organisation."]
    assert errors["category"] == ["Choose a category from the list."]
    assert len(ideas_of(organisation)) == 1


@pytest.mark.parametrize("value", ["abc", "1e3", "-1", str(2**70), "1.5", " "])
def test_a_made_up_ward_or_category_gets_a_field_error(
    client_for, bob, organisation, ward, categories, value
):
    response = client_for(bob).post(NEW, form_data(categories, ward, ward=value, category=value))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "ward" in errors or value == " "  # blank: "not about one ward"
    assert errors["category"]
    assert ideas_of(organisation) == []


def test_sharing_takes_a_savepoint_for_its_insert_only(client_for, bob, ward, categories):
    """The checks refuse before anything is written, so the service needs no savepoint of
    its own around them; the insert keeps one, for a resent form."""
    client = client_for(bob)
    with CaptureQueriesContext(connection) as queries:
        assert client.post(NEW, form_data(categories, ward)).status_code == 200
    savepoints = [q["sql"] for q in queries if q["sql"].startswith("SAVEPOINT")]
    # In a test the request's transaction is a savepoint too.
    assert len(savepoints) == 2
