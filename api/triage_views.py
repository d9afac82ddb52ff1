"""Triage over the API: the triage page's forms and services, for those who may triage.

As on the web (triage/views.py): the inbox's predicate lets a member in (leads, and staff
on a team, with two-factor where their role needs it), the idea's own team decides
whether they may change this idea, the workflow (ideas.models.TRANSITIONS, applied by
the service) decides which moves are allowed.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from ideas.selectors import idea_for_member, supported_idea_ids
from improvewell.forms import add_service_errors
from organisations import permissions
from triage import services
from triage.forms import AssignTeamForm, StatusForm

from . import member_serializers as out
from .base import OrganisationViewMixin
from .views import form_errors, json_object

# The API's field names for the web form's: `status` is the form's `to_status`.
STATUS_FIELDS = {"status": "to_status", "message": "message"}


def _triaged(membership, idea_id) -> dict:
    idea = idea_for_member(membership, idea_id)
    supported = supported_idea_ids(membership, [idea])
    return out.TriagedIdeaSerializer(idea, context={"supported": supported}).data


class TriageView(OrganisationViewMixin, APIView):
    privileged = staticmethod(permissions.can_triage)

    def idea(self, idea_id):
        """The idea, if this member may triage it: the web's answer for another team's."""
        idea = idea_for_member(self.membership, idea_id)
        if idea is None:
            raise exceptions.NotFound("Not found.")
        if not permissions.can_triage_idea(self.membership, idea):
            raise exceptions.PermissionDenied("This idea belongs to another team's triage.")
        return idea


class IdeaTriageStatus(TriageView):
    """Move an idea along the workflow, with a message to the person who shared it."""

    @extend_schema(
        operation_id="ideas_status_change",
        request=out.StatusInputSerializer,
        responses=out.TriagedIdeaSerializer,
    )
    def post(self, request, org, idea_id):
        idea = self.idea(idea_id)
        body = json_object(request)
        not_text = [name for name in STATUS_FIELDS if not isinstance(body.get(name, ""), str)]
        if not_text:
            raise exceptions.ValidationError({name: ["Send text."] for name in not_text})
        form = StatusForm(
            {form_name: body.get(name, "") for name, form_name in STATUS_FIELDS.items()},
            idea=idea,
        )
        if form.is_valid():
            try:
                services.idea_triage_status(
                    member=self.membership,
                    idea=idea,
                    to_status=form.cleaned_data["to_status"],
                    message=form.cleaned_data["message"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
        if form.errors:
            errors = form_errors(form).detail
            api_name = {form_name: name for name, form_name in STATUS_FIELDS.items()}
            raise exceptions.ValidationError({api_name.get(k, k): v for k, v in errors.items()})
        return Response(_triaged(self.membership, idea.pk))


class IdeaTriageTeam(TriageView):
    """Assign the idea to a team (its id) or to none (null)."""

    @extend_schema(
        operation_id="ideas_team_assign",
        request=out.TeamInputSerializer,
        responses=out.TriagedIdeaSerializer,
    )
    def post(self, request, org, idea_id):
        idea = self.idea(idea_id)
        body = json_object(request)
        team = body.get("team", False)
        if team is not None and (isinstance(team, bool) or not isinstance(team, int)):
            raise exceptions.ValidationError({"team": ["Send a team's id, or null for no team."]})
        form = AssignTeamForm(
            {"team": "" if team is None else team}, organisation=self.organisation
        )
        if form.is_valid():
            try:
                services.idea_assign_team(
                    member=self.membership, idea=idea, team=form.cleaned_data["team"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
        if form.errors:
            raise form_errors(form)
        return Response(_triaged(self.membership, idea.pk))
