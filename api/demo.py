"""The demo's API tokens: the tokens page has something to show. The tokens themselves
are thrown away (nothing secret is printed or kept); a visitor makes their own."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from organisations.models import Membership

from .models import PersonalAccessToken, Scope
from .tokens import token_create

DEMO_TOKENS = (
    # name, scope, days ago made, days ago last used (None: never)
    ("Power BI: weekly ideas report", Scope.READ, 40, 2),
    ("Ward noticeboard screen", Scope.READ, 12, None),
)


def seed_tokens(organisation, lead: Membership) -> None:
    if PersonalAccessToken.objects.filter(user=lead.user, organisation=organisation).exists():
        return
    today = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    for name, scope, made, used in DEMO_TOKENS:
        try:
            token, _ = token_create(
                user=lead.user,
                organisation_id=organisation.pk,
                name=name,
                scope=scope,
                lifetime=timedelta(days=180),
            )
        except ValidationError:
            return  # a lead without two-factor (REQUIRE_MFA on) may not hold tokens
        # Made and used in the past, at the start of a day as token_touch records it.
        PersonalAccessToken.objects.filter(pk=token.pk).update(
            created_at=today - timedelta(days=made),
            expires_at=today + timedelta(days=180 - made),
            last_used_at=None if used is None else today - timedelta(days=used),
        )
