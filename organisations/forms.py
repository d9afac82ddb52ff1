from django import forms
from django.db import models

from .models import Membership, Organisation, Profession, Role, Ward

WARD_ERROR = "Choose a ward of this organisation."


class WardChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": WARD_ERROR}

    def label_from_instance(self, ward):
        return f"{ward.name} ({ward.site.name})"


def ward_field(organisation, *, label="Home ward"):
    return WardChoiceField(
        label=label,
        queryset=Ward.objects.filter(organisation=organisation, is_active=True).select_related(
            "site"
        ),
        required=False,
        empty_label="No home ward",
        help_text="Where you work most of the time.",
    )


class ProfileForm(forms.Form):
    profession = forms.ChoiceField(
        label="Staff group",
        choices=[("", "Choose your staff group"), *Profession.choices],
        required=False,
        help_text="Only ever shown as a count of people, to see which professions take part.",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_ward"] = ward_field(organisation)


class MemberForm(ProfileForm):
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        help_text="QI leads triage ideas and run projects; admins also manage staff and settings.",
    )
    field_order = ["role", "profession", "home_ward"]

    @classmethod
    def for_membership(cls, membership: Membership, data=None):
        return cls(
            data,
            organisation=membership.organisation,
            initial={
                "role": membership.role,
                "profession": membership.profession,
                "home_ward": membership.home_ward_id,
            },
        )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter the email address of the person to invite.",
            "invalid": "Enter an email address such as name@trust.nhs.uk.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.STAFF)


class MemberSearchForm(forms.Form):
    q = forms.CharField(label="Name or email", max_length=100, required=False)
    role = forms.ChoiceField(
        label="Role", choices=[("", "Any role"), *Role.choices], required=False
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Active and inactive"), ("active", "Active"), ("inactive", "Deactivated")],
        required=False,
    )


class WardsField(forms.ModelMultipleChoiceField):
    default_error_messages = {"invalid_choice": "Choose wards of this organisation."}

    def label_from_instance(self, ward):
        return f"{ward.name} ({ward.site.name})"


def wards_field(organisation, label="Wards covered"):
    return WardsField(
        label=label,
        # Archived wards leave the forms (organisations.site_services).
        queryset=Ward.objects.filter(organisation=organisation, is_active=True).select_related(
            "site"
        ),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def _https_by_default(field, **kwargs):
    """A link typed without a scheme is taken as https (Django 6's default too)."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ConcernSettingsForm(forms.ModelForm):
    """What a member raising a concern is shown, and how soon an urgent one is answered."""

    class Meta:
        model = Organisation
        formfield_callback = _https_by_default
        fields = [
            "speak_up_guardian_name",
            "speak_up_guardian_contact",
            "incident_reporting_url",
            "urgent_response_target_days",
        ]
        labels = {"urgent_response_target_days": "Response target for urgent concerns (days)"}
