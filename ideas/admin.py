from django.contrib import admin

from .models import Category, Comment, Idea, IdeaEvent, Notification, PulseCheckIn

# Anonymity: no admin screen shows who wrote an anonymous idea or comment. The
# submitter token is never displayed, and recipient tokens of notifications neither.


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "position", "is_active"]
    list_filter = ["organisation", "is_active"]
    search_fields = ["name"]


class IdeaEventInline(admin.TabularInline):
    model = IdeaEvent
    extra = 0
    fields = ["type", "from_status", "to_status", "actor", "message", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "kind", "status", "ward", "is_anonymous", "created_on"]
    list_filter = ["organisation", "kind", "status", "is_anonymous"]
    search_fields = ["title"]
    list_select_related = ["organisation", "ward"]
    exclude = ["submitter_token", "author"]
    readonly_fields = [
        "shared_by",
        "is_anonymous",
        "support_count",
        "comment_count",
        "created_on",
        "first_response_at",
        "status_changed_at",
    ]
    inlines = [IdeaEventInline]

    @admin.display(description="shared by")
    def shared_by(self, idea):
        return "Anonymous" if idea.is_anonymous else (idea.author or "A former member of staff")

    @admin.display(description="date", ordering="created_at")
    def created_on(self, idea):
        return idea.created_at.date()


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["idea", "written_by", "created_on"]
    list_filter = ["organisation"]
    list_select_related = ["idea", "author"]
    exclude = ["author"]
    readonly_fields = ["idea", "written_by", "by_anonymous_submitter", "created_on"]

    @admin.display(description="written by")
    def written_by(self, comment):
        if comment.by_anonymous_submitter:
            return "Submitter (anonymous)"
        return comment.author or "A former member of staff"

    @admin.display(description="date", ordering="created_at")
    def created_on(self, comment):
        return comment.created_at.date()


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["text", "organisation", "type", "created_on"]
    list_filter = ["organisation", "type"]
    exclude = ["recipient", "recipient_token"]
    readonly_fields = ["idea", "type", "text", "created_on"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="date", ordering="created_at")
    def created_on(self, notification):
        return notification.created_at.date()


@admin.register(PulseCheckIn)
class PulseCheckInAdmin(admin.ModelAdmin):
    list_display = ["day", "organisation", "ward", "score"]
    list_filter = ["organisation", "day"]
    exclude = ["day_token"]
