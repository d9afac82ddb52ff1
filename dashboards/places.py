"""Where and when a row counts in the roll-up: its London day, its place (ward, or site
alone), and the scopes a place adds up to (ward, site, organisation)."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, ExpressionWrapper, F
from django.db.models.functions import Coalesce, TruncDate

from .models import EVENT_COUNTS, ORGANISATION_SCOPE, PULSE_COUNTS, STAFF_FIELDS

LONDON = ZoneInfo("Europe/London")

# The figures that add up from ward to site to organisation, as counted from rows.
SUMMED = [*EVENT_COUNTS, *PULSE_COUNTS, *STAFF_FIELDS.values()]
SLOT = {field: n for n, field in enumerate(SUMMED)}


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start and end of a Europe/London day (23 or 25 hours long at the clock changes)."""
    start = datetime.combine(day, time.min, tzinfo=LONDON)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=LONDON)
    return start, end


class _LocalDay(TruncDate):
    """TruncDate without its Python conversion of each row: the database already returns
    a date, and the roll-up reads hundreds of thousands of rows."""

    def get_db_converters(self, connection):
        return self.output_field.get_db_converters(connection)


def local_day(field: str):
    return _LocalDay(field, tzinfo=LONDON)


def place(idea: str = ""):
    """An idea's place key: its ward's id, or minus its site's id when it names only a site
    (ids are positive, so the two never meet), or None when it names neither. `idea` is
    the path to the idea from the rows read ("idea__" for supports, comments, events)."""
    site = ExpressionWrapper(F(f"{idea}site_id") * -1, output_field=BigIntegerField())
    return Coalesce(F(f"{idea}ward_id"), site, output_field=BigIntegerField())


def by_place_and_day(queryset, field: str, idea: str, **aggregates):
    """(place, London day, aggregates) for every place and day, from one GROUP BY."""
    return (
        queryset.annotate(rollup_day=local_day(field))
        .values("rollup_day", rollup_place=place(idea))
        .annotate(**aggregates)
        .order_by()
    )


def scopes_of(wards: dict[int, int]) -> defaultdict:
    """The scopes a place's figures count towards (see `place`): a ward's count towards
    (organisation, site, ward); a site's (minus its id) towards (organisation, site) and no
    ward. An idea with no place, or a place without rows (a site with no wards), counts
    for the organisation only: (organisation,)."""
    keys = {w: (ORGANISATION_SCOPE, f"site:{site}", f"ward:{w}") for w, site in wards.items()}
    keys |= {-site: (ORGANISATION_SCOPE, f"site:{site}") for site in set(wards.values())}
    return defaultdict(lambda: (ORGANISATION_SCOPE,), keys)


class Totals:
    """Summed figures keyed by (scope, day), one slot per field of SUMMED."""

    def __init__(self, keys_of: defaultdict):
        self.keys_of = keys_of
        self.values: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0] * len(SUMMED))

    def add(self, place, day, figures: dict):
        """Add one (place, day) row's figures to the ward, its site and the organisation."""
        slots = [(SLOT[field], value) for field, value in figures.items() if value]
        for key in self.keys_of[place]:
            values = self.values[(key, day)]
            for slot, value in slots:
                values[slot] += value
