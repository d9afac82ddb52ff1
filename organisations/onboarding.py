"""A platform admin adds an organisation and invites its first admin, in one step.

Until then a new trust exists only as a row; with an admin it runs itself (sites,
wards, staff, settings). The first admin gets the usual invitation (one use, their
address only) and so sets up their own account and two-factor authentication. The
audit app hears `organisation_onboarded` and records who did it.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal

from .models import Organisation, Role, SignupDomain, domain_validator, normalise_domain
from .services import invitation_create

# An organisation was added from the platform admin: `organisation=`, `invitation=`, `by=`.
organisation_onboarded = Signal()


class OnboardForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    slug = forms.CharField(
        label="Address",
        max_length=50,
        help_text="Appears in every address: /<address>/. For example city-hospitals.",
    )
    ods_code = forms.CharField(label="ODS code", max_length=10, required=False)
    domain = forms.CharField(
        label="Sign-up email domain",
        max_length=253,
        help_text="Staff with an address at this domain may join, for example trust.nhs.uk.",
    )
    admin_email = forms.EmailField(label="First admin's email address", max_length=254)

    def clean_domain(self):
        domain = normalise_domain(self.cleaned_data["domain"])
        domain_validator(domain)
        if SignupDomain.objects.filter(domain=domain).exists():
            raise ValidationError("Another organisation already lists this domain.")
        return domain

    def clean(self):
        data = super().clean()
        organisation = Organisation(
            name=data.get("name", ""),
            slug=data.get("slug", ""),
            ods_code=(data.get("ods_code") or "").strip().upper(),
        )
        try:
            organisation.full_clean()
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, error)
        data["organisation"] = organisation
        return data


@transaction.atomic
def organisation_onboard(*, organisation: Organisation, domain: str, admin_email: str, by):
    """Create the organisation (with its default categories), its sign-up domain and an
    invitation making `admin_email` its organisation admin. Returns the invitation."""
    organisation.save()
    SignupDomain.objects.create(organisation=organisation, domain=domain)
    invitation = invitation_create(
        organisation=organisation, email=admin_email, role=Role.ORG_ADMIN, invited_by=by
    )
    organisation_onboarded.send(
        sender=Organisation, organisation=organisation, invitation=invitation, by=by
    )
    return invitation
