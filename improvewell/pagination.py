"""Pages of a list whose count stays cheap however long the list grows."""

from functools import cached_property

from django.core.paginator import Paginator

# Rows counted at most: 50 pages of 20 ideas.
COUNT_CAP = 1000


class BoundedPaginator(Paginator):
    """Counts no further than `cap` rows: a page costs the same at 1,000 ideas as at a
    million. Past the cap, `more` is true and only the first `cap` rows are reachable
    (the pages say so, and point to the filters), as search engines and GitHub do.
    """

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap or COUNT_CAP

    @cached_property
    def _counted(self) -> int:
        # COUNT(*) over a LIMIT: PostgreSQL stops reading at cap + 1 rows.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def more(self) -> bool:
        """Whether rows lie beyond the cap."""
        return self._counted > self.cap
