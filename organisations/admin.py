from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from improvewell.admin import ImproveWellModelAdmin, SameOrganisationInline

from .models import Invitation, Membership, Organisation, SignupDomain, Site, Ward
from .onboarding import OnboardForm, organisation_onboard

# The admin runs with scopes disabled (see OrganisationMiddleware); it is the
# platform admins' cross-organisation view. The base classes refuse a relation to
# another organisation's rows and any lookup but the declared filters.


class SignupDomainInline(SameOrganisationInline):
    model = SignupDomain
    extra = 1


class SiteInline(SameOrganisationInline):
    model = Site
    extra = 0
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(ImproveWellModelAdmin):
    list_display = ["name", "slug", "ods_code", "suppression_threshold", "response_target_days"]
    search_fields = ["name", "slug", "ods_code", "signup_domains__domain"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SignupDomainInline, SiteInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    change_list_template = "admin/organisations/organisation/change_list.html"
    fieldsets = [
        (None, {"fields": ["name", "slug", "ods_code"]}),
        (
            "Ideas and reporting",
            {"fields": ["suppression_threshold", "response_target_days"]},
        ),
        (
            "Concerns",
            {
                "description": "Shown to staff sharing a concern: who to contact for anything "
                "urgent or about patient safety.",
                "fields": [
                    "urgent_response_target_days",
                    "speak_up_guardian_name",
                    "speak_up_guardian_contact",
                    "incident_reporting_url",
                ],
            },
        ),
    ]

    def get_urls(self):
        onboard = self.admin_site.admin_view(self.onboard_view)
        return [
            path("onboard/", onboard, name="organisations_organisation_onboard"),
            *super().get_urls(),
        ]

    def onboard_view(self, request):
        """Add an organisation with its sign-up domain and invite its first admin."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = OnboardForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            invitation = organisation_onboard(
                organisation=data["organisation"],
                domain=data["domain"],
                admin_email=data["admin_email"],
                by=request.user,
            )
            organisation = invitation.organisation
            self.log_addition(request, organisation, [{"added": {}}])
            messages.success(
                request,
                f"{organisation.name} was added. An invitation to be its admin was sent to "
                f"{invitation.email}.",
            )
            return redirect("admin:organisations_organisation_change", organisation.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Add organisation with first admin",
            "form": form,
            "opts": self.model._meta,
        }
        status = 400 if form.errors else 200
        return TemplateResponse(
            request, "admin/organisations/organisation/onboard.html", context, status=status
        )


@admin.register(Site)
class SiteAdmin(ImproveWellModelAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation"]


@admin.register(Ward)
class WardAdmin(ImproveWellModelAdmin):
    list_display = ["name", "site", "organisation", "is_active"]
    list_filter = ["organisation", "is_active"]
    search_fields = ["name", "site__name", "organisation__name"]
    list_select_related = ["organisation", "site"]
    autocomplete_fields = ["site"]


@admin.register(Membership)
class MembershipAdmin(ImproveWellModelAdmin):
    list_display = ["user", "organisation", "role", "profession", "home_ward", "is_active"]
    list_filter = ["organisation", "role", "profession", "is_active"]
    search_fields = ["user__email", "user__name", "organisation__name"]
    list_select_related = ["user", "organisation", "home_ward"]
    autocomplete_fields = ["user", "home_ward"]
    list_per_page = 100


@admin.register(Invitation)
class InvitationAdmin(ImproveWellModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at"]
    list_filter = ["organisation", "role"]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation"]
    readonly_fields = ["token", "accepted_at", "accepted_by", "email_sent_at", "created_at"]
    exclude = ["invited_by"]
