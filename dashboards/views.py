from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from ideas import services as idea_services
from improvewell import kept_pages
from improvewell.forms import posted
from organisations import permissions
from organisations.models import Site, Ward
from organisations.permissions import privileged

from . import pulse as pulse_figures
from . import selectors, tables
from .forms import DateRangeForm, PulseForm, default_range
from .models import ORGANISATION_SCOPE
from .spc_charts import KPIS, complete_weeks, engagement_charts


def _range(request):
    form = DateRangeForm(
        request.GET or None, initial=dict(zip(("start", "end"), default_range(), strict=True))
    )
    start, end = form.range()
    return form, start, end


def _wants_csv(request, table=None):
    return request.GET.get("format") == "csv" and request.GET.get("table") == table


def _csv(organisation, name: str, start, end, table: tables.Table):
    return table.csv(
        f"{organisation.slug}-{name}-{start}-to-{end}.csv", organisation.suppression_threshold
    )


def _page(request, template, form, start, end, **context):
    """Every dashboard page has the date range form and passes the range on in its links."""
    context |= {"form": form, "start": start, "end": end, "range_query": f"start={start}&end={end}"}
    return render(request, template, context)


@privileged(permissions.can_view_dashboards)
def overview(request, org_slug):
    organisation = request.organisation
    form, start, end = _range(request)
    sort = request.GET.get("sort", "ideas")
    if _wants_csv(request, "pulse"):
        rows = selectors.pulse_by_month(organisation, start, end)
        return _csv(organisation, "pulse-by-month", start, end, tables.pulse_by_month(rows))
    if _wants_csv(request):
        latest_pulse = pulse_figures.latest(organisation, start, end)
        league = selectors.ward_league(organisation, start, end, pulse=latest_pulse, sort=sort)
        return _csv(
            organisation, "wards", start, end, tables.league_csv(league, latest_pulse.month)
        )
    # The same for everyone who may see it: kept whole (improvewell.kept_pages) until the
    # organisation's figures change (a roll-up, an idea), and for the day at most ("now"
    # is today). Not a range typed wrong, or a parameter the page does not know.
    known = (
        set(request.GET) <= {"start", "end", "sort"}
        and sort in selectors.LEAGUE_SORTS
        and not form.errors
    )
    varies_on = [sorted(request.GET.lists()), str(timezone.localdate())] if known else None

    def build():
        figures = _overview(organisation, start, end, sort)
        context = {
            "form": form,
            "start": start,
            "end": end,
            "range_query": f"start={start}&end={end}",
            "sort": sort,
            "tiles": figures["tiles"],
            "league": tables.league(figures["league"], figures["month"]),
            "funnel": tables.funnel(figures["tiles"]["now"].totals),
            "sites": figures["sites"],
        }
        return context, None

    return kept_pages.respond(
        request, "dashboards/overview.html", name="dashboard", varies_on=varies_on, build=build
    )


def _overview(organisation, start, end, sort) -> dict:
    """The overview's figures (the tables are made from them on each request)."""
    latest_pulse = pulse_figures.latest(organisation, start, end)
    return {
        "tiles": selectors.tiles(organisation, ORGANISATION_SCOPE, start, end, latest_pulse),
        "league": selectors.ward_league(organisation, start, end, pulse=latest_pulse, sort=sort),
        "month": latest_pulse.month,
        "sites": list(selectors.sites_of(organisation)),
    }


@privileged(permissions.can_view_dashboards)
def ward(request, org_slug, ward_id):
    organisation = request.organisation
    ward = get_object_or_404(
        Ward.objects.select_related("site"), organisation=organisation, pk=ward_id
    )
    form, start, end = _range(request)
    groups = selectors.ward_staff_groups(organisation, ward, start, end)
    if _wants_csv(request, "staff-groups"):
        name = f"ward-{ward.pk}-staff-groups"
        return _csv(organisation, name, start, end, tables.ward_staff_groups(groups))
    latest_pulse = pulse_figures.latest(organisation, start, end)
    return _page(
        request,
        "dashboards/scope.html",
        form,
        start,
        end,
        scope_name=ward.name,
        caption=ward.site.name,
        ward=ward,
        tiles=selectors.tiles(organisation, f"ward:{ward.pk}", start, end, latest_pulse),
        waiting=selectors.waiting_longest(organisation, ward=ward),
        # Groups with no ideas are left out of the list; hidden ones stay in.
        staff_groups=tables.ward_staff_groups([group for group in groups if group[1] != 0]),
    )


@privileged(permissions.can_view_dashboards)
def site(request, org_slug, site_id):
    organisation = request.organisation
    site = get_object_or_404(Site, organisation=organisation, pk=site_id)
    form, start, end = _range(request)
    latest_pulse = pulse_figures.latest(organisation, start, end)
    league = selectors.ward_league(organisation, start, end, pulse=latest_pulse, site=site)
    matrix = selectors.staff_groups_by_ward(organisation, start, end, site=site)
    if _wants_csv(request, "wards"):
        table = tables.league_csv(league, latest_pulse.month)
        return _csv(organisation, f"site-{site.pk}-wards", start, end, table)
    if _wants_csv(request, "staff-groups"):
        table = tables.staff_matrix(matrix, with_site=True)
        return _csv(organisation, f"site-{site.pk}-staff-groups", start, end, table)
    return _page(
        request,
        "dashboards/scope.html",
        form,
        start,
        end,
        scope_name=site.name,
        caption="Site",
        site=site,
        tiles=selectors.tiles(organisation, f"site:{site.pk}", start, end, latest_pulse),
        waiting=selectors.waiting_longest(organisation, site=site),
        league=tables.league(league, latest_pulse.month),
        staff_matrix=tables.staff_matrix(matrix),
    )


@privileged(permissions.can_view_dashboards)
def people(request, org_slug):
    organisation = request.organisation
    form, start, end = _range(request)
    if _wants_csv(request):
        table = tables.who_takes_part_csv(selectors.who_takes_part(organisation, start, end))
        return _csv(organisation, "staff-groups", start, end, table)
    if _wants_csv(request, "months"):
        table = tables.by_month(selectors.who_takes_part_by_month(organisation, start, end))
        return _csv(organisation, "staff-groups-by-month", start, end, table)
    if _wants_csv(request, "wards"):
        matrix = selectors.staff_groups_by_ward(organisation, start, end)
        table = tables.staff_matrix(matrix, with_site=True)
        return _csv(organisation, "staff-groups-by-ward", start, end, table)
    by_month = selectors.who_takes_part_by_month(organisation, start, end)
    return _page(
        request,
        "dashboards/people.html",
        form,
        start,
        end,
        rows=tables.who_takes_part(selectors.who_takes_part(organisation, start, end)),
        by_month=tables.by_month(by_month),
        several_months=len(by_month["months"]) > 1,
        staff_matrix=tables.staff_matrix(selectors.staff_groups_by_ward(organisation, start, end)),
    )


@privileged(permissions.can_view_dashboards)
def engagement_spc(request, org_slug):
    organisation = request.organisation
    end = timezone.localdate()
    initial = {"start": end - timedelta(weeks=26), "end": end}
    form = DateRangeForm(request.GET or None, initial=initial)
    start, end = form.range() if request.GET else (initial["start"], end)
    today = timezone.localdate()
    charts, series = engagement_charts(organisation, start, end, today)
    if _wants_csv(request):
        return _csv(organisation, "weekly-engagement", start, end, tables.weekly(series, KPIS))
    weeks = complete_weeks(start, end, today)
    return _page(request, "dashboards/spc.html", form, start, end, charts=charts, weeks=weeks)


# The pulse check-in ("How was your shift?") ------------------------------------------


@require_http_methods(["GET", "POST"])
def pulse(request, org_slug):
    pulse_figures.require_enabled(request.organisation)
    member = request.membership
    form = PulseForm(posted(request), organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        idea_services.pulse_check_in(
            member=member, score=form.cleaned_data["score"], tags=form.cleaned_data["tags"]
        )
        messages.success(request, "Thank you. Your check-in has been recorded anonymously.")
        return redirect("dashboards:pulse_done", org_slug=org_slug)
    return render(
        request, "dashboards/pulse.html", {"form": form}, status=400 if form.errors else 200
    )


def pulse_done(request, org_slug):
    pulse_figures.require_enabled(request.organisation)
    member = request.membership
    summary = pulse_figures.ward_summary(request.organisation, member.home_ward)
    return render(
        request, "dashboards/pulse_done.html", {"summary": summary, "ward": member.home_ward}
    )
