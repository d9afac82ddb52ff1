from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from improvewell.forms import add_service_errors, posted

from . import permissions, selectors, services
from .forms import ConcernSettingsForm, InvitationForm, MemberForm, ProfileForm
from .models import Invitation, Membership
from .permissions import privileged
from .signup import invitation_remember


def home(request, org_slug):
    membership = request.membership
    return render(
        request,
        "organisations/home.html",
        {
            "membership": membership,
            "profile_incomplete": not membership.profession or membership.home_ward_id is None,
            "sites": selectors.sites_with_wards(request.organisation),
        },
    )


@require_http_methods(["GET", "POST"])
def profile(request, org_slug):
    membership = request.membership
    initial = {"profession": membership.profession, "home_ward": membership.home_ward_id}
    form = ProfileForm(
        posted(request),
        organisation=request.organisation,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(
                membership=membership,
                profession=form.cleaned_data["profession"],
                home_ward=form.cleaned_data["home_ward"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your profile has been saved.")
            return redirect("organisations:home", org_slug=org_slug)
    return render(request, "organisations/profile.html", {"form": form})


def _membership(request, membership_id) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "home_ward"),
        organisation=request.organisation,
        pk=membership_id,
    )


@privileged(permissions.can_manage_organisation)
@require_http_methods(["GET", "POST"])
def member_edit(request, org_slug, membership_id):
    membership = _membership(request, membership_id)
    form = MemberForm.for_membership(membership, posted(request), editor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(
                membership=membership,
                role=form.cleaned_data["role"],
                profession=form.cleaned_data["profession"],
                home_ward=form.cleaned_data["home_ward"],
                by=request.membership,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved the changes to {membership.user}.")
            return redirect("organisations:member_list", org_slug=org_slug)
    return render(request, "organisations/member_edit.html", {"form": form, "member": membership})


@privileged(permissions.can_manage_organisation)
@require_http_methods(["GET", "POST"])
def member_deactivate(request, org_slug, membership_id):
    membership = _membership(request, membership_id)
    error = None
    if request.method == "POST":
        try:
            services.membership_set_active(
                membership=membership, is_active=False, by=request.membership
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, f"{membership.user} has been deactivated and can no longer sign in here."
            )
            return redirect("organisations:member_list", org_slug=org_slug)
    return render(
        request,
        "organisations/member_deactivate.html",
        {"member": membership, "error": error},
        status=400 if error else 200,
    )


@privileged(permissions.can_manage_organisation)
@require_POST
def member_reactivate(request, org_slug, membership_id):
    membership = _membership(request, membership_id)
    services.membership_set_active(membership=membership, is_active=True, by=request.membership)
    messages.success(request, f"{membership.user} can use ImproveWell here again.")
    return redirect("organisations:member_list", org_slug=org_slug)


@privileged(permissions.can_manage_organisation)
@require_http_methods(["GET", "POST"])
def invitation_list(request, org_slug):
    form = InvitationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                organisation=request.organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("organisations:invitation_list", org_slug=org_slug)
    invitations = Invitation.objects.filter(
        organisation=request.organisation,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).select_related("invited_by")[:200]
    return render(
        request,
        "organisations/invitation_list.html",
        {"form": form, "invitations": invitations},
        status=400 if form.errors else 200,
    )


@privileged(permissions.can_manage_organisation)
@require_http_methods(["GET", "POST"])
def invitation_revoke(request, org_slug, invitation_id):
    invitation = get_object_or_404(Invitation, organisation=request.organisation, pk=invitation_id)
    if request.method == "POST":
        try:
            services.invitation_revoke(invitation=invitation, by=request.membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
        return redirect("organisations:invitation_list", org_slug=org_slug)
    return render(request, "organisations/invitation_revoke.html", {"invitation": invitation})


@privileged(permissions.can_manage_organisation)
@require_http_methods(["GET", "POST"])
def concern_settings(request, org_slug):
    """Who a member raising a concern is told to contact, and the urgent response target."""
    form = ConcernSettingsForm(posted(request), instance=request.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_set_concern_settings(
                organisation=request.organisation, by=request.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Saved. Members raising a concern now see these contacts.")
            return redirect("organisations:concern_settings", org_slug=org_slug)
    status = 400 if form.errors else 200
    return render(request, "organisations/concern_settings.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def invitation_open(request, token):
    """The link in an invitation email: join now if signed in, or sign up to join."""
    try:
        invitation = services.invitation_check(services.invitation_by_token(token))
    except services.InvitationError as exc:
        return render(request, "organisations/invitation_invalid.html", {"reason": exc}, status=410)

    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect("account_login")
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except services.InvitationError as exc:
            return render(
                request, "organisations/invitation_invalid.html", {"reason": exc}, status=409
            )
        messages.success(request, f"Welcome to {membership.organisation.name}.")
        return redirect("organisations:home", org_slug=membership.organisation.slug)

    if not request.user.is_authenticated:
        invitation_remember(request, invitation)
    else:
        try:
            services.invitation_check_recipient(invitation, user=request.user)
        except services.InvitationError as exc:
            return render(
                request, "organisations/invitation_invalid.html", {"reason": exc}, status=409
            )
    return render(request, "organisations/invitation_open.html", {"invitation": invitation})
