from django import forms

from improvewell.validators import measure_value, single_line
from organisations import permissions
from organisations.forms import wards_field
from projects import kinds
from projects.models import (
    CHANGE_LABEL_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    DriverNode,
    Measure,
    PDSACycle,
    Project,
    Stage,
)
from projects.paste import paste_help
from teams.models import Team


class ProjectForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=160,
        validators=[single_line],
        error_messages={"required": "Enter a title."},
    )
    aim = forms.CharField(
        label="Aim statement",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What will improve, by how much, for whom and by when. For example: reduce "
        "falls on Oak Ward by 30% by 31 March.",
        error_messages={"required": "Write the aim statement."},
    )
    start_date = forms.DateField(
        label="Start date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    target_date = forms.DateField(
        label="Target date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, member, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = member.organisation
        teams = Team.objects.filter(organisation=organisation)
        offered = permissions.teams_run_by(member, teams)
        if project is not None:  # its current team stays a choice
            offered = (offered | teams.filter(pk=project.team_id)).distinct()
        self.fields["team"] = forms.ModelChoiceField(
            label="Team",
            queryset=offered,
            empty_label="Choose a team",
            error_messages={
                "required": "Choose the team that runs the project.",
                "invalid_choice": "Choose one of the teams listed.",
            },
        )
        self.fields["wards"] = wards_field(organisation)
        order = ["title", "aim", "team", "wards", "start_date", "target_date"]
        if project is not None:
            self.fields["stage"] = forms.ChoiceField(label="Stage", choices=Stage.choices)
            order.insert(2, "stage")
        self.order_fields(order)

    @staticmethod
    def initial_from(ideas) -> dict:
        """A project started from ideas: the title of a single idea, the ideas' wards and
        the team they are assigned to, when they agree on one (the lead can change both)."""
        teams = {idea.team_id for idea in ideas}
        return {
            "title": ideas[0].title if len(ideas) == 1 else "",
            "wards": sorted({idea.ward_id for idea in ideas if idea.ward_id}),
            "team": teams.pop() if len(teams) == 1 else None,
        }

    @classmethod
    def for_project(cls, project: Project, data=None, *, member):
        return cls(
            data,
            member=member,
            project=project,
            initial={
                "title": project.title,
                "aim": project.aim,
                "stage": project.stage,
                "team": project.team_id,
                "wards": [w.pk for w in project.wards.all()],
                "start_date": project.start_date,
                "target_date": project.target_date,
            },
        )


class DriverNodeForm(forms.Form):
    level = forms.ChoiceField(label="Kind of box", choices=DriverNode.Level.choices)
    text = forms.CharField(label="Text", max_length=300, required=False, validators=[single_line])

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"] = forms.ModelChoiceField(
            label="Belongs to",
            queryset=DriverNode.objects.filter(project=project).exclude(
                level=DriverNode.Level.CHANGE
            ),
            required=False,
            empty_label="The aim (for a primary driver)",
            error_messages={"invalid_choice": "Choose a box of this diagram."},
        )
        self.fields["idea"] = forms.ModelChoiceField(
            label="Staff idea (for a change idea)",
            queryset=project.ideas.all(),
            required=False,
            empty_label="No linked staff idea",
            help_text="Ideas linked to the project. Leave the text empty to use the idea's title.",
            error_messages={"invalid_choice": "Choose an idea linked to this project."},
        )
        self.order_fields(["level", "parent", "text", "idea"])


class DriverNodeEditForm(forms.Form):
    """Changing one box in place: its text, and for a change idea its staff idea."""

    text = forms.CharField(
        label="Text",
        max_length=300,
        required=False,
        validators=[single_line],
        error_messages={"max_length": "Use 300 characters or fewer."},
    )

    def __init__(self, *args, node: DriverNode, **kwargs):
        kwargs.setdefault("initial", {"text": node.text, "idea": node.idea_id})
        kwargs.setdefault("prefix", f"node-{node.pk}")  # unique ids beside other boxes
        super().__init__(*args, **kwargs)
        self.fields["text"].label = f"What this {node.get_level_display().lower()} says"
        # Only a change idea may leave it empty, to take its staff idea's title.
        self.fields["text"].required = node.level != DriverNode.Level.CHANGE
        self.fields["text"].error_messages["required"] = "Write what this box says."
        if node.level == DriverNode.Level.CHANGE:
            self.fields["idea"] = forms.ModelChoiceField(
                label="Staff idea",
                queryset=node.project.ideas.all(),
                required=False,
                empty_label="No linked staff idea",
                help_text="Leave the text empty to use the idea's title.",
                error_messages={"invalid_choice": "Choose an idea linked to this project."},
            )


class MeasureForm(forms.ModelForm):
    rate_per = forms.TypedChoiceField(
        label="For a rate: per how many of the denominator",
        choices=[("", "Not a rate"), *kinds.RATE_PER_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Choose one of the rates listed."},
    )

    class Meta:
        model = Measure
        fields = [
            "name",
            "type",
            "kind",
            "rate_per",
            "denominator_name",
            "unit",
            "direction",
            "description",
            "target",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "kind": forms.RadioSelect}
        error_messages = {
            "name": {"required": "Name the measure."},
            "kind": {
                "required": "Choose what kind of data the measure records.",
                "invalid_choice": "Choose one of the kinds listed.",
            },
            "unit": {"required": "Give the unit, for example minutes or %."},
            "target": {"invalid": "Enter the target as a number."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "unit", "denominator_name"):
            self.fields[name].validators.append(single_line)
        self.fields["target"].validators.append(measure_value)
        # A form sent without a kind (an old page, a script) keeps the measure's own.
        self.fields["kind"].required = False
        self.fields["kind"].help_text = (
            "It chooses the SPC chart. A rate or percentage asks for a numerator and a "
            "denominator with each data point."
        )

    def clean(self):
        data = super().clean()
        if "kind" in data and not data["kind"]:
            data["kind"] = self.instance.kind if self.instance.pk else Measure.Kind.MEASUREMENT
        if "kind" in data:
            errors = kinds.measure_errors(
                kind=data["kind"],
                rate_per=data.get("rate_per"),
                denominator_name=data.get("denominator_name") or "",
            )
            for field, message in errors.items():
                if field not in self.errors:
                    self.add_error(field, message)
        return data


def _number_field(label: str, word: str) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        validators=[measure_value],
        error_messages={
            "required": f"Enter the {word}.",
            "invalid": f"Enter the {word} as a number.",
        },
    )


class PointForm(forms.Form):
    """One data point: a value, or for a rate or percentage a numerator and a denominator."""

    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the date.", "invalid": "Enter a real date."},
    )

    def __init__(self, *args, measure: Measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = measure.kind
        for name, label in kinds.column_names(measure).items():
            word = "count" if measure.kind == Measure.Kind.COUNT else name
            self.fields[name] = _number_field(label, word)

    def numbers(self) -> tuple:
        """The cleaned point as measure_points_add takes it."""
        data = self.cleaned_data
        return (data["date"], *(data[name] for name in kinds.columns(self.kind)))

    def clean(self):
        data = super().clean()
        names = kinds.columns(self.kind)
        if all(data.get(name) is not None for name in names):
            problems = kinds.point_errors(self.kind, {name: data[name] for name in names})
            for field, message in problems.items():
                self.add_error(field, message)
        return data


class PasteForm(forms.Form):
    data = forms.CharField(
        label="Paste from a spreadsheet",
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        error_messages={"required": "Paste at least one line."},
    )

    def __init__(self, *args, measure: Measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["data"].help_text = paste_help(measure.kind)


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Note",
        max_length=NOTE_MAX_LENGTH,
        required=False,
        validators=[single_line],
        help_text="Shown beside the point on the chart and in the table. Leave it empty to "
        "remove the note.",
        error_messages={"max_length": f"Use {NOTE_MAX_LENGTH} characters or fewer."},
    )


class ChangePointForm(forms.Form):
    date = forms.DateField(
        label="Date of the change",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The first data point on or after this date starts a new phase with its "
        "own limits.",
        error_messages={
            "required": "Enter the date of the change.",
            "invalid": "Enter a real date.",
        },
    )
    label = forms.CharField(
        label="Label",
        max_length=CHANGE_LABEL_MAX_LENGTH,
        required=False,
        validators=[single_line],
        help_text="A few words shown on the chart, for example “Second trolley”. Leave it empty "
        "to use the PDSA cycle's change.",
        error_messages={"max_length": f"Use {CHANGE_LABEL_MAX_LENGTH} characters or fewer."},
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"] = forms.ModelChoiceField(
            label="PDSA cycle",
            queryset=PDSACycle.objects.filter(project=project),
            required=False,
            empty_label="Not linked to a PDSA cycle",
            error_messages={"invalid_choice": "Choose a PDSA cycle of this project."},
        )
        self.fields["cycle"].label_from_instance = lambda c: f"PDSA {c.number}: {c.change}"
        self.order_fields(["date", "cycle", "label"])

    def clean(self):
        data = super().clean()
        if (
            not (data.get("label") or "").strip()
            and not data.get("cycle")
            and "label" not in self.errors
        ):
            self.add_error("label", "Give the change a short label, or choose its PDSA cycle.")
        return data


class PDSAForm(forms.ModelForm):
    class Meta:
        model = PDSACycle
        fields = [
            "change",
            "prediction",
            "start_date",
            "end_date",
            "do_notes",
            "study_notes",
            "act",
            "act_notes",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "prediction": forms.Textarea(attrs={"rows": 3}),
            "do_notes": forms.Textarea(attrs={"rows": 3}),
            "study_notes": forms.Textarea(attrs={"rows": 3}),
            "act_notes": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "change": {"required": "Describe the change you are testing."},
            "prediction": {"required": "Write what you predict will happen."},
            "start_date": {"required": "Enter the start date.", "invalid": "Enter a real date."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change"].validators.append(single_line)
        # Words for people, not Django's "---------": the act may not be decided yet.
        self.fields["act"].choices = [("", "Not decided yet"), *PDSACycle.Act.choices]
        self.fields["act"].help_text = "Choose adopt, adapt or abandon once the study is done."


class LinkIdeaForm(forms.Form):
    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        projects = Project.objects.filter(organisation=member.organisation).exclude(
            stage__in=[Stage.COMPLETE, Stage.STOPPED]
        )
        self.fields["project"] = forms.ModelChoiceField(
            label="QI project",
            queryset=permissions.editable_projects(member, projects),
            empty_label="Choose a project",
            error_messages={
                "required": "Choose a project.",
                "invalid_choice": "Choose a project that you can change.",
            },
        )


class ProjectUpdateForm(forms.Form):
    text = forms.CharField(
        label="Post an update",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone whose idea is part of this project is told.",
        error_messages={
            "required": "Write the update.",
            "max_length": "Updates must be 2000 characters or fewer.",
        },
    )
