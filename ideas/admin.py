from django.contrib import admin
from django.db.models.functions import TruncDate

from improvewell.admin import ImproveWellModelAdmin, ReadOnlyInline, ReadOnlyModelAdmin, day_of

from .models import Category, Comment, Idea, IdeaEvent, Notification, PulseCheckIn

# Ideas and everything that hangs off them are read-only here: they change only
# through ideas.services, which keep the workflow, the timeline, the notifications,
# the audit and the organisation checks. Anonymity: no screen, filter, search or
# sort reaches an author of an anonymous row, a token, a recipient, when something
# was read or emailed, or a time of day (only dates; sorting by date, not time).


def _newest_day_first(field="created_at"):
    return TruncDate(field).desc()


@admin.register(Category)
class CategoryAdmin(ImproveWellModelAdmin):
    list_display = ["name", "organisation", "position", "is_active"]
    list_filter = ["organisation", "is_active"]
    search_fields = ["name"]


class IdeaEventInline(ReadOnlyInline):
    model = IdeaEvent
    fields = ["type", "from_status", "to_status", "by", "message", "on"]
    readonly_fields = fields
    ordering = [TruncDate("created_at").asc(), "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("idea", "actor")

    @admin.display(description="by")
    def by(self, event):
        if event.actor is None:
            return "Anonymous" if event.idea.is_anonymous else "-"
        return event.actor

    @admin.display(description="date")
    def on(self, event):
        return day_of(event.created_at)


@admin.register(Idea)
class IdeaAdmin(ReadOnlyModelAdmin):
    list_display = ["title", "organisation", "kind", "status", "place", "shared_by", "shared_on"]
    list_filter = ["organisation", "kind", "status", "is_anonymous"]
    search_fields = ["title"]
    list_select_related = ["organisation", "ward", "site", "author"]
    ordering = [_newest_day_first(), "title"]
    fields = [
        "title",
        "description",
        "organisation",
        "kind",
        "status",
        "category",
        "ward",
        "site",
        "team",
        "merged_into",
        "shared_by",
        "shared_on",
        "first_response_on",
        "status_changed_on",
        "support_count",
        "comment_count",
    ]
    readonly_fields = fields
    inlines = [IdeaEventInline]

    @admin.display(description="ward or site")
    def place(self, idea):
        return idea.place or "-"

    @admin.display(description="shared by")
    def shared_by(self, idea):
        return "Anonymous" if idea.is_anonymous else (idea.author or "A former member of staff")

    @admin.display(description="date", ordering=TruncDate("created_at"))
    def shared_on(self, idea):
        return day_of(idea.created_at)

    @admin.display(description="first response")
    def first_response_on(self, idea):
        return day_of(idea.first_response_at)

    @admin.display(description="status changed")
    def status_changed_on(self, idea):
        return day_of(idea.status_changed_at)


@admin.register(Comment)
class CommentAdmin(ReadOnlyModelAdmin):
    list_display = ["idea", "organisation", "written_by", "written_on"]
    list_filter = ["organisation"]
    list_select_related = ["idea", "organisation", "author"]
    ordering = [_newest_day_first()]
    fields = ["idea", "organisation", "written_by", "written_on", "body"]
    readonly_fields = fields

    @admin.display(description="written by")
    def written_by(self, comment):
        if comment.by_anonymous_submitter:
            return "Submitter (anonymous)"
        return comment.author or "A former member of staff"

    @admin.display(description="date", ordering=TruncDate("created_at"))
    def written_on(self, comment):
        return day_of(comment.created_at)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyModelAdmin):
    list_display = ["text", "organisation", "type", "sent_on"]
    list_filter = ["organisation", "type"]
    list_select_related = ["organisation"]
    ordering = [_newest_day_first()]
    fields = ["idea", "organisation", "type", "text", "sent_on"]
    readonly_fields = fields

    @admin.display(description="date", ordering=TruncDate("created_at"))
    def sent_on(self, notification):
        return day_of(notification.created_at)


@admin.register(PulseCheckIn)
class PulseCheckInAdmin(ReadOnlyModelAdmin):
    list_display = ["day", "organisation", "ward", "score"]
    list_filter = ["organisation", "day"]
    list_select_related = ["organisation", "ward"]
    ordering = ["-day"]
    fields = ["day", "organisation", "ward", "score", "tags"]
    readonly_fields = fields
