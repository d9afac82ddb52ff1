from datetime import date

from django.core.management.base import BaseCommand, CommandError

from dashboards.rollup import rollup_range
from improvewell.rls import tenant_scope
from organisations.models import Organisation


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"“{value}” is not a date: use YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Roll up engagement figures for a range of days (backfill), for one or every organisation."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
        parser.add_argument("--org", metavar="SLUG", help="one organisation (default: all)")

    def handle(self, *args, start, end, org=None, **options):
        first, last = _day(start), _day(end)
        if last < first:
            raise CommandError("--to must not be before --from.")
        if (last - first).days > 3660:
            raise CommandError("Backfill at most ten years at a time.")
        organisations = Organisation.objects.order_by("slug")
        if org:
            organisations = organisations.filter(slug=org)
            if not organisations.exists():
                raise CommandError(f"No organisation has the slug “{org}”.")
        days = (last - first).days + 1
        for organisation in organisations:
            with tenant_scope(organisation):
                rollup_range(organisation, first, last)
            self.stdout.write(
                f"{organisation.slug}: rolled up {days} day{'s' if days != 1 else ''}."
            )
