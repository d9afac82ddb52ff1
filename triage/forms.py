import re
import uuid

from django import forms
from django.db.models import Q

from ideas.models import TRANSITIONS, Category, Idea, Kind, Status
from improvewell.validators import single_line
from organisations import permissions
from organisations.forms import WardsField
from organisations.models import Site, Ward
from teams.models import Team

from .models import NAME_MAX, RoutingRule

# Every status but duplicate (a duplicate is made by merging): what a post may name. The
# workflow (ideas.models.TRANSITIONS, applied by ideas.services.idea_change_status) says
# which of them may follow an idea's status; the form offers only those.
STATUS_CHOICES = [(s.value, s.label) for s in Status if s != Status.DUPLICATE]


def moves_from(status: str) -> list[tuple[str, str]]:
    """The statuses the workflow lets an idea in `status` move to, as choices."""
    allowed = TRANSITIONS.get(status, set())
    return [(value, label) for value, label in STATUS_CHOICES if value in allowed]


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

    def __init__(self, *args, idea=None, status=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = f"id_idea-{idea.pk if idea is not None else ROW}_%s"
        # Offer only the workflow's moves; a post of another status (a page left open
        # while someone else moved the idea) is refused by the service, in its words.
        self.moves = moves_from(status or (idea.status if idea is not None else ""))
        self.fields["to_status"].widget.choices = self.moves

    @classmethod
    def for_every_row(cls, statuses) -> dict[str, str]:
        """The unbound form of an inbox row for each of these statuses, rendered once for a
        whole page: rows of one status differ only in their ids, which `for_idea` fills in
        (as formsets' __prefix__). Rendering it per row was most of the inbox's time
        (bench/README.md)."""
        return {s: str(cls(status=s)) for s in set(statuses) if moves_from(s)}


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


# The id in an idea's web address: /<org>/ideas/<id>/ or /<org>/triage/<id>/.
IDEA_ADDRESS = re.compile(r"/(?:ideas|triage)/([0-9a-fA-F-]{32,36})(?:/|$|\?|#)")


def idea_id_from(text: str):
    """The idea id in a pasted web address (or a bare id), else None."""
    text = text.strip()
    match = IDEA_ADDRESS.search(text)
    try:
        return uuid.UUID(match.group(1) if match else text)
    except ValueError:
        return None


class MergeForm(forms.Form):
    """The original idea is picked from the suggestions or a title search (`into`), or its
    web address is pasted (`address`); the service checks it may be merged into."""

    into = forms.UUIDField(
        label="The original idea",
        required=False,
        # Drawn as radios by triage/_merge_candidates.html; the error summary links to
        # their fieldset (id_into).
        widget=forms.TextInput,
        error_messages={"invalid": "Choose the original idea from the list."},
    )
    address = forms.CharField(
        label="Or paste the original idea's web address",
        max_length=300,
        required=False,
        help_text="Copy it from the address bar on the original idea's page.",
    )
    message = forms.CharField(
        label="Message to the person who shared it",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        address = data.get("address", "").strip()
        if address:
            data["into"] = idea_id_from(address)
            if data["into"] is None:
                self.add_error("address", "Paste the web address of an idea's page.")
        elif not data.get("into") and "into" not in self.errors:
            self.add_error("into", "Choose the original idea, or paste its web address.")
        return data


class _Choices(forms.ModelMultipleChoiceField):
    """Checkboxes of an organisation's rows; a forged or foreign id is a field error."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, queryset, *, label, noun, help_text="", **kwargs):
        super().__init__(queryset, label=label, required=False, help_text=help_text, **kwargs)
        self.error_messages["invalid_choice"] = f"Choose {noun} of this organisation."
        self.error_messages["invalid_pk_value"] = f"Choose {noun} of this organisation."


class RoutingRuleForm(forms.Form):
    """A routing rule. Offered: the organisation's teams, its active wards and categories,
    and whatever the rule already names (a ward archived since stays chosen)."""

    name = forms.CharField(
        label="Rule name",
        max_length=NAME_MAX,
        validators=[single_line],
        help_text="Shown on the triage page of each idea it routes, such as “Falls on Ward 7”.",
        error_messages={"required": "Enter a name for the rule."},
    )
    kinds = forms.MultipleChoiceField(
        label="Kinds",
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for every kind.",
        error_messages={"invalid_choice": "Choose kinds from the list."},
    )

    def __init__(self, *args, organisation, rule=None, **kwargs):
        super().__init__(*args, **kwargs)
        kept = {"wards": [], "categories": []}
        if rule is not None:
            kept = {
                "wards": [w.pk for w in rule.wards.all()],
                "categories": [c.pk for c in rule.categories.all()],
            }
        wards = Ward.objects.filter(organisation=organisation).select_related("site")
        self.fields["wards"] = WardsField(
            wards.filter(Q(is_active=True) | Q(pk__in=kept["wards"])),
            label="Wards",
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="Leave all unticked for ideas from any ward.",
        )
        self.fields["sites"] = _Choices(
            Site.objects.filter(organisation=organisation),
            label="Sites",
            noun="sites",
            help_text="Leave all unticked for any site. An idea that names only its site, "
            "not its ward, is matched by site alone.",
        )
        self.fields["categories"] = _Choices(
            Category.objects.filter(organisation=organisation).filter(
                Q(is_active=True) | Q(pk__in=kept["categories"])
            ),
            label="Categories",
            noun="categories",
            help_text="Leave all unticked for ideas in any category.",
        )
        self.fields["team"] = forms.ModelChoiceField(
            label="Send to team",
            queryset=Team.objects.filter(organisation=organisation),
            empty_label="Choose a team",
            error_messages={
                "required": "Choose the team that gets these ideas.",
                "invalid_choice": "Choose a team of this organisation.",
            },
        )
        self.order_fields(["name", "wards", "sites", "categories", "kinds", "team"])

    @classmethod
    def for_rule(cls, rule: RoutingRule, data=None):
        initial = {
            "name": rule.name,
            "wards": [w.pk for w in rule.wards.all()],
            "sites": [s.pk for s in rule.sites.all()],
            "categories": [c.pk for c in rule.categories.all()],
            "kinds": list(rule.kinds),
            "team": rule.team_id,
        }
        return cls(data, organisation=rule.organisation, rule=rule, initial=initial)


class RoutingTestForm(forms.Form):
    """Which rule an idea from this ward, in this category, would go by."""

    kind = forms.ChoiceField(label="Kind", choices=Kind.choices, initial=Kind.IDEA)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ward"] = forms.ModelChoiceField(
            label="Ward",
            queryset=Ward.objects.filter(organisation=organisation, is_active=True)
            .select_related("site")
            .order_by("site__name", "name"),
            required=False,
            empty_label="No ward named",
            error_messages={"invalid_choice": "Choose a ward of this organisation."},
        )
        self.fields["ward"].label_from_instance = lambda w: f"{w.name} ({w.site.name})"
        self.fields["category"] = forms.ModelChoiceField(
            label="Category",
            queryset=Category.objects.filter(organisation=organisation, is_active=True),
            empty_label="Choose a category",
            error_messages={
                "required": "Choose a category.",
                "invalid_choice": "Choose a category of this organisation.",
            },
        )
        self.order_fields(["ward", "category", "kind"])
