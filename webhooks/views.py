"""Organisation admins' webhook screens under /<org>/manage/webhooks/."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from improvewell.forms import add_service_errors, posted
from organisations import permissions
from organisations.permissions import privileged

from . import selectors, services
from .forms import EndpointForm
from .models import WebhookEndpoint

admins_only = privileged(permissions.can_manage_organisation)


def _endpoint(request, endpoint_id) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, organisation=request.organisation, pk=endpoint_id)


def _to_detail(endpoint):
    return redirect(
        "webhooks:webhook_detail", org_slug=endpoint.organisation.slug, endpoint_id=endpoint.pk
    )


@admins_only
def webhook_list(request, org_slug):
    endpoints = selectors.endpoint_list(request.organisation)
    return render(request, "webhooks/webhook_list.html", {"endpoints": endpoints})


@admins_only
@require_http_methods(["GET", "POST"])
def webhook_add(request, org_slug):
    """Add an endpoint. The answer to the POST shows its secret, once: it is in no
    redirect, session or later page."""
    form = EndpointForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(member=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            response = render(request, "webhooks/webhook_created.html", {"endpoint": endpoint})
            response["Cache-Control"] = "no-store"
            return response
    status = 400 if form.errors else 200
    return render(request, "webhooks/webhook_form.html", {"form": form}, status=status)


@admins_only
def webhook_detail(request, org_slug, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    deliveries = selectors.recent_deliveries(endpoint)
    return render(
        request, "webhooks/webhook_detail.html", {"endpoint": endpoint, "deliveries": deliveries}
    )


@admins_only
@require_http_methods(["GET", "POST"])
def webhook_edit(request, org_slug, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    form = EndpointForm.for_endpoint(endpoint, posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(
                member=request.membership, endpoint=endpoint, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The webhook has been saved.")
            return _to_detail(endpoint)
    status = 400 if form.errors else 200
    context = {"form": form, "endpoint": endpoint}
    return render(request, "webhooks/webhook_form.html", context, status=status)


def _switch(request, endpoint_id, *, enabled: bool):
    endpoint = _endpoint(request, endpoint_id)
    try:
        services.endpoint_set_enabled(member=request.membership, endpoint=endpoint, enabled=enabled)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            "The webhook is switched on: new events are sent to it."
            if enabled
            else "The webhook is switched off: no events are sent to it.",
        )
    return _to_detail(endpoint)


@admins_only
@require_POST
def webhook_disable(request, org_slug, endpoint_id):
    return _switch(request, endpoint_id, enabled=False)


@admins_only
@require_POST
def webhook_enable(request, org_slug, endpoint_id):
    return _switch(request, endpoint_id, enabled=True)


@admins_only
@require_POST
def webhook_test(request, org_slug, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    services.endpoint_send_test(member=request.membership, endpoint=endpoint)
    messages.success(request, "A test event is on its way. Its delivery appears below.")
    return _to_detail(endpoint)


@admins_only
@require_http_methods(["GET", "POST"])
def webhook_delete(request, org_slug, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    if request.method == "POST":
        services.endpoint_delete(member=request.membership, endpoint=endpoint)
        messages.success(request, f"The webhook to {endpoint.url} has been deleted.")
        return redirect("webhooks:webhook_list", org_slug=org_slug)
    return render(request, "webhooks/webhook_delete.html", {"endpoint": endpoint})
