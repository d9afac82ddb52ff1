"""Bad input gets RFC 9457 problem details with field errors, never a 500."""

import pytest

PROBLEM = "application/problem+json"


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    "query, field",
    [
        ("ward=abc", "ward"),
        ("ward=99999999", "ward"),
        ("site=-1", "site"),
        ("category=x", "category"),
        ("kind=poem", "kind"),
        ("status=lost", "status"),
        ("sort=random", "sort"),
        ("q=" + "x" * 101, "q"),
    ],
)
def test_bad_filters_are_field_errors(query, field, api_for, bob, organisation):
    response = api_for(bob).get(f"/api/v1/{organisation.slug}/ideas/?{query}")
    assert field in _problem(response, 400)["errors"]


def test_a_bad_cursor_is_a_404_problem(api_for, bob, organisation):
    response = api_for(bob).get(f"/api/v1/{organisation.slug}/ideas/?cursor=not-a-cursor")
    _problem(response, 404)


def test_a_bad_idea_names_each_wrong_field(api_for, bob, organisation, other_ward):
    response = api_for(bob).post(
        f"/api/v1/{organisation.slug}/ideas/",
        {"submission_id": "nope", "kind": "poem", "title": "", "ward": other_ward.pk},
    )
    errors = _problem(response, 400)["errors"]
    assert {"submission_id", "kind", "title", "description", "category", "ward"} <= set(errors)
    assert errors["title"] == ["Enter a title."]


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "{not json", "null"])
def test_a_body_that_is_not_an_object_is_a_400(body, bob, organisation, client_for):
    response = client_for(bob).post(
        f"/api/v1/{organisation.slug}/ideas/", body, content_type="application/json"
    )
    _problem(response, 400)


def test_an_empty_comment_is_a_field_error(api_for, bob, organisation, share, dana):
    idea = share(dana)
    response = api_for(bob).post(
        f"/api/v1/{organisation.slug}/ideas/{idea.pk}/comments/", {"body": "   "}
    )
    assert "body" in _problem(response, 400)["errors"]


def test_an_unknown_idea_is_a_404_problem(api_for, bob, organisation):
    response = api_for(bob).get(
        f"/api/v1/{organisation.slug}/ideas/00000000-0000-0000-0000-000000000000/"
    )
    assert _problem(response, 404)["detail"] == "Not found."


def test_form_data_is_refused_with_415(client_for, bob, organisation):
    response = client_for(bob).post(f"/api/v1/{organisation.slug}/ideas/", {"title": "x"})
    _problem(response, 415)


def test_an_address_the_api_does_not_have_is_a_json_404(api_for, bob, organisation):
    client = api_for(bob)
    for path in (
        f"/api/v1/{organisation.slug}/projects/not-a-number/",
        f"/api/v1/{organisation.slug}/ideas/not-a-uuid/",
        "/api/v2/anything",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["detail"] == "Not found."
    assert api_for(None).get("/api/v1/nothing/").status_code == 401
