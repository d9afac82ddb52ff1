"""Forms of the organisation admin's sites, wards and settings screens. They check the
shape of the input; the services (site_services, settings_services) own the rules."""

from django import forms

from .forms import WardChoiceField
from .models import MIN_SUPPRESSION_THRESHOLD, Organisation, Site, Ward


class NameForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120)


class SiteChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": "Choose one of this organisation's sites."}


class WardForm(forms.Form):
    name = forms.CharField(label="Ward name", max_length=120)
    site = SiteChoiceField(label="Site", queryset=Site.objects.none(), empty_label=None)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.filter(organisation=organisation)


def _active_wards(organisation_id, *, exclude: Ward):
    return (
        Ward.objects.filter(organisation_id=organisation_id, is_active=True)
        .exclude(pk=exclude.pk)
        .select_related("site")
    )


class WardArchiveForm(forms.Form):
    move_members_to = WardChoiceField(
        label="Move their home ward to",
        queryset=Ward.objects.none(),
        required=False,
        empty_label="Choose a ward",
    )

    def __init__(self, *args, ward, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["move_members_to"].queryset = _active_wards(ward.organisation_id, exclude=ward)


class WardMergeForm(forms.Form):
    into = WardChoiceField(
        label="Merge into", queryset=Ward.objects.none(), empty_label="Choose a ward"
    )

    def __init__(self, *args, ward, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = _active_wards(ward.organisation_id, exclude=ward)
        self.fields["into"].error_messages["required"] = "Choose the ward to merge into."


class OrganisationSettingsForm(forms.ModelForm):
    # The model's field allows any positive number and says so in Django's words; the
    # form asks for what the model's own validators will accept, in plain English.
    suppression_threshold = forms.IntegerField(
        label="Smallest group shown in breakdowns",
        min_value=MIN_SUPPRESSION_THRESHOLD,
        max_value=100,
        help_text="Groups of fewer people show “fewer than N”, so that nobody can be picked "
        f"out. At least {MIN_SUPPRESSION_THRESHOLD}.",
        error_messages={
            "required": f"Enter {MIN_SUPPRESSION_THRESHOLD} or more.",
            "invalid": "Enter a whole number.",
            "min_value": f"Enter {MIN_SUPPRESSION_THRESHOLD} or more: smaller groups could "
            "identify people.",
            "max_value": "Enter 100 or fewer.",
        },
    )
    response_target_days = forms.IntegerField(
        label="Response target (days)",
        min_value=1,
        max_value=90,
        help_text="How soon every idea should have its first response.",
        error_messages={
            "required": "Enter a number of days from 1 to 90.",
            "invalid": "Enter a whole number of days.",
            "min_value": "Enter a number of days from 1 to 90.",
            "max_value": "Enter a number of days from 1 to 90.",
        },
    )

    class Meta:
        model = Organisation
        fields = ["name", "suppression_threshold", "response_target_days", "pulse_enabled"]
        labels = {
            "name": "Organisation name",
            "pulse_enabled": "Ask members “How was your shift?” (pulse check-ins)",
        }
        error_messages = {"name": {"required": "Enter the organisation's name."}}

    def _post_clean(self):
        # The organisation's own rules are checked once, by the service
        # (settings_services); its errors come back beside these fields.
        pass


class SignupDomainForm(forms.Form):
    domain = forms.CharField(
        label="Email domain",
        max_length=253,
        help_text="For example trust.nhs.uk. People with a verified address there can join "
        "as staff by themselves.",
    )
