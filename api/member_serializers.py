"""What the member and triage endpoints show: what the web's pages show, no more.

Anonymity: an idea's author only ever goes out as ideas.anonymity's label (through
api.serializers.IdeaSerializer), and every time about a person's ideas, notifications
and check-ins goes out as a day (`local_date`), never a time of day. Notifications say
read or unread, nothing about when; they carry no recipient (they are the caller's own).
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ideas.models import Kind
from triage.forms import STATUS_CHOICES

from .serializers import IdeaSerializer, NamedSerializer, local_date


class PlaceSerializer(NamedSerializer):
    """Where an idea is about, as the web shows it: its ward, else its site."""

    kind = serializers.CharField(help_text="ward or site")


@extend_schema_field(PlaceSerializer(allow_null=True))
class PlaceField(serializers.Field):
    def to_representation(self, idea):
        if idea.ward_id:
            return {"kind": "ward", "id": idea.ward_id, "name": idea.ward.name}
        if idea.site_id:
            return {"kind": "site", "id": idea.site_id, "name": idea.site.name}
        return None


class MyIdeaSerializer(serializers.Serializer):
    """A row of "My ideas": the caller's own idea, named or anonymous."""

    id = serializers.UUIDField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    status = serializers.CharField()
    place = PlaceField(source="*")
    is_anonymous = serializers.BooleanField()
    created_on = serializers.SerializerMethodField()
    unread = serializers.SerializerMethodField(help_text="Unread notifications about it.")

    @extend_schema_field(serializers.DateField())
    def get_created_on(self, idea):
        return local_date(idea.created_at)

    @extend_schema_field(serializers.IntegerField())
    def get_unread(self, idea) -> int:
        return idea.unread or 0


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    text = serializers.CharField()
    idea = serializers.UUIDField(source="idea_id")
    is_read = serializers.BooleanField()
    created_on = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateField())
    def get_created_on(self, notification):
        return local_date(notification.created_at)


class MarkedReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField(help_text="How many unread notifications this read.")


class TriagedIdeaSerializer(IdeaSerializer):
    """An idea as a triager sees it after a change: the board's fields and its team."""

    team = NamedSerializer(allow_null=True)


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    purpose = serializers.CharField()
    member_count = serializers.IntegerField()
    open_ideas = serializers.IntegerField()


class TeamMemberSerializer(serializers.Serializer):
    name = serializers.CharField(source="user")
    home_ward = NamedSerializer(allow_null=True)


class TeamStaffGroupSerializer(serializers.Serializer):
    staff_group = serializers.CharField()
    members = TeamMemberSerializer(many=True)


class TeamWardSerializer(NamedSerializer):
    site = NamedSerializer()


class TeamProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    stage = serializers.CharField()


class TeamDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    purpose = serializers.CharField()
    staff_groups = TeamStaffGroupSerializer(many=True)
    wards = TeamWardSerializer(many=True)
    projects = TeamProjectSerializer(many=True)


class PulseCheckInSerializer(serializers.Serializer):
    day = serializers.DateField()
    score = serializers.IntegerField()
    tags = serializers.ListField(
        child=serializers.CharField(), help_text="Keys of the organisation's pulse tags."
    )


class PulseTagSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="What a check-in sends and stores.")
    label = serializers.CharField(help_text="What the check-in shows.")


class PulseSummarySerializer(serializers.Serializer):
    """The caller's home ward in its latest published month, as the web shows after a
    check-in: no figure below the suppression threshold, never a check-in."""

    ward = NamedSerializer(allow_null=True)
    month = serializers.DateField(allow_null=True, help_text="The month's first day.")
    count = serializers.IntegerField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField(
        help_text="True when there is no figure to show: too few check-ins, or none yet."
    )
    threshold = serializers.IntegerField()


# Input: described here for the schema; checked by the web's own forms.


class StatusInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=STATUS_CHOICES)
    message = serializers.CharField(
        max_length=2000,
        required=False,
        help_text="To the person who shared it; required for not_taken_forward.",
    )


class TeamInputSerializer(serializers.Serializer):
    team = serializers.IntegerField(allow_null=True, help_text="A team's id, or null for none.")


class PulseInputSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text="Keys of tags the organisation offers now (GET pulse/tags/).",
    )
