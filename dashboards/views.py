from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from charts import spc
from charts import svg as charts
from ideas import services as idea_services
from improvewell.forms import posted
from improvewell.http import csv_response
from organisations import permissions
from organisations.models import Site, Ward
from organisations.permissions import privileged

from . import pulse as pulse_figures
from . import selectors
from .forms import DateRangeForm, PulseForm, default_range
from .models import ORGANISATION_SCOPE

SUPPRESSED = "fewer than {n}"
LEAGUE_COLUMNS = [
    ("ward", "Ward"),
    ("ideas", "Ideas"),
    ("participation", "Taking part (30 days)"),
    ("answered", "Answered within target"),
    ("implemented", "Implemented"),
    ("pulse", "Pulse mean"),
]


def _range(request):
    form = DateRangeForm(
        request.GET or None, initial=dict(zip(("start", "end"), default_range(), strict=True))
    )
    start, end = form.range()
    return form, start, end


def _tiles(organisation, scope_key, start, end, latest_pulse):
    now = selectors.figures(organisation, scope_key, start, end)
    before = selectors.figures(organisation, scope_key, *selectors.previous_period(start, end))
    return {
        "now": now,
        "before": before,
        "pulse_month": latest_pulse.month,
        "pulse_now": latest_pulse.now(scope_key),
        "pulse_before": latest_pulse.previous(scope_key),
    }


def _league_columns(latest_pulse):
    """The ward table's columns; the pulse column names the month it shows."""
    month = f" ({latest_pulse.month:%b %Y})" if latest_pulse.month else ""
    return [(key, f"{label}{month}" if key == "pulse" else label) for key, label in LEAGUE_COLUMNS]


def _shown(value, threshold):
    return SUPPRESSED.format(n=threshold) if value is None else value


# The CSV says what the page says about empty and hidden cells.
def _people_cell(row, threshold):
    if row["participation"] is None and not row["active_members"]:
        return "no members"
    return _shown(row["participation"], threshold)


def _pulse_cells(figure, threshold) -> list:
    """Check-ins and mean of one scope's month, as the page shows them."""
    if figure is None:
        return ["no complete month", "no complete month"]
    if figure.suppressed:
        return [_shown(None, threshold)] * 2
    return [figure.count, "no check-ins" if figure.mean is None else figure.mean]


def _wants_csv(request, table=None):
    return request.GET.get("format") == "csv" and request.GET.get("table") == table


def _league_rows(league, threshold):
    return [
        [
            r["name"],
            r["site"],
            r["ideas"],
            r["implemented"],
            r["answered"] if r["answered"] is not None else "",
            _shown(r["contributors_30d"], threshold),
            r["active_members"],
            _people_cell(r, threshold),
            *_pulse_cells(r["pulse"], threshold),
        ]
        for r in league
    ]


def _league_csv_header(latest_pulse):
    month = f" ({latest_pulse.month:%B %Y})" if latest_pulse.month else ""
    return [
        "Ward",
        "Site",
        "Ideas",
        "Implemented",
        "Answered within target (%)",
        "Contributors (30 days)",
        "Active members",
        "Participation (%)",
        f"Pulse check-ins{month}",
        f"Pulse mean{month}",
    ]


def _pulse_csv(organisation, start, end):
    """Every month the range lists, for the organisation, each site and each ward: the
    same figures, suppressed the same way, as the pages."""
    by_month = pulse_figures.monthly_figures(
        organisation, pulse_figures.listed_months(organisation, start, end)
    )
    scopes = [(ORGANISATION_SCOPE, "Organisation", organisation.name, "")]
    for site in Site.objects.filter(organisation=organisation).order_by("name"):
        scopes.append((f"site:{site.pk}", "Site", site.name, ""))
    for ward in Ward.objects.filter(organisation=organisation).select_related("site"):
        scopes.append((f"ward:{ward.pk}", "Ward", ward.site.name, ward.name))
    threshold = organisation.suppression_threshold
    return csv_response(
        f"{organisation.slug}-pulse-by-month-{start}-to-{end}.csv",
        ["Month", "Level", "Site or organisation", "Ward", "Pulse check-ins", "Pulse mean"],
        [
            [f"{month:%Y-%m}", level, place, ward, *_pulse_cells(figures[key], threshold)]
            for month, figures in by_month.items()
            for key, level, place, ward in scopes
            if key in figures
        ],
    )


def _staff_groups_csv(filename, matrix, threshold):
    return csv_response(
        filename,
        ["Ward", "Site", *[label for _, label in matrix["groups"]]],
        [
            [row["ward"].name, row["ward"].site.name]
            + [_shown(cell, threshold) for cell in row["cells"]]
            for row in matrix["rows"]
        ],
    )


@privileged(permissions.can_view_dashboards)
def overview(request, org_slug):
    organisation = request.organisation
    form, start, end = _range(request)
    sort = request.GET.get("sort", "ideas")
    if _wants_csv(request, "pulse"):
        return _pulse_csv(organisation, start, end)
    latest_pulse = pulse_figures.latest(organisation, start, end)
    league = selectors.ward_league(organisation, start, end, pulse=latest_pulse, sort=sort)
    threshold = organisation.suppression_threshold
    if _wants_csv(request):
        return csv_response(
            f"{organisation.slug}-wards-{start}-to-{end}.csv",
            _league_csv_header(latest_pulse),
            _league_rows(league, threshold),
        )
    org_figures = _tiles(organisation, ORGANISATION_SCOPE, start, end, latest_pulse)
    totals = org_figures["now"].totals
    return render(
        request,
        "dashboards/overview.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "tiles": org_figures,
            "league": league,
            "sort": sort,
            "league_columns": _league_columns(latest_pulse),
            "funnel": [
                ("Shared", totals["ideas"]),
                ("Reviewed", totals["reviewed"]),
                ("In progress", totals["in_progress"]),
                ("Implemented", totals["implemented"]),
                ("Not taken forward", totals["not_taken_forward"]),
            ],
            "sites": selectors.sites_of(organisation),
            "range_query": f"start={start}&end={end}",
        },
    )


@privileged(permissions.can_view_dashboards)
def ward(request, org_slug, ward_id):
    organisation = request.organisation
    ward = get_object_or_404(
        Ward.objects.select_related("site"), organisation=organisation, pk=ward_id
    )
    form, start, end = _range(request)
    matrix = selectors.staff_groups_by_ward(organisation, start, end, site=ward.site)
    cells = next(row["cells"] for row in matrix["rows"] if row["ward"].pk == ward.pk)
    staff_groups = [(label, cell) for (_, label), cell in zip(matrix["groups"], cells, strict=True)]
    threshold = organisation.suppression_threshold
    if _wants_csv(request, "staff-groups"):
        return csv_response(
            f"{organisation.slug}-ward-{ward.pk}-staff-groups-{start}-to-{end}.csv",
            ["Staff group", "Ideas"],
            [[label, _shown(cell, threshold)] for label, cell in staff_groups],
        )
    return render(
        request,
        "dashboards/scope.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "scope_name": ward.name,
            "caption": ward.site.name,
            "ward": ward,
            "tiles": _tiles(
                organisation,
                f"ward:{ward.pk}",
                start,
                end,
                pulse_figures.latest(organisation, start, end),
            ),
            "waiting": selectors.waiting_longest(organisation, ward=ward),
            # Groups with no ideas are left out of the list; hidden ones stay in.
            "staff_groups": [(label, cell) for label, cell in staff_groups if cell != 0],
            "range_query": f"start={start}&end={end}",
        },
    )


@privileged(permissions.can_view_dashboards)
def site(request, org_slug, site_id):
    organisation = request.organisation
    site = get_object_or_404(Site, organisation=organisation, pk=site_id)
    form, start, end = _range(request)
    latest_pulse = pulse_figures.latest(organisation, start, end)
    league = selectors.ward_league(organisation, start, end, pulse=latest_pulse, site=site)
    matrix = selectors.staff_groups_by_ward(organisation, start, end, site=site)
    threshold = organisation.suppression_threshold
    if _wants_csv(request, "wards"):
        return csv_response(
            f"{organisation.slug}-site-{site.pk}-wards-{start}-to-{end}.csv",
            _league_csv_header(latest_pulse),
            _league_rows(league, threshold),
        )
    if _wants_csv(request, "staff-groups"):
        return _staff_groups_csv(
            f"{organisation.slug}-site-{site.pk}-staff-groups-{start}-to-{end}.csv",
            matrix,
            threshold,
        )
    return render(
        request,
        "dashboards/scope.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "scope_name": site.name,
            "caption": "Site",
            "site": site,
            "tiles": _tiles(organisation, f"site:{site.pk}", start, end, latest_pulse),
            "waiting": selectors.waiting_longest(organisation, site=site),
            "league": league,
            "league_columns": _league_columns(latest_pulse),
            "staff_matrix": matrix,
            "range_query": f"start={start}&end={end}",
        },
    )


@privileged(permissions.can_view_dashboards)
def people(request, org_slug):
    organisation = request.organisation
    form, start, end = _range(request)
    threshold = organisation.suppression_threshold
    period = f"{start}-to-{end}"
    if _wants_csv(request):
        rows = selectors.who_takes_part(organisation, start, end)
        return csv_response(
            f"{organisation.slug}-staff-groups-{period}.csv",
            ["Staff group", "Ideas", "Share of ideas (%)"],
            [
                [r["label"], _shown(r["ideas"], threshold), _shown(r["share"], threshold)]
                for r in rows
            ],
        )
    if _wants_csv(request, "months"):
        by_month = selectors.who_takes_part_by_month(organisation, start, end)
        return csv_response(
            f"{organisation.slug}-staff-groups-by-month-{period}.csv",
            ["Staff group", *[month.strftime("%b %Y") for month in by_month["months"]]],
            [
                [row["label"], *[_shown(cell, threshold) for cell in row["cells"]]]
                for row in by_month["rows"]
            ],
        )
    if _wants_csv(request, "wards"):
        return _staff_groups_csv(
            f"{organisation.slug}-staff-groups-by-ward-{period}.csv",
            selectors.staff_groups_by_ward(organisation, start, end),
            threshold,
        )
    return render(
        request,
        "dashboards/people.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "rows": selectors.who_takes_part(organisation, start, end),
            "by_month": selectors.who_takes_part_by_month(organisation, start, end),
            "staff_matrix": selectors.staff_groups_by_ward(organisation, start, end),
            "range_query": f"start={start}&end={end}",
        },
    )


KPIS = [
    ("ideas", "Ideas shared per week", "ideas", "up"),
    ("participation", "Staff taking part (30 days), week by week", "%", "up"),
    ("answered", "Answers within the response target per week", "%", "up"),
    ("implemented", "Ideas implemented per week", "ideas", "up"),
]
# Pulse is published by calendar month only (dashboards/pulse.py), so its chart is monthly.
PULSE_KPI = ("pulse", "Pulse check-in mean per month", "out of 5", "up")


@privileged(permissions.can_view_dashboards)
def engagement_spc(request, org_slug):
    organisation = request.organisation
    end = timezone.localdate()
    initial = {"start": end - timedelta(weeks=26), "end": end}
    form = DateRangeForm(request.GET or None, initial=initial)
    start, end = form.range() if request.GET else (initial["start"], end)
    series = selectors.weekly_kpis(organisation, ORGANISATION_SCOPE, start, end)
    monthly_pulse = [
        (figure.month, figure.mean)
        for figure in pulse_figures.pulse_months(organisation, ORGANISATION_SCOPE, start, end)
        if figure.mean is not None
    ]
    charts_out = []
    for key, title, unit, direction in [*KPIS, PULSE_KPI]:
        points = monthly_pulse if key == "pulse" else series[key]
        period = "month" if key == "pulse" else "week"
        entry = {"title": title, "points": points, "unit": unit, "period": period}
        if len(points) >= 12:
            result = spc.xmr_chart([v for _, v in points], improvement=direction)
            entry["chart"] = charts.xmr_chart_svg_context(
                points, result, title=title, unit=unit, chart_id=f"spc-{key}"
            )
        charts_out.append(entry)
    if _wants_csv(request):
        weeks = sorted({week for points in series.values() for week, _ in points})
        values = {key: dict(series[key]) for key, *_ in KPIS}
        return csv_response(
            f"{organisation.slug}-weekly-engagement-{start}-to-{end}.csv",
            ["Week beginning", *[title for _, title, *_ in KPIS]],
            [[week, *[values[key].get(week, "") for key, *_ in KPIS]] for week in weeks],
        )
    return render(
        request,
        "dashboards/spc.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "charts": charts_out,
            "range_query": f"start={start}&end={end}",
        },
    )


# The pulse check-in ("How was your shift?") ------------------------------------------


@require_http_methods(["GET", "POST"])
def pulse(request, org_slug):
    member = request.membership
    form = PulseForm(posted(request))
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
    member = request.membership
    summary = pulse_figures.ward_summary(request.organisation, member.home_ward)
    return render(
        request, "dashboards/pulse_done.html", {"summary": summary, "ward": member.home_ward}
    )
