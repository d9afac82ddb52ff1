"""An entry about an anonymous idea never names, or times, the person who shared it."""

import pytest
from django.utils import timezone
from django_scopes import scope

from audit.models import AuditEvent
from audit.services import AnonymityError, record
from tests.conftest import membership


@pytest.fixture
def anonymous(share, bob):
    return share(bob, anonymous=True, title="Bullying on night shifts")


@pytest.mark.parametrize(
    "values",
    [
        {"author": "Bob Porter"},
        {"Author_ID": 7},
        {"submitter": "Bob"},
        {"email": "bob@city.nhs.uk"},
        {"recipient_token": "abc"},
    ],
)
def test_record_refuses_an_author_field_for_an_anonymous_idea(
    anonymous, lena, organisation, values
):
    lead = membership(lena, organisation)
    with scope(organisation=organisation):
        with pytest.raises(AnonymityError):
            record(lead, "changed status", idea=anonymous, after=values)
        with pytest.raises(AnonymityError):
            record(lead, "changed status", idea=anonymous, before=values)
        assert not AuditEvent.objects.filter(idea=anonymous).exists()


def test_record_refuses_the_ideas_token_under_any_name(anonymous, lena, organisation):
    with scope(organisation=organisation), pytest.raises(AnonymityError):
        record(
            membership(lena, organisation),
            "changed status",
            idea=anonymous,
            after={"note": f"from {anonymous.submitter_token}"},
        )


def test_a_named_idea_may_record_its_author(share, bob, lena, organisation):
    named = share(bob, title="Label the drug fridge")
    with scope(organisation=organisation):
        entry = record(
            membership(lena, organisation), "changed status", idea=named, after={"author": "Bob"}
        )
    assert not entry.date_only


def test_an_entry_about_an_anonymous_idea_keeps_its_day_only(anonymous, lena, organisation):
    with scope(organisation=organisation):
        entry = record(
            membership(lena, organisation), "changed status", idea=anonymous, after={"x": 1}
        )
    assert entry.date_only
    local = timezone.localtime(entry.created_at)
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
