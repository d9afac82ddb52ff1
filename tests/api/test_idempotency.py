"""`Idempotency-Key`: a repeated key gets the first answer back and nothing is done
again; the key of another request is a 422; a record names no caller and no time."""

import uuid
from datetime import timedelta

import pytest
import yaml
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from api.idempotency import HEADER, REPLAYED
from api.models import IdempotencyRecord, PersonalAccessToken
from api.tasks import purge_idempotency_records_task
from ideas.anonymity import member_token
from ideas.models import Comment, Idea, Support
from tests.conftest import membership

PROBLEM = "application/problem+json"


def _key(value=None):
    return {HEADER: value or str(uuid.uuid4())}


def _comments(idea):
    with scopes_disabled():
        return Comment.objects.filter(idea=idea).count()


def _new_idea(categories, ward, **fields):
    return {
        "submission_id": str(uuid.uuid4()),
        "kind": "idea",
        "title": "Label the spare oxygen cylinders",
        "description": "Night staff cannot find them quickly.",
        "category": categories["Efficiency and waste"].pk,
        "ward": ward.pk,
        **fields,
    }


@pytest.fixture
def comments_url(organisation, share, dana):
    return f"/api/v1/{organisation.slug}/ideas/{share(dana).pk}/comments/"


def test_a_repeated_key_replays_the_first_answer_and_does_nothing_again(
    api_for, bob, organisation, share, dana
):
    idea = share(dana)
    client, key = api_for(bob), _key()
    url = f"/api/v1/{organisation.slug}/ideas/{idea.pk}/comments/"
    first = client.post(url, {"body": "Ward 3 tried it."}, **key)
    again = client.post(url, {"body": "Ward 3 tried it."}, **key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert REPLAYED not in first
    assert again[REPLAYED] == "true"
    assert again.json() == first.json()
    assert _comments(idea) == 1
    # Without a key, the same request is a new comment.
    assert client.post(url, {"body": "Ward 3 tried it."}).status_code == 201
    assert _comments(idea) == 2


def test_a_repeated_key_shares_one_idea_once(
    api_for, bob, make_token, organisation, categories, ward
):
    client, key = api_for(token=make_token(bob, organisation)), _key()
    body = _new_idea(categories, ward)
    first = client.post(f"/api/v1/{organisation.slug}/ideas/", body, **key)
    again = client.post(f"/api/v1/{organisation.slug}/ideas/", body, **key)
    # Not the service's own submission_id answer (200): the first 201, replayed.
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again[REPLAYED] == "true"
    with scopes_disabled():
        assert Idea.objects.filter(organisation=organisation).count() == 1


def test_a_delete_is_replayed_too(api_for, bob, organisation, share, dana):
    idea = share(dana)
    url = f"/api/v1/{organisation.slug}/ideas/{idea.pk}/support/"
    client, key = api_for(bob), _key()
    assert client.post(url).json()["support_count"] == 1
    first = client.delete(url, **key)
    client.post(url)  # supported again in between
    again = client.delete(url, **key)
    assert again[REPLAYED] == "true" and again.json() == first.json()
    with scopes_disabled():
        assert Support.objects.filter(idea=idea).count() == 1  # the repeat withdrew nothing


@pytest.mark.parametrize("change", ["body", "path", "method"])
def test_the_key_of_another_request_is_a_422(change, api_for, bob, organisation, share, dana):
    idea, other = share(dana), share(dana, title="Another")
    client, key = api_for(bob), _key()
    url = f"/api/v1/{organisation.slug}/ideas/{idea.pk}/comments/"
    assert client.post(url, {"body": "First"}, **key).status_code == 201
    if change == "body":
        response = client.post(url, {"body": "Second"}, **key)
    elif change == "path":
        response = client.post(url.replace(str(idea.pk), str(other.pk)), {"body": "First"}, **key)
    else:
        response = client.delete(url, **key)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == 422 and "Idempotency-Key" in response.json()["detail"]
    assert _comments(idea) + _comments(other) == 1


def test_keys_are_per_caller(api_for, bob, lena, make_token, organisation, comments_url):
    key = _key()
    callers = [api_for(bob), api_for(lena), api_for(token=make_token(bob, organisation))]
    answers = [c.post(comments_url, {"body": "Same words"}, **key) for c in callers]
    assert [a.status_code for a in answers] == [201, 201, 201]
    assert not any(REPLAYED in a for a in answers)
    assert len({a.json()["id"] for a in answers}) == 3


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "naïve"])
def test_a_bad_key_is_a_field_error(key, api_for, bob, comments_url):
    response = api_for(bob).post(comments_url, {"body": "Hello"}, **{HEADER: key})
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert HEADER in response.json()["errors"]


def test_the_longest_key_is_fine(api_for, bob, comments_url):
    assert api_for(bob).post(comments_url, {"body": "Hello"}, **_key("k" * 255)).status_code == 201


def test_a_refused_request_does_not_keep_its_key(api_for, bob, comments_url):
    client, key = api_for(bob), _key()
    assert client.post(comments_url, {"body": ""}, **key).status_code == 400
    response = client.post(comments_url, {"body": "Put right"}, **key)
    assert response.status_code == 201 and REPLAYED not in response
    with scopes_disabled():
        assert IdempotencyRecord.objects.count() == 1


def test_a_read_token_is_refused_before_claiming_a_key(
    api_for, bob, make_token, organisation, comments_url
):
    client = api_for(token=make_token(bob, organisation, scope="read"))
    assert client.post(comments_url, {"body": "Hello"}, **_key()).status_code == 403
    with scopes_disabled():
        assert not IdempotencyRecord.objects.exists()


def test_reads_ignore_the_header(api_for, bob, comments_url):
    assert api_for(bob).get(comments_url, **_key("not valid but ignored")).status_code == 200
    with scopes_disabled():
        assert not IdempotencyRecord.objects.exists()


def test_an_outsider_cannot_replay_a_members_answer(api_for, bob, charlie, comments_url):
    key = _key()
    assert api_for(bob).post(comments_url, {"body": "Hello"}, **key).status_code == 201
    assert api_for(charlie).post(comments_url, {"body": "Hello"}, **key).status_code == 404


def test_a_record_names_no_caller_and_no_time(
    api_for, dana, make_token, organisation, categories, ward
):
    """A dump of the table cannot say who shared the anonymous idea, nor when in the day."""
    raw = make_token(dana, organisation)
    response = api_for(token=raw).post(
        f"/api/v1/{organisation.slug}/ideas/",
        _new_idea(categories, ward, anonymous=True, place="nowhere"),
        **_key(),
    )
    assert response.status_code == 201, response.content
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_name = 'api_idempotencyrecord'"
        )
        columns = dict(cursor.fetchall())
    assert set(columns) == {
        "digest",
        "organisation_id",
        "fingerprint",
        "status",
        "body",
        "created_on",
    }
    assert not [c for c, kind in columns.items() if "time" in kind]  # a date, never a time
    assert columns["created_on"] == "date"
    with scopes_disabled():
        token = PersonalAccessToken.objects.get(user=dana)
        [record] = IdempotencyRecord.objects.values()
    assert record["created_on"] == timezone.localdate()
    text = " ".join(str(value) for value in record.values())
    for clue in (dana.email, dana.name, "Dana", str(token.pk), token.digest, raw, "user"):
        assert clue not in text, clue
    assert member_token(membership(dana, organisation)) not in text
    assert '"author":"Anonymous"' in record["body"]


def test_old_records_are_purged(api_for, bob, comments_url):
    client = api_for(bob)
    for _ in range(3):
        assert client.post(comments_url, {"body": "Hi"}, **_key()).status_code == 201
    today = timezone.localdate()
    with scopes_disabled():
        digests = list(IdempotencyRecord.objects.values_list("pk", flat=True))
        for digest, age in zip(digests, (0, 1, 2), strict=True):
            IdempotencyRecord.objects.filter(pk=digest).update(
                created_on=today - timedelta(days=age)
            )
    assert purge_idempotency_records_task() == 1
    with scopes_disabled():
        assert set(IdempotencyRecord.objects.values_list("pk", flat=True)) == set(digests[:2])


def test_the_purge_is_scheduled(db):
    from django_celery_beat.models import PeriodicTask

    schedule = PeriodicTask.objects.get(task="api.tasks.purge_idempotency_records_task")
    assert schedule.enabled and schedule.crontab.hour == "3"


def test_the_schema_offers_the_header_on_every_change(client, bob):
    client.force_login(bob)
    schema = yaml.safe_load(client.get("/api/schema/").content)
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/{org}/"):
            continue
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", [])}
            assert (HEADER in names) == (method in ("post", "put", "patch", "delete")), path
