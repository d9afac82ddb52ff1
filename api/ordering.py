"""`?ordering=` for list endpoints: a view lists what it may be ordered by, and that is all.

`ordering_fields = ("name",)` on a list view (one that calls `filter_queryset`, as
ListAPIView does) allows `?ordering=name`, `?ordering=-name` and several, comma
separated; anything else is a 400 field error, where DRF's own filter would ignore it
and answer in another order than the one asked for. Ties are broken by id, so the
order is the same on every request. The schema lists the allowed values. This is the
default filter backend (REST_FRAMEWORK["DEFAULT_FILTER_BACKENDS"]); a view without
`ordering_fields` is left as it is.
"""

from rest_framework import exceptions, filters


def allowed_terms(view) -> list[str]:
    fields = getattr(view, "ordering_fields", None) or ()
    return [term for field in fields for term in (field, f"-{field}")]


class OrderingFilter(filters.OrderingFilter):
    def get_ordering(self, request, queryset, view):
        allowed = allowed_terms(view)
        raw = request.query_params.get(self.ordering_param)
        if not allowed or raw is None:
            return self.get_default_ordering(view)
        terms = [term.strip() for term in raw.split(",")]
        if not all(term in allowed for term in terms):
            message = "Order by one or more of: " + ", ".join(allowed) + " (comma separated)."
            raise exceptions.ValidationError({self.ordering_param: [message]})
        return terms

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        return queryset.order_by(*ordering, "pk")

    def get_schema_operation_parameters(self, view):
        allowed = allowed_terms(view)
        if not allowed:
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "The order of the list: a field, or -field for the reverse; "
                "several, comma separated. One of: " + ", ".join(allowed) + ".",
                "schema": {"type": "string"},
            }
        ]
