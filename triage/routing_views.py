"""The routing rules screen under /<org>/manage/routing/: admins keep the rules, QI leads
read them (they see where ideas go), and either tries an idea against them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from improvewell.forms import add_service_errors, posted
from organisations import permissions
from organisations.permissions import privileged

from . import routing
from .forms import RoutingRuleForm, RoutingTestForm
from .models import RoutingRule

admins_only = privileged(permissions.can_manage_organisation)


def _rule(request, rule_id) -> RoutingRule:
    return get_object_or_404(RoutingRule, organisation=request.organisation, pk=rule_id)


def _to_list(request):
    return redirect("triage:routing_rules", org_slug=request.organisation.slug)


@privileged(permissions.leads_improvement)
@require_http_methods(["GET", "POST"])
def routing_rules(request, org_slug):
    """The rules in the order they are tried. The "which rule would it go by?" form posts
    here and changes nothing: its answer is this page."""
    organisation = request.organisation
    trial = RoutingTestForm(posted(request), organisation=organisation)
    match = None
    if trial.is_bound and trial.is_valid():
        match = routing.rule_for(organisation, **trial.cleaned_data)
    context = {
        "rules": list(routing.rule_list(organisation)),
        "trial": trial,
        "tried": trial.is_bound and not trial.errors,
        "match": match,
    }
    status = 400 if trial.errors else 200
    return render(request, "triage/routing_rules.html", context, status=status)


def _save(request, *, rule=None):
    if rule is None:
        form = RoutingRuleForm(posted(request), organisation=request.organisation)
    else:
        form = RoutingRuleForm.for_rule(rule, posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            saved = routing.rule_save(member=request.membership, rule=rule, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"The rule “{saved.name}” has been saved.")
            return _to_list(request)
    status = 400 if form.errors else 200
    context = {"form": form, "rule": rule}
    return render(request, "triage/routing_rule_form.html", context, status=status)


@admins_only
@require_http_methods(["GET", "POST"])
def routing_rule_add(request, org_slug):
    return _save(request)


@admins_only
@require_http_methods(["GET", "POST"])
def routing_rule_edit(request, org_slug, rule_id):
    return _save(request, rule=_rule(request, rule_id))


@admins_only
@require_POST
def routing_rule_move(request, org_slug, rule_id):
    rule = _rule(request, rule_id)
    up = request.POST.get("direction") != "down"
    routing.rule_move(member=request.membership, rule=rule, up=up)
    messages.success(request, f"The rule “{rule.name}” moved {'up' if up else 'down'}.")
    return _to_list(request)


def _switch(request, rule_id, *, active: bool):
    rule = routing.rule_set_active(
        member=request.membership, rule=_rule(request, rule_id), active=active
    )
    messages.success(
        request,
        f"The rule “{rule.name}” is switched on."
        if active
        else f"The rule “{rule.name}” is switched off: ideas skip it.",
    )
    return _to_list(request)


@admins_only
@require_POST
def routing_rule_disable(request, org_slug, rule_id):
    return _switch(request, rule_id, active=False)


@admins_only
@require_POST
def routing_rule_enable(request, org_slug, rule_id):
    return _switch(request, rule_id, active=True)


@admins_only
@require_http_methods(["GET", "POST"])
def routing_rule_delete(request, org_slug, rule_id):
    rule = _rule(request, rule_id)
    if request.method == "POST":
        routing.rule_delete(member=request.membership, rule=rule)
        messages.success(request, f"The rule “{rule.name}” has been deleted.")
        return _to_list(request)
    return render(request, "triage/routing_rule_delete.html", {"rule": rule})
