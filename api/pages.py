"""The person's own page of API tokens, under their account (not any organisation)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from improvewell.forms import add_service_errors, posted
from organisations.selectors import memberships_of_user

from . import tokens
from .forms import TokenForm


@login_required
def token_list(request):
    return render(request, "api/token_list.html", {"tokens": tokens.tokens_of(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def token_create(request):
    form = TokenForm(posted(request), memberships=memberships_of_user(request.user))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                token, raw = tokens.token_create(
                    user=request.user,
                    organisation_id=data["organisation"],
                    name=data["name"],
                    scope=data["scope"],
                    lifetime=timedelta(days=data["expires_in"]),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                # Shown in answer to the POST, once: it is never stored or shown again.
                return render(request, "api/token_created.html", {"token": token, "raw": raw})
    return render(request, "api/token_create.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke(request, token_id):
    token = next((t for t in tokens.tokens_of(request.user) if t.pk == token_id), None)
    if token is None or token.revoked_at is not None:
        raise Http404("No such token.")
    if request.method == "POST":
        tokens.token_revoke(user=request.user, token_id=token.pk)
        messages.success(request, f"The token “{token.name}” was revoked.")
        return redirect("api_tokens:list")
    return render(request, "api/token_revoke.html", {"token": token})
