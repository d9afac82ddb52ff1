from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    context = {"require_mfa": settings.REQUIRE_MFA}
    membership = getattr(request, "membership", None)
    if membership is not None:
        from ideas.selectors import unread_notification_count

        # Counted only if the page shows it (the header does, on organisation pages).
        from teams.services import can_triage

        context["unread_notifications"] = SimpleLazyObject(
            lambda: unread_notification_count(membership)
        )
        context["can_triage"] = SimpleLazyObject(lambda: can_triage(membership))
    return context
