"""Signals: what ideas tells the capabilities above it, and what it hears from below.

Ideas sends `idea_shared` and `idea_status_changed` from its services, inside their
transactions, so that a receiver (webhooks) writes its rows with the change or not at
all, without ideas importing it. Anonymity: `idea_shared` is sent for anonymous ideas
too; a receiver must write nothing stamped with the moment for one (docs/anonymity.md).

Organisations sit below ideas and cannot call into it, so ideas listens for what it
needs to know (connected in apps.py).
"""

from django.dispatch import Signal

from improvewell.rls import tenant_scope

from .categories import category_defaults_create
from .pulse_tags import pulse_tag_defaults_create

# An idea was shared: `idea=`.
idea_shared = Signal()
# An idea moved along the workflow: `idea=`, `from_status=`, `to_status=`.
idea_status_changed = Signal()


def organisation_created(sender, instance, created, raw=False, **kwargs):
    """A new organisation starts with the default categories and pulse tags."""
    if not created or raw:  # raw: loaded from a fixture, which brings its own rows
        return
    # The categories are the new organisation's rows, whatever scope created it.
    with tenant_scope(instance):
        category_defaults_create(instance)
        pulse_tag_defaults_create(instance)


def ward_merging_moves_ideas(sender, *, kept, merged, **kwargs):
    """Two wards become one (organisations.site_services.ward_merge): the merged ward's
    ideas and pulse check-ins now count for the kept one."""
    from .models import Idea, PulseCheckIn

    for model in (Idea, PulseCheckIn):
        model.objects.filter(organisation_id=kept.organisation_id, ward=merged).update(ward=kept)
