"""What teams do when organisations announce a change (connected in apps.py)."""

from organisations.site_services import move_ward_links

from .models import Team


def ward_merging(sender, *, kept, merged, **kwargs):
    """A team that covered the merged ward covers the kept one."""
    move_ward_links(Team.wards.through, "team_id", kept=kept, merged=merged)
