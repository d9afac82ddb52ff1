"""Sign-in with NHSmail (Microsoft): the admins' settings page and the start of a sign-in.

The start pages live under /accounts/sso/ (no `org_slug`: they are for people who are
not signed in yet, so the tenant middleware leaves them alone). organisations/sso.py
holds the rules; organisations/sso_adapter.py plugs them into allauth.
"""

from allauth.socialaccount.adapter import get_adapter
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from improvewell.forms import add_service_errors, posted

from . import permissions, sso
from .forms import SSOSettingsForm, SSOStartForm
from .permissions import privileged

NOT_AVAILABLE = (
    "Your organisation has not switched on sign-in with NHSmail (Microsoft) in ImproveWell. "
    "Sign in with your email address and password instead."
)


def _initial(found) -> dict:
    if found is None:
        return {}
    return {
        "is_enabled": found.is_enabled,
        "allow_signup": found.allow_signup,
        "tenant": found.app.settings.get("tenant", ""),
        "client_id": found.app.client_id,
    }


@privileged(permissions.can_manage_organisation)
@require_http_methods(["GET", "POST"])
def sso_settings(request, org_slug):
    """The organisation's own Entra ID app; the client secret is never sent back."""
    found = sso.sso_for_organisation(request.organisation)
    form = SSOSettingsForm(posted(request), initial=_initial(found))
    if request.method == "POST" and form.is_valid():
        try:
            sso.sso_configure(
                organisation=request.organisation, by=request.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Saved the settings for sign-in with NHSmail (Microsoft).")
            return redirect("organisations:sso_settings", org_slug=org_slug)
    context = {
        "form": form,
        "has_secret": bool(found and found.app.secret),
        "callback_url": request.build_absolute_uri(reverse("microsoft_callback")),
        "start_url": request.build_absolute_uri(
            reverse("sso_start", args=[request.organisation.slug])
        ),
    }
    status = 400 if form.errors else 200
    return render(request, "organisations/sso_settings.html", context, status=status)


def _leading_to(response, origins):
    """Let the page's form go on to the sign-in server: CSP `form-action` covers redirects."""
    response._csp_update = {"form-action": origins}
    return response


def _start(request, found):
    """Send the person to their organisation's directory, with its app for this sign-in."""
    request.session[sso.SESSION_KEY] = found.organisation_id
    request._sso = found
    provider = get_adapter(request).get_provider(request, sso.PROVIDER)
    return provider.redirect_from_request(request)


@require_http_methods(["GET", "POST"])
def sso_choose(request):
    """Find the organisation from the work email address, then start its sign-in."""
    form = SSOStartForm(posted(request))
    if request.method == "POST" and form.is_valid():
        found = sso.sso_for_email(form.cleaned_data["email"])
        if found is not None:
            return _start(request, found)
        form.add_error("email", NOT_AVAILABLE)
    status = 400 if form.errors else 200
    response = render(request, "organisations/sso_choose.html", {"form": form}, status=status)
    return _leading_to(response, sso.login_origins())


@require_http_methods(["GET", "POST"])
def sso_start(request, organisation_slug):
    """An organisation's own link (for its intranet): 404 unless its sign-in is switched on."""
    found = sso.enabled_sso(organisation__slug=organisation_slug)
    if found is None:
        raise Http404("No such page.")
    if request.method == "POST":
        return _start(request, found)
    response = render(request, "organisations/sso_start.html", {"organisation": found.organisation})
    return _leading_to(response, sso.login_origins(found))
