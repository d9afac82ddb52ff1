"""What triage does when ideas announces a change (connected in apps.py)."""

from organisations.site_services import move_ward_links

from . import routing
from .models import RoutingRule


def idea_shared(sender, *, idea, **kwargs):
    """Route the new idea to a team, inside idea_submit's transaction (routing.idea_route
    writes to the idea's own row only, so an anonymous idea gains no timestamped row)."""
    routing.idea_route(idea=idea)


def ward_merging(sender, *, kept, merged, **kwargs):
    """A rule that named the merged ward names the kept one."""
    move_ward_links(RoutingRule.wards.through, "routingrule_id", kept=kept, merged=merged)
