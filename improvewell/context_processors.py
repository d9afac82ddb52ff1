from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    context = {"require_mfa": settings.REQUIRE_MFA}
    membership = getattr(request, "membership", None)
    if membership is not None:
        from ideas.selectors import unread_notification_count
        from organisations.permissions import Permissions

        # Counted only if the page shows it (the header does, on organisation pages).
        context["unread_notifications"] = SimpleLazyObject(
            lambda: unread_notification_count(membership)
        )
        # The same predicates as the views and services, so the header offers only what works.
        context["may"] = Permissions(membership)
    return context
