"""Demo pulse tags and check-ins for `manage.py seed_demo`.

The demo trust's admin has made the tags the trust's own: two added, one of them since
retired (its check-ins keep it). Check-ins cover this month so far and the month
before. Idempotent: an organisation with check-ins gets nothing more.
"""

import random
from datetime import timedelta

from django.utils import timezone

from organisations.models import Membership

from . import services
from .models import PulseCheckIn, PulseTag
from .pulse_tags import pulse_tag_add, pulse_tag_update, pulse_tags_offered

ADDED = ["Breaks", "IT systems"]
RETIRED = "IT systems"


def seed_pulse(organisation, *, admin: Membership | None = None, days=None):
    """Shift check-ins for this month so far and the month before, so that the dashboards
    have a whole month to show (they show pulse by complete month only): most staff
    answer on most days. With an admin, the organisation's own tags first."""
    if PulseCheckIn.objects.filter(organisation=organisation).exists():
        return
    if admin is not None:
        for label in ADDED:
            if not PulseTag.objects.filter(organisation=organisation, label=label).exists():
                pulse_tag_add(member=admin, label=label)
    _check_ins(organisation, days)
    retired = PulseTag.objects.filter(organisation=organisation, label=RETIRED).first()
    if admin is not None and retired is not None and retired.is_active:
        pulse_tag_update(member=admin, tag=retired, label=retired.label, is_active=False)


def _check_ins(organisation, days):
    members = list(
        Membership.objects.filter(organisation=organisation, is_active=True)
        .select_related("home_ward", "organisation")
        .order_by("user__email")
    )
    keys = [tag.key for tag in pulse_tags_offered(organisation)]
    rng = random.Random(f"pulse:{organisation.slug}")
    today = timezone.localdate()
    if days is None:
        last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
        days = (today - last_month).days + 1
    for member in members:
        mood = rng.choice([2, 3, 3, 4, 4, 4, 5])
        for days_ago in range(days):
            day = today - timedelta(days=days_ago)
            if rng.random() < 0.6:
                score = max(1, min(5, mood + rng.choice([-1, 0, 0, 0, 1])))
                tags = rng.sample(keys, k=min(len(keys), rng.randint(0, 2)))
                services.pulse_check_in(member=member, score=score, tags=tags, day=day)
