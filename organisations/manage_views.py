"""The organisation admin's home, sites and wards, and settings (/<org>/manage/...).

Thin views: the forms check the input's shape, site_services and settings_services
own the rules, and a refusal shows beside the field it concerns (never a 500).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from improvewell.forms import add_service_errors, posted

from . import permissions, selectors, settings_services, site_services
from .manage_forms import (
    NameForm,
    OrganisationSettingsForm,
    SignupDomainForm,
    WardArchiveForm,
    WardForm,
    WardMergeForm,
)
from .manage_screens import screens_for
from .models import Membership, SignupDomain, Site, Ward
from .permissions import privileged

admin_only = privileged(permissions.can_manage_organisation)


def _saved(form, service, **kwargs) -> bool:
    """Call the service; on a refusal put its messages on the form."""
    try:
        service(**kwargs)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True


def _render(request, template, context):
    failed = any(getattr(v, "errors", None) for v in context.values())
    return render(request, template, context, status=400 if failed else 200)


@admin_only
def manage(request, org_slug):
    screens = screens_for(org_slug)
    return render(request, "organisations/manage/home.html", {"screens": screens})


@admin_only
@require_http_methods(["GET", "POST"])
def site_list(request, org_slug):
    """Every site and ward; the form to add a site."""
    form = NameForm(posted(request), prefix="site")
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        if _saved(form, site_services.site_create, member=request.membership, name=name):
            messages.success(request, f"Added the site {name}.")
            return redirect("organisations:site_list", org_slug=org_slug)
    sites = selectors.sites_for_admin(request.organisation)
    return _render(request, "organisations/manage/site_list.html", {"form": form, "sites": sites})


def _site(request, site_id) -> Site:
    return get_object_or_404(Site, organisation=request.organisation, pk=site_id)


def _ward(request, ward_id) -> Ward:
    return get_object_or_404(
        Ward.objects.select_related("site"), organisation=request.organisation, pk=ward_id
    )


@admin_only
@require_http_methods(["GET", "POST"])
def site_edit(request, org_slug, site_id):
    """Rename a site, and add a ward to it."""
    site = _site(request, site_id)
    member = request.membership
    rename = NameForm(posted(request) if "rename" in request.POST else None, prefix="site")
    rename.initial = {"name": site.name}
    add = NameForm(posted(request) if "add_ward" in request.POST else None, prefix="ward")
    if rename.is_bound and rename.is_valid():
        name = rename.cleaned_data["name"]
        if _saved(rename, site_services.site_rename, member=member, site=site, name=name):
            messages.success(request, f"Renamed the site to {name}.")
            return redirect("organisations:site_list", org_slug=org_slug)
    if add.is_bound and add.is_valid():
        name = add.cleaned_data["name"]
        if _saved(add, site_services.ward_create, member=member, site=site, name=name):
            messages.success(request, f"Added the ward {name} to {site.name}.")
            return redirect("organisations:site_list", org_slug=org_slug)
    context = {"site": site, "rename": rename, "add": add}
    return _render(request, "organisations/manage/site_edit.html", context)


@admin_only
@require_http_methods(["GET", "POST"])
def ward_edit(request, org_slug, ward_id):
    """Rename a ward or move it to another site."""
    ward = _ward(request, ward_id)
    form = WardForm(
        posted(request),
        organisation=request.organisation,
        initial={"name": ward.name, "site": ward.site_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        kwargs = {"member": request.membership, "ward": ward, **data}
        if _saved(form, site_services.ward_update, **kwargs):
            messages.success(request, f"Saved {data['name']} ({data['site'].name}).")
            return redirect("organisations:site_list", org_slug=org_slug)
    return _render(request, "organisations/manage/ward_edit.html", {"form": form, "ward": ward})


def _home_ward_count(ward: Ward) -> int:
    return Membership.objects.filter(
        organisation_id=ward.organisation_id, home_ward=ward, is_active=True
    ).count()


@admin_only
@require_http_methods(["GET", "POST"])
def ward_archive(request, org_slug, ward_id):
    """Confirm archiving a ward; its members' home ward moves first if they have it."""
    ward = _ward(request, ward_id)
    form = WardArchiveForm(posted(request), ward=ward)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["move_members_to"]
        kwargs = {"member": request.membership, "ward": ward, "move_members_to": target}
        if _saved(form, site_services.ward_archive, **kwargs):
            messages.success(request, f"{ward.name} is archived. Its history is kept.")
            return redirect("organisations:site_list", org_slug=org_slug)
    context = {"form": form, "ward": ward, "members": _home_ward_count(ward)}
    return _render(request, "organisations/manage/ward_archive.html", context)


@admin_only
@require_POST
def ward_restore(request, org_slug, ward_id):
    ward = _ward(request, ward_id)
    site_services.ward_restore(member=request.membership, ward=ward)
    messages.success(request, f"{ward.name} is in use again.")
    return redirect("organisations:site_list", org_slug=org_slug)


@admin_only
@require_http_methods(["GET", "POST"])
def ward_merge(request, org_slug, ward_id):
    """Choose the ward to merge into, confirm, merge. Choosing is a GET (?into=), so the
    confirmation page is the only POST."""
    ward = _ward(request, ward_id)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = WardMergeForm(data, ward=ward)
    confirm = form.is_valid()
    if request.method == "POST" and confirm:
        into = form.cleaned_data["into"]
        kwargs = {"member": request.membership, "merged": ward, "kept": into}
        if _saved(form, site_services.ward_merge, **kwargs):
            messages.success(request, f"{ward.name} is merged into {into.name} and archived.")
            return redirect("organisations:site_list", org_slug=org_slug)
    context = {"form": form, "ward": ward, "confirm": confirm and not form.errors}
    if context["confirm"]:
        context["into"] = form.cleaned_data["into"]
        context["members"] = _home_ward_count(ward)
    return _render(request, "organisations/manage/ward_merge.html", context)


@admin_only
@require_http_methods(["GET", "POST"])
def organisation_settings(request, org_slug):
    """The organisation's own settings and its sign-up email domains."""
    organisation = request.organisation
    member = request.membership
    form = OrganisationSettingsForm(
        posted(request) if "settings" in request.POST else None, instance=organisation
    )
    domain_form = SignupDomainForm(
        posted(request) if "add_domain" in request.POST else None, prefix="domain"
    )
    save = settings_services.organisation_settings_update
    if form.is_bound and form.is_valid() and _saved(form, save, member=member, **form.cleaned_data):
        messages.success(request, "Saved the organisation's settings.")
        return redirect("organisations:organisation_settings", org_slug=org_slug)
    if domain_form.is_bound and domain_form.is_valid():
        domain = domain_form.cleaned_data["domain"]
        if _saved(domain_form, settings_services.signup_domain_add, member=member, domain=domain):
            messages.success(request, "Added the domain. People there can now join by themselves.")
            return redirect("organisations:organisation_settings", org_slug=org_slug)
    context = {
        "form": form,
        "domain_form": domain_form,
        "domains": SignupDomain.objects.filter(organisation=organisation),
    }
    return _render(request, "organisations/manage/settings.html", context)


@admin_only
@require_POST
def signup_domain_remove(request, org_slug, domain_id):
    signup_domain = get_object_or_404(SignupDomain, organisation=request.organisation, pk=domain_id)
    settings_services.signup_domain_remove(member=request.membership, signup_domain=signup_domain)
    messages.success(request, f"Removed {signup_domain.domain}. Members from there stay members.")
    return redirect("organisations:organisation_settings", org_slug=org_slug)
