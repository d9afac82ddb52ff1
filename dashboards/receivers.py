"""What the dashboards do when organisations announce a change (connected in apps.py).

A merged ward's ideas and check-ins now count for the kept ward, and a moved ward's for
its new site, on every past day: the figures of those days are computed again by the
roll-up, after the change commits. Until then the dashboards show the figures as they
were; afterwards they add up as if the ward had always been where it is now.
"""

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from improvewell.mail import queue
from improvewell.rls import tenant_scope

from .models import DailyFact, RollupRequest


def _first_day_of(ward):
    """The first day with anything counted for the ward (ideas or check-ins; supports,
    comments and answers come later), or today when nothing was."""
    activity = Q(ideas__gt=0) | Q(pulse_count__gt=0)
    first = DailyFact.objects.filter(
        organisation_id=ward.organisation_id, scope_key=f"ward:{ward.pk}"
    ).filter(activity)
    return first.aggregate(first=Min("day"))["first"] or timezone.localdate()


def _recompute_from(ward) -> None:
    """Record the days to roll up again with the change, then send the roll-up once the
    change commits. A broker that is down loses nothing: the row stays until the days are
    rolled up, and the sweep sends it again (dashboards.tasks)."""
    request = RollupRequest.objects.create(
        organisation_id=ward.organisation_id, first=_first_day_of(ward), last=timezone.localdate()
    )
    transaction.on_commit(lambda: _send(ward.organisation_id, request.pk))


def _send(organisation_id: int, request_id: int) -> None:
    from .tasks import rollup_request_task

    if not queue(rollup_request_task, organisation_id=organisation_id, request_id=request_id):
        return
    # Sent: the sweep now leaves it alone for a while (it may be running). After the
    # commit, whatever scope the change ran in may be over: this is the organisation's row.
    with tenant_scope(organisation_id):
        RollupRequest.objects.filter(
            organisation_id=organisation_id, pk=request_id, queued_at__isnull=True
        ).update(queued_at=timezone.now())


def ward_merging(sender, *, kept, merged, **kwargs):
    _recompute_from(merged)


def ward_moved(sender, *, ward, **kwargs):
    _recompute_from(ward)
