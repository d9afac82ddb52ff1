from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from improvewell.forms import add_service_errors, posted
from organisations import permissions
from organisations.permissions import privileged
from teams import selectors, services
from teams.forms import TeamForm
from teams.models import Team


def team_list(request, org_slug):
    return render(
        request,
        "teams/team_list.html",
        {
            "teams": selectors.teams_with_counts(request.organisation),
            "can_manage": permissions.can_manage_teams(request.membership),
        },
    )


def team_detail(request, org_slug, team_id):
    team = get_object_or_404(Team, organisation=request.organisation, pk=team_id)
    return render(
        request,
        "teams/team_detail.html",
        {
            "team": team,
            "groups": selectors.members_by_staff_group(team),
            "wards": team.wards.select_related("site"),
            "projects": team.projects.all(),
            "can_manage": permissions.can_manage_teams(request.membership),
        },
    )


@privileged(permissions.can_manage_teams)
@require_http_methods(["GET", "POST"])
def team_edit(request, org_slug, team_id=None):
    team = None
    if team_id is not None:
        team = get_object_or_404(Team, organisation=request.organisation, pk=team_id)
        form = TeamForm.for_team(team, posted(request))
    else:
        form = TeamForm(posted(request), organisation=request.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_save(
                member=request.membership,
                team=team,
                name=form.cleaned_data["name"],
                purpose=form.cleaned_data["purpose"],
                wards=list(form.cleaned_data["wards"]),
                members=form.cleaned_data["member_emails"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The team “{team.name}” has been saved.")
            return redirect("teams:team_detail", org_slug=org_slug, team_id=team.pk)
    return render(
        request,
        "teams/team_edit.html",
        {"form": form, "team": team},
        status=400 if form.errors else 200,
    )
