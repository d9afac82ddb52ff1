from django import forms

from ideas.models import Idea, Status
from organisations import permissions
from teams.models import Team

STATUS_CHOICES = [(s.value, s.label) for s in Status if s != Status.DUPLICATE]


# Stands for the idea's id in the inbox rows' shared status form.
ROW = "__idea__"


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label="New status", choices=STATUS_CHOICES)
    message = forms.CharField(
        label="Message to the person who shared it",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when it is not taken forward.",
    )

    def __init__(self, *args, idea=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_idea-{idea.pk if idea is not None else ROW}_%s"

    @classmethod
    def for_every_row(cls) -> str:
        """The unbound form of an inbox row, rendered once for a whole page: rows differ
        only in their ids, which `idea_status_form` fills in (as formsets' __prefix__).
        Rendering it per row was most of the inbox's time (bench/README.md)."""
        return str(cls(idea=None))


class BulkTriageForm(forms.Form):
    ideas = forms.ModelMultipleChoiceField(
        queryset=Idea.objects.none(),
        error_messages={"required": "Select at least one idea."},
    )
    action = forms.ChoiceField(
        choices=[("assign", "Assign to team"), ("review", "Move to under review")]
    )

    def __init__(self, *args, organisation, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ideas"].queryset = permissions.triageable_ideas(
            member, Idea.objects.filter(organisation=organisation)
        )
        self.fields["ideas"].error_messages["invalid_choice"] = "Select ideas from your inbox."
        self.fields["team"] = forms.ModelChoiceField(
            label="Team",
            queryset=Team.objects.filter(organisation=organisation),
            required=False,
            empty_label="Choose a team",
        )

    def clean(self):
        data = super().clean()
        if data.get("action") == "assign" and not data.get("team"):
            self.add_error("team", "Choose the team to assign the ideas to.")
        return data


class AssignTeamForm(forms.Form):
    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"] = forms.ModelChoiceField(
            label="Team",
            queryset=Team.objects.filter(organisation=organisation),
            required=False,
            empty_label="No team",
        )


class MergeForm(forms.Form):
    into = forms.UUIDField(
        label="Reference of the original idea",
        help_text="The long reference at the end of the original idea's web address.",
        error_messages={"invalid": "Enter the idea's reference, as in its web address."},
    )
    message = forms.CharField(
        label="Message to the person who shared it",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
