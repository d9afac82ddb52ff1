from django import forms

from improvewell.validators import measure_value, single_line
from organisations import permissions
from organisations.forms import wards_field
from projects.models import DriverNode, Measure, PDSACycle, Project, Stage
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
            empty_label="None",
            help_text="Ideas linked to the project. Leave the text empty to use the idea's title.",
            error_messages={"invalid_choice": "Choose an idea linked to this project."},
        )
        self.order_fields(["level", "parent", "text", "idea"])


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["name", "type", "unit", "direction", "description", "target"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "name": {"required": "Name the measure."},
            "unit": {"required": "Give the unit, for example minutes or %."},
            "target": {"invalid": "Enter the target as a number."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "unit"):
            self.fields[name].validators.append(single_line)
        self.fields["target"].validators.append(measure_value)


class PointForm(forms.Form):
    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the date.", "invalid": "Enter a real date."},
    )
    value = forms.FloatField(
        label="Value",
        validators=[measure_value],
        error_messages={"required": "Enter the value.", "invalid": "Enter the value as a number."},
    )


class PasteForm(forms.Form):
    data = forms.CharField(
        label="Paste from a spreadsheet",
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="One line per data point: the date, then the value. For example: 2026-03-01, 42",
        error_messages={"required": "Paste at least one line."},
    )


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
