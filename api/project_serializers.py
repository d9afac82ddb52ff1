"""What the API shows of QI projects and of engagement figures.

Anonymity: a project's linked ideas go out as id, title and status only, never an
author (the project page shows no more), and dates go out as dates. Engagement figures
go out exactly as the dashboards' selectors suppressed them: null where hidden, with
the hidden names listed under `suppressed`.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.models import DriverNode, Stage

from .serializers import NamedSerializer, local_date


class LinkedIdeaSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    status = serializers.CharField()


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    aim = serializers.CharField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    team = NamedSerializer()
    wards = NamedSerializer(many=True, source="wards.all")
    start_date = serializers.DateField(allow_null=True)
    target_date = serializers.DateField(allow_null=True)
    idea_count = serializers.IntegerField()
    created_on = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateField())
    def get_created_on(self, project):
        return local_date(project.created_at)


class ProjectDetailSerializer(ProjectSerializer):
    ideas = LinkedIdeaSerializer(many=True, source="ideas.all")


class DriverNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    level = serializers.ChoiceField(choices=DriverNode.Level.choices)
    text = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    idea = LinkedIdeaSerializer(allow_null=True)


class DriverTreeSerializer(serializers.Serializer):
    """One box and the boxes that hang from it."""

    id = serializers.IntegerField(source="node.id")
    level = serializers.CharField(source="node.level")
    text = serializers.CharField(source="node.text")
    idea = LinkedIdeaSerializer(source="node.idea", allow_null=True)
    children = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_children(self, branch) -> list:
        return DriverTreeSerializer(branch["children"], many=True).data


class MeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    type = serializers.CharField()
    kind = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    description = serializers.CharField()
    target = serializers.FloatField(allow_null=True)
    rate_per = serializers.IntegerField(allow_null=True)
    denominator_name = serializers.CharField()
    point_count = serializers.IntegerField()


class PointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    value = serializers.FloatField()
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    note = serializers.CharField()


class SignalSerializer(serializers.Serializer):
    date = serializers.DateField()
    rules = serializers.ListField(child=serializers.CharField())


class ChartSerializer(serializers.Serializer):
    """The SPC chart the measure's kind chooses, in its latest phase (charts.spc)."""

    chart_type = serializers.CharField()
    enough_points = serializers.BooleanField()
    mean = serializers.FloatField(allow_null=True)
    upper_limit = serializers.FloatField(allow_null=True)
    lower_limit = serializers.FloatField(allow_null=True)
    variation = serializers.CharField(allow_null=True)
    assurance = serializers.CharField(allow_null=True)
    signals = SignalSerializer(many=True)


class MeasureDetailSerializer(MeasureSerializer):
    points = PointSerializer(many=True)
    charted = serializers.IntegerField()
    chart = ChartSerializer(allow_null=True)


class PDSASerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    change = serializers.CharField()
    prediction = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    do_notes = serializers.CharField()
    study_notes = serializers.CharField()
    act = serializers.CharField()
    act_notes = serializers.CharField()


class PointsAddedSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    points = PointSerializer(many=True)


# Input: described here for the schema; checked by the web's own forms (projects/forms.py)
# and services, so that the API and the pages cannot disagree about what is valid.


class ProjectInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160)
    aim = serializers.CharField(max_length=1000)
    team = serializers.IntegerField()
    wards = serializers.ListField(child=serializers.IntegerField(), required=False)
    ideas = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text="Ideas you triage, to link to the project (their submitters are told).",
    )
    start_date = serializers.DateField(required=False, allow_null=True)
    target_date = serializers.DateField(required=False, allow_null=True)


class ProjectPatchSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160, required=False)
    aim = serializers.CharField(max_length=1000, required=False)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    team = serializers.IntegerField(required=False)
    wards = serializers.ListField(child=serializers.IntegerField(), required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    target_date = serializers.DateField(required=False, allow_null=True)


class DriverNodeInputSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=DriverNode.Level.choices)
    parent = serializers.IntegerField(required=False, allow_null=True)
    text = serializers.CharField(max_length=300, required=False)
    idea = serializers.UUIDField(required=False, allow_null=True)


class MeasureInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=160)
    type = serializers.CharField(help_text="outcome, process or balancing")
    kind = serializers.CharField(
        required=False, help_text="measurement (the default), count, rate or percentage"
    )
    rate_per = serializers.IntegerField(required=False, allow_null=True)
    denominator_name = serializers.CharField(required=False, max_length=60)
    unit = serializers.CharField(max_length=40)
    direction = serializers.CharField(help_text="up or down: the direction of improvement")
    description = serializers.CharField(required=False, max_length=2000)
    target = serializers.FloatField(required=False, allow_null=True)


class PointInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    value = serializers.FloatField(required=False, help_text="A measurement or a count.")
    numerator = serializers.FloatField(required=False, help_text="A rate or percentage.")
    denominator = serializers.FloatField(required=False, help_text="A rate or percentage.")


class PointsInputSerializer(PointInputSerializer):
    date = serializers.DateField(required=False)
    points = PointInputSerializer(
        many=True, required=False, help_text="Several points, saved all or none."
    )


class PDSAInputSerializer(serializers.Serializer):
    change = serializers.CharField(max_length=300)
    prediction = serializers.CharField(max_length=2000)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    do_notes = serializers.CharField(required=False, max_length=2000)
    study_notes = serializers.CharField(required=False, max_length=2000)
    act = serializers.CharField(required=False)
    act_notes = serializers.CharField(required=False, max_length=2000)


class PDSAPatchSerializer(PDSAInputSerializer):
    change = serializers.CharField(max_length=300, required=False)
    prediction = serializers.CharField(max_length=2000, required=False)
    start_date = serializers.DateField(required=False)


# Engagement (dashboards.selectors) ------------------------------------------------------


class FiguresSerializer(serializers.Serializer):
    ideas = serializers.IntegerField()
    implemented = serializers.IntegerField()
    responded = serializers.IntegerField()
    overdue = serializers.IntegerField()
    answered_within_target = serializers.FloatField(allow_null=True)
    participation = serializers.FloatField(allow_null=True)
    contributors_30d = serializers.IntegerField(allow_null=True)
    active_members = serializers.IntegerField()
    suppressed = serializers.ListField(child=serializers.CharField())


class PulseSerializer(serializers.Serializer):
    month = serializers.DateField()
    count = serializers.IntegerField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField()


class WardFiguresSerializer(serializers.Serializer):
    ward = NamedSerializer()
    site = serializers.CharField()
    ideas = serializers.IntegerField()
    implemented = serializers.IntegerField()
    answered_within_target = serializers.FloatField(allow_null=True)
    contributors_30d = serializers.IntegerField(allow_null=True)
    active_members = serializers.IntegerField()
    participation = serializers.FloatField(allow_null=True)
    pulse = PulseSerializer(allow_null=True)
    suppressed = serializers.ListField(child=serializers.CharField())


class StaffGroupFiguresSerializer(serializers.Serializer):
    label = serializers.CharField()
    ideas = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()


class ScopeSerializer(serializers.Serializer):
    level = serializers.CharField(help_text="organisation, site or ward")
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class EngagementSerializer(serializers.Serializer):
    scope = ScopeSerializer()
    start = serializers.DateField()
    end = serializers.DateField()
    suppression_threshold = serializers.IntegerField()
    suppressed_as = serializers.CharField(help_text="How the dashboards word a hidden figure.")
    figures = FiguresSerializer()
    previous = FiguresSerializer()
    pulse = PulseSerializer(allow_null=True)
    wards = WardFiguresSerializer(many=True)
    staff_groups = StaffGroupFiguresSerializer(many=True)
