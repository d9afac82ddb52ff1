"""Audit events for what the apps below announce with signals (they cannot import us)."""

from . import services


def staff_imported(sender, *, member, job, **kwargs):
    services.record(
        member,
        "imported staff",
        after={"file": job.file_name, "mode": job.mode, "rows": job.total, **job.counts},
    )
