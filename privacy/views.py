"""The person's own data download (under their account) and the admin's erasure of a
leaver (under the organisation's staff pages)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from improvewell.rls import cross_organisation
from organisations import permissions
from organisations.models import Membership
from organisations.permissions import privileged

from . import files, selectors, services

FORMATS = {
    "json": ("application/json", files.as_json),
    "zip": ("application/zip", files.as_zip),
}


@login_required
@require_GET
def your_data(request):
    return render(request, "privacy/your_data.html", {"kinds": selectors.KINDS})


@login_required
@require_GET
def your_data_download(request, file_format):
    content_type, render_file = FORMATS[file_format]
    body = render_file(selectors.personal_data(request.user))
    response = HttpResponse(body, content_type=content_type)
    name = f"improvewell-your-data-{timezone.localdate().isoformat()}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _other_organisations(membership: Membership) -> int:
    # Whether the person is known elsewhere decides erasing or removing; only a count
    # is shown, never which organisations.
    with cross_organisation():
        others = Membership.objects.filter(user_id=membership.user_id).exclude(pk=membership.pk)
        return others.count()


@privileged(permissions.can_manage_organisation)
@require_http_methods(["GET", "POST"])
def member_erase(request, org_slug, membership_id):
    membership = get_object_or_404(
        Membership.objects.select_related("user"),
        organisation=request.organisation,
        pk=membership_id,
    )
    error = None
    if request.method == "POST":
        name = str(membership.user)
        try:
            outcome = services.member_erase(membership=membership, by=request.membership)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            if outcome == services.REMOVED:
                messages.success(
                    request,
                    f"{name} also belongs to another organisation, so their account was kept: "
                    f"they were removed from {request.organisation.name}.",
                )
            else:
                messages.success(request, f"{name}'s personal data was erased.")
            return redirect("organisations:member_list", org_slug=org_slug)
    context = {
        "member": membership,
        "error": error,
        "erased": services.is_erased(membership.user),
        "elsewhere": _other_organisations(membership),
    }
    return render(request, "privacy/member_erase.html", context, status=400 if error else 200)
