"""What projects do when organisations announce a change (connected in apps.py)."""

from organisations.site_services import move_ward_links

from .models import Project


def ward_merging(sender, *, kept, merged, **kwargs):
    """A project about the merged ward is about the kept one."""
    move_ward_links(Project.wards.through, "project_id", kept=kept, merged=merged)
