from django.conf import settings


def site(request):
    return {"require_mfa": settings.REQUIRE_MFA}
