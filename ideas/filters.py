"""The ideas board's filters, which the triage inbox extends (triage/filters.py).

Their query parameters, labels and choices are what bookmarked and shared links carry.
A bad value (an edited or stale link) never gives an error page: the form says what is
wrong and the list shows as if nothing had been chosen.

FilterSets are defined at import time, outside any organisation: every choice list is a
callable given the request, so that it holds only the request's organisation's rows.
"""

import django_filters
from django import forms

from organisations.forms import WardChoiceField
from organisations.models import Site, Ward

from . import selectors
from .models import Category, Idea, Kind, Status


def sites(request):
    return Site.objects.filter(organisation=request.organisation)


def wards(request):
    return Ward.objects.filter(organisation=request.organisation).select_related("site")


def categories(request):
    return Category.objects.filter(organisation=request.organisation)


class WardFilter(django_filters.ModelChoiceFilter):
    """A ward, named with its site as everywhere else."""

    field_class = WardChoiceField


class CheckboxFilter(django_filters.Filter):
    """A checkbox (django-filter's BooleanFilter is a yes/no/unknown select)."""

    field_class = forms.BooleanField


class SortFilter(django_filters.ChoiceFilter):
    """Orders rather than filters: with no choice, or a bad one, the first ordering."""

    def __init__(self, *, orderings, **kwargs):
        self.orderings = orderings
        choices = [(value, label) for value, (label, _) in orderings.items()]
        super().__init__(choices=choices, empty_label=None, **kwargs)

    def filter(self, qs, value):
        _, fields = self.orderings.get(value) or next(iter(self.orderings.values()))
        return qs.order_by(*fields)


SORTS = {
    "newest": ("Newest first", ("-created_at",)),
    "supported": ("Most supported", ("-support_count", "-created_at")),
}


class IdeaFilterSet(django_filters.FilterSet):
    """The ideas of the request's organisation, filtered and sorted as the board asks."""

    q = django_filters.CharFilter(label="Search", max_length=100, method="search")
    site = django_filters.ModelChoiceFilter(
        label="Site", queryset=sites, empty_label="All sites", method="on_site"
    )
    ward = WardFilter(label="Ward", queryset=wards, empty_label="All wards")
    category = django_filters.ModelChoiceFilter(
        label="Category", queryset=categories, empty_label="All categories"
    )
    kind = django_filters.ChoiceFilter(label="Type", choices=Kind.choices, empty_label="All types")
    status = django_filters.ChoiceFilter(
        label="Status", choices=Status.choices, empty_label="Any status"
    )
    sort = SortFilter(label="Sort by", orderings=SORTS)

    # The form's field order, when it is not the order the filters are declared in.
    field_order = None

    class Meta:
        model = Idea
        fields = []

    def __init__(self, data=None, queryset=None, *, request, prefix=None):
        if queryset is None:
            queryset = Idea.objects.filter(organisation=request.organisation)
        if data is not None and not any(name in data for name in self.base_filters):
            data = None  # only other parameters (a page number): nothing chosen
        super().__init__(data, queryset, request=request, prefix=prefix)

    def get_form_class(self):
        form = super().get_form_class()
        form.field_order = self.field_order
        return form

    @property
    def chosen(self) -> dict:
        """What was chosen; nothing at all if any value is bad, so that a half-understood
        link never shows a list filtered differently from what it asked for."""
        return self.form.cleaned_data if self.is_valid() else {}

    @property
    def applied(self) -> int:
        """How many filters (the sort included, when not its default) the page was asked
        for, counting a bad value too: the board opens its folded filters when this is
        not 0, so that what is applied, or what is wrong, is in sight."""
        if not self.is_bound:
            return 0
        if self.form.errors:
            return len(self.form.errors)
        defaults = {
            name: next(iter(filter_.orderings))
            for name, filter_ in self.filters.items()
            if isinstance(filter_, SortFilter)
        }
        return sum(
            1
            for name, value in self.chosen.items()
            if value not in (None, "", False) and value != defaults.get(name)
        )

    @property
    def narrowed(self) -> bool:
        """Whether any filter (not the sort) leaves ideas out."""
        return any(value for name, value in self.chosen.items() if name != "sort")

    def filter_queryset(self, queryset):
        # Every filter sees its value, None when not chosen, so that defaults (the sort,
        # the inbox's open ideas) apply as well.
        chosen = self.chosen
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, chosen.get(name))
        return queryset

    @property
    def qs(self):
        # django-filter leaves an unbound FilterSet's queryset unfiltered and unsorted:
        # here a page without query parameters gets the defaults too.
        if not hasattr(self, "_qs"):
            self._qs = self.filter_queryset(self.queryset.all())
        return self._qs

    def search(self, ideas, name, value):
        return selectors.search(ideas, value)

    def on_site(self, ideas, name, value):
        return ideas.filter(selectors.on_site(value))
