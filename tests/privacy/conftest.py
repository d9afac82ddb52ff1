"""Bob's life at City Hospitals, through the services: named and anonymous ideas,
comments, supports, check-ins, notifications and an API token. Lena (a QI lead) has an
anonymous idea of her own, so that a leak of another person's data would show."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from api import tokens
from ideas import services as ideas
from tests.conftest import membership


@pytest.fixture
def bobs_life(organisation, share, bob, lena):
    bob_member = membership(bob, organisation)
    lena_member = membership(lena, organisation)
    named = share(bob, title="Bob's named trolley idea")
    anonymous = share(bob, anonymous=True, title="Bob's anonymous rota concern")
    lenas = share(lena, anonymous=True, title="Lena's anonymous idea")
    today = timezone.localdate()
    with scope(organisation=organisation):
        ideas.comment_add(member=bob_member, idea=anonymous, body="Bob as submitter")
        ideas.comment_add(member=bob_member, idea=lenas, body="Bob on Lena's idea")
        ideas.comment_add(member=lena_member, idea=anonymous, body="Lena's reply to Bob")
        ideas.comment_add(member=lena_member, idea=lenas, body="Lena as submitter")
        ideas.idea_support(member=bob_member, idea=lenas)
        ideas.idea_change_status(member=lena_member, idea=named, to_status="under_review")
        ideas.pulse_check_in(member=bob_member, score=2, tags=["staffing"])
        ideas.pulse_check_in(member=bob_member, score=4, tags=[], day=today - timedelta(days=3))
        ideas.pulse_check_in(member=lena_member, score=5, tags=["teamwork"])
    tokens.token_create(
        user=bob,
        organisation_id=organisation.pk,
        name="Bob's spreadsheet",
        scope="read",
        lifetime=timedelta(days=30),
    )
    return {"named": named, "anonymous": anonymous, "lenas": lenas}
