"""Webhooks in the platform admin: read-only, and never the signing secret."""

from django.contrib import admin

from improvewell.admin import ReadOnlyInline, ReadOnlyModelAdmin, day_of

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyModelAdmin):
    list_display = ["url", "organisation", "events", "disabled", "consecutive_failures"]
    list_filter = ["organisation", "disabled"]
    search_fields = ["url"]
    list_select_related = ["organisation"]
    fields = ["url", "description", "organisation", "events", "disabled", "consecutive_failures"]
    readonly_fields = fields


class WebhookAttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = ["number", "on", "status_code", "error"]
    readonly_fields = fields

    @admin.display(description="date")
    def on(self, attempt):
        return day_of(attempt.attempted_at)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyModelAdmin):
    list_display = ["event", "endpoint", "organisation", "state", "attempts", "last_status_code"]
    list_filter = ["organisation", "event", "state"]
    list_select_related = ["organisation", "endpoint"]
    fields = ["event", "endpoint", "organisation", "state", "attempts", "last_status_code", "on"]
    fields += ["payload"]
    readonly_fields = fields
    inlines = [WebhookAttemptInline]

    @admin.display(description="date")
    def on(self, delivery):
        return day_of(delivery.created_at)
