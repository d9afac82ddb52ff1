"""What the API shows. Anonymity: an idea's or a comment's author only ever goes out
through ideas.anonymity's labels, the same ones the web pages show, and dates go out
as dates, as the pages show them (docs/anonymity.md)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ideas import anonymity
from ideas.models import COMMENT_MAX, DESCRIPTION_MAX, TITLE_MAX, Kind


def local_date(moment):
    return timezone.localdate(moment) if moment else None


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MembershipSerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.slug")
    organisation_name = serializers.CharField(source="organisation.name")
    role = serializers.CharField()


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    is_active = serializers.BooleanField()


class SiteSerializer(NamedSerializer):
    pass


class WardSerializer(NamedSerializer):
    site = NamedSerializer()
    is_active = serializers.BooleanField()


class IdeaSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField()
    category = NamedSerializer()
    ward = NamedSerializer(allow_null=True)
    site = NamedSerializer(allow_null=True)
    is_anonymous = serializers.BooleanField()
    is_urgent = serializers.BooleanField()
    author = serializers.SerializerMethodField()
    support_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    created_on = serializers.SerializerMethodField()
    supported = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_author(self, idea) -> str:
        return anonymity.author_label(idea)

    @extend_schema_field(serializers.DateField())
    def get_created_on(self, idea):
        return local_date(idea.created_at)

    @extend_schema_field(serializers.BooleanField())
    def get_supported(self, idea) -> bool:
        return idea.pk in self.context.get("supported", ())


class CommentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    body = serializers.CharField()
    author = serializers.SerializerMethodField()
    created_on = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_author(self, comment) -> str:
        return anonymity.comment_author_label(comment)

    @extend_schema_field(serializers.DateField())
    def get_created_on(self, comment):
        return local_date(comment.created_at)


# Input: described here for the schema; checked by the web's own forms (api/views.py),
# so that the API and the pages cannot disagree about what is valid.


class IdeaInputSerializer(serializers.Serializer):
    submission_id = serializers.UUIDField(
        help_text="Your id for this submission: sending it again returns the same idea."
    )
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField(max_length=TITLE_MAX)
    description = serializers.CharField(max_length=DESCRIPTION_MAX)
    category = serializers.IntegerField()
    ward = serializers.IntegerField(required=False, allow_null=True)
    place = serializers.ChoiceField(
        choices=["ward", "site", "nowhere"],
        required=False,
        help_text="For an anonymous idea on a small ward: name the ward, its site or nowhere.",
    )
    anonymous = serializers.BooleanField(required=False, default=False)
    urgent = serializers.BooleanField(required=False, default=False)


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_MAX)


class SupportSerializer(serializers.Serializer):
    supported = serializers.BooleanField()
    support_count = serializers.IntegerField()
