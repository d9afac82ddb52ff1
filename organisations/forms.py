from django import forms
from django.db import models

from . import staff_csv
from .models import ImportJob, Membership, Organisation, Profession, Role, Ward
from .staff_services import ACTIONS, MAX_MEMBERS_AT_ONCE

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
    def for_membership(cls, membership: Membership, data=None, *, editor=None):
        """`editor` is the admin's user: the labels speak of "their" staff group and
        ward unless the admin is changing their own membership."""
        form = cls(
            data,
            organisation=membership.organisation,
            initial={
                "role": membership.role,
                "profession": membership.profession,
                "home_ward": membership.home_ward_id,
            },
        )
        if editor is None or editor.pk != membership.user_id:
            form.fields["profession"].label = "Their staff group"
            form.fields["profession"].choices = [
                ("", "Choose their staff group"),
                *Profession.choices,
            ]
            form.fields["home_ward"].label = "Their home ward"
            form.fields["home_ward"].help_text = "Where they work most of the time."
        return form


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
    """The staff list's filters; the CSV export and the bulk change keep them."""

    q = forms.CharField(label="Name or email", max_length=100, required=False)
    role = forms.ChoiceField(
        label="Role", choices=[("", "Any role"), *Role.choices], required=False
    )
    profession = forms.ChoiceField(
        label="Staff group", choices=[("", "Any staff group"), *Profession.choices], required=False
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[("", "Active and deactivated"), ("active", "Active"), ("inactive", "Deactivated")],
        required=False,
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_ward"] = WardChoiceField(
            label="Home ward",
            # Archived wards too: people may still have one as their home ward.
            queryset=Ward.objects.filter(organisation=organisation).select_related("site"),
            required=False,
            empty_label="Any home ward",
        )
        self.order_fields(["q", "role", "profession", "home_ward", "status"])

    def filters(self) -> dict:
        """The valid filters as keywords of organisations.selectors.member_list."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "query": data["q"].strip(),
            "role": data["role"],
            "profession": data["profession"],
            "home_ward": data["home_ward"],
            "status": data["status"],
        }


class MembersField(forms.Field):
    """The ticked members' ids (checkboxes named `member`)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": "Choose at least one person from the list.",
        "invalid": "Choose people from the list.",
    }

    def to_python(self, value):
        if not value:
            return []
        try:
            ids = list(dict.fromkeys(int(v) for v in value))
        except (TypeError, ValueError):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if len(ids) > MAX_MEMBERS_AT_ONCE:
            raise forms.ValidationError(
                f"Choose at most {MAX_MEMBERS_AT_ONCE} people at once.", code="too_many"
            )
        return ids


class MemberBulkForm(forms.Form):
    """One change for many members: chosen on the staff list, confirmed on the next page."""

    member = MembersField()
    action = forms.ChoiceField(
        label="Change for the people ticked",
        choices=[("", "Choose a change"), *ACTIONS.items()],
        error_messages={"required": "Choose what to change for the people you ticked."},
    )
    back = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


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


class SSOSettingsForm(forms.Form):
    """Sign-in with NHSmail (Microsoft). The rules live in organisations/sso.py."""

    is_enabled = forms.BooleanField(
        label="Let members sign in with NHSmail (Microsoft)", required=False
    )
    tenant = forms.CharField(
        label="Directory (tenant) ID",
        max_length=253,
        help_text="From the app's overview page in Entra ID: a GUID, or a verified domain "
        "of your directory such as yourtrust.nhs.uk.",
    )
    client_id = forms.CharField(
        label="Application (client) ID",
        max_length=36,
        help_text="From the app's overview page in Entra ID.",
    )
    client_secret = forms.CharField(
        label="Client secret value",
        max_length=255,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted and never shown again. Leave empty to keep the one saved.",
    )
    allow_signup = forms.BooleanField(
        label="Let people join on their first sign-in",
        required=False,
        help_text="Only people whose verified email address is at one of the organisation's "
        "sign-up domains; they join as staff.",
    )


class SSOStartForm(forms.Form):
    email = forms.EmailField(
        label="Your work email address",
        max_length=254,
        help_text="For example name@yourtrust.nhs.uk.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class StaffImportForm(forms.Form):
    """A staff CSV and what to do with it. A file that cannot be read at all is a field
    error here; problems with single rows are the dry run's (organisations.staff_import)."""

    TOO_LARGE = "The file is larger than 5 MB. Split it into smaller files."

    @classmethod
    def too_large(cls):
        """The empty form with the size refusal beside the file: for an upload refused
        from its stated length, whose body is never read (organisations.import_views)."""
        form = cls()
        form.cleaned_data = {}
        form.add_error("file", cls.TOO_LARGE)
        return form

    file = forms.FileField(
        label="CSV file",
        help_text="Up to 5 MB and 30,000 people. Save a spreadsheet as “CSV UTF-8”.",
        error_messages={
            "required": "Choose a CSV file of staff to import.",
            "empty": "The file is empty. Choose a CSV file with a header row and staff.",
        },
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )
    mode = forms.ChoiceField(
        label="What should the import do?",
        choices=ImportJob.Mode.choices,
        initial=ImportJob.Mode.CREATE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to create accounts or send invitations."},
    )

    def clean(self):
        cleaned = super().clean()
        upload, mode = cleaned.get("file"), cleaned.get("mode")
        if upload is None or mode is None:
            return cleaned
        if upload.size > staff_csv.MAX_BYTES:
            self.add_error("file", self.TOO_LARGE)
            return cleaned
        try:
            text = staff_csv.decode(upload.read())
            staff_csv.read(text, need_name=mode == ImportJob.Mode.CREATE)
        except staff_csv.ImportFileError as exc:
            self.add_error("file", str(exc))
        else:
            cleaned["text"] = text
        return cleaned
