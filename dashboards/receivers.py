"""What the dashboards do when organisations announce a change (connected in apps.py).

A merged ward's ideas and check-ins now count for the kept ward, and a moved ward's for
its new site, on every past day: the figures of those days are computed again by the
roll-up, after the change commits. Until then the dashboards show the figures as they
were; afterwards they add up as if the ward had always been where it is now.
"""

from django.db.models import Min, Q
from django.utils import timezone

from improvewell.mail import queue_after_commit

from .models import DailyFact


def _first_day_of(ward):
    """The first day with anything counted for the ward (ideas or check-ins; supports,
    comments and answers come later), or today when nothing was."""
    activity = Q(ideas__gt=0) | Q(pulse_count__gt=0)
    first = DailyFact.objects.filter(
        organisation_id=ward.organisation_id, scope_key=f"ward:{ward.pk}"
    ).filter(activity)
    return first.aggregate(first=Min("day"))["first"] or timezone.localdate()


def _recompute_from(ward) -> None:
    from .tasks import rollup_range_task

    queue_after_commit(
        rollup_range_task,
        organisation_id=ward.organisation_id,
        first=_first_day_of(ward).isoformat(),
        last=timezone.localdate().isoformat(),
    )


def ward_merging(sender, *, kept, merged, **kwargs):
    _recompute_from(merged)


def ward_moved(sender, *, ward, **kwargs):
    _recompute_from(ward)
