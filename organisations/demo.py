"""Demo data: two past staff imports, one applied and one refused, so that the import
screen's list and the job pages have something to show. Rows only: no accounts are
made. Idempotent: an organisation with an import gets nothing more."""

from datetime import timedelta

from django.utils import timezone

from .models import ImportJob


def seed_staff_imports(organisation, *, admin) -> None:
    if ImportJob.objects.filter(organisation=organisation).exists():
        return
    now = timezone.now()
    ImportJob.objects.create(
        organisation=organisation,
        created_by=admin.user,
        applied_by=admin.user,
        mode=ImportJob.Mode.CREATE,
        state=ImportJob.State.APPLIED,
        file_name="ESR export - new starters.csv",
        total=42,
        done=42,
        counts={"added": 38, "updated": 3, "invited": 0, "unchanged": 1, "errors": 0, "notes": 0},
        finished_at=now - timedelta(days=6),
    )
    ImportJob.objects.create(
        organisation=organisation,
        created_by=admin.user,
        mode=ImportJob.Mode.INVITE,
        state=ImportJob.State.REJECTED,
        file_name="bank staff.csv",
        total=12,
        counts={"added": 0, "updated": 0, "invited": 10, "unchanged": 0, "errors": 2, "notes": 0},
        errors=[
            "Row 5: 'j.smith@' is not an email address.",
            f"Row 9: 'Ward 99' is not a ward of {organisation.name}.",
        ],
    )
