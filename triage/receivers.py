"""What triage does when ideas announces a change (connected in apps.py)."""

from . import routing


def idea_shared(sender, *, idea, **kwargs):
    """Route the new idea to a team, inside idea_submit's transaction (routing.idea_route
    writes to the idea's own row only, so an anonymous idea gains no timestamped row)."""
    routing.idea_route(idea=idea)
