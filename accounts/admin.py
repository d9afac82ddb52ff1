from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied

from improvewell.admin import ImproveWellModelAdmin, ReadOnlyModelAdmin

from .models import User
from .services import user_password_reset_send

# No account takeover through the admin. A platform admin who could set a member's
# password, remove their two-factor authenticator or change their email address
# (and then reset the password) could sign in as them and read their "My ideas",
# anonymous ideas included. So passwords, email addresses, authenticators and
# sessions are read-only here; the admin can send a password reset email instead,
# which only the member can act on. People join by sign-up or invitation, and
# platform admins are created with `createsuperuser`, so users are not added here.


class UserAdminForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "is_active", "is_staff", "is_superuser", "groups"]


@admin.register(User)
class UserAdmin(ImproveWellModelAdmin, DjangoUserAdmin):
    form = UserAdminForm
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password_state"]}),
        ("Personal", {"fields": ["name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["email", "password_state", "last_login", "date_joined"]
    filter_horizontal = ["groups"]
    actions = ["send_password_reset"]

    def has_add_permission(self, request):
        return False

    def user_change_password(self, request, id, form_url=""):
        raise PermissionDenied

    @admin.display(description="password")
    def password_state(self, user):
        if not user.has_usable_password():
            return "Not set"
        return "Set. Only they can change it: send them a password reset email."

    @admin.action(description="Send a password reset email")
    def send_password_reset(self, request, queryset):
        sent = [user for user in queryset if user_password_reset_send(request=request, user=user)]
        if sent:
            self.message_user(request, f"Sent a password reset email to {len(sent)} people.")
        if len(sent) < len(queryset):
            self.message_user(
                request,
                "Inactive accounts got no email: reactivate them first.",
                level=messages.WARNING,
            )


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(ReadOnlyModelAdmin):
    list_display = ["email", "user", "primary", "verified"]
    list_filter = ["primary", "verified"]
    search_fields = ["email", "user__email", "user__name"]
    list_select_related = ["user"]
    fields = ["email", "user", "primary", "verified"]
    readonly_fields = fields


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyModelAdmin):
    # `data` holds the TOTP secret and recovery-code seed: never shown.
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__email", "user__name"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields


admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyModelAdmin):
    # The session key would let whoever reads it sign in as the person: never shown.
    list_display = ["user", "created_at", "last_seen_at", "ip", "user_agent"]
    search_fields = ["user__email", "user__name"]
    list_select_related = ["user"]
    fields = ["user", "created_at", "last_seen_at", "ip", "user_agent"]
    readonly_fields = fields
