"""allauth's hooks for sign-in with NHSmail (Microsoft): organisations/sso.py has the rules.

allauth finds this through SOCIALACCOUNT_ADAPTER. Every organisation has its own
"microsoft" app; which one a sign-in uses is fixed when it starts (sso_views.sso_start)
and kept in the session until Microsoft sends the person back.
"""

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import Http404
from django.shortcuts import render

from . import sso


def refuse(request, reason: str, *, organisation=None, status=403):
    """End the sign-in with a page that says why (raised from inside allauth's flow)."""
    raise ImmediateHttpResponse(
        render(
            request,
            "organisations/sso_refused.html",
            {"reason": reason, "organisation": organisation},
            status=status,
        )
    )


REASONS = {
    "unverified": "Microsoft did not give us an email address at one of {org}'s email "
    "domains, so we cannot tell who you are here. Sign in with the account your "
    "organisation gave you, or with your email address and password.",
    "closed": "{org} has not turned on joining ImproveWell through NHSmail sign-in. Ask your "
    "organisation's ImproveWell administrator for an invitation.",
    "off": "Sign-in with NHSmail (Microsoft) is not switched on for this organisation. Sign in "
    "with your email address and password instead.",
}


def _chosen_sso(request):
    """The organisation settings of the sign-in under way, cached on the request."""
    if request is None:
        return None
    if not hasattr(request, "_sso"):
        organisation_id = request.session.get(sso.SESSION_KEY)
        request._sso = sso.enabled_sso(organisation_id=organisation_id) if organisation_id else None
    return request._sso


def _sso_of(sociallogin):
    app = sociallogin.provider.app
    return sso.enabled_sso(app_id=app.pk) if app is not None and app.pk else None


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        """Of the organisations' apps, only the one this sign-in started with.

        Asked by a specific `provider_id` ("microsoft-<id>", as a connected account
        is), allauth's own answer stands.
        """
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        if provider in (None, sso.PROVIDER):
            chosen = _chosen_sso(request) if provider else None
            apps = [
                a
                for a in apps
                if a.provider != sso.PROVIDER or (chosen is not None and a.pk == chosen.app_id)
            ]
        for app in apps:
            if app.provider == sso.PROVIDER:
                app.secret = sso.open_secret(app.secret)
        return apps

    def get_app(self, request, provider, client_id=None):
        """allauth's own start and return pages with no organisation chosen: 404, not 500."""
        if provider == sso.PROVIDER and _chosen_sso(request) is None:
            raise Http404("No sign-in with NHSmail (Microsoft) has been started.")
        return super().get_app(request, provider, client_id=client_id)

    def is_email_verified(self, provider, email):
        if provider.id != sso.PROVIDER or provider.app is None:
            return super().is_email_verified(provider, email)
        found = sso.enabled_sso(app_id=provider.app.pk)
        return found is not None and sso.domain_is_listed(found.organisation, email)

    def pre_social_login(self, request, sociallogin):
        """Refuse, with a page that says why, anyone the organisation does not let in."""
        if sociallogin.provider.id != sso.PROVIDER:
            return
        found = _sso_of(sociallogin)
        if found is None:
            refuse(request, REASONS["off"], status=404)
        name = found.organisation.name
        verified = [e.email for e in sociallogin.email_addresses if e.verified]
        if not verified:
            refuse(request, REASONS["unverified"].format(org=name), organisation=found.organisation)
        if sociallogin.is_existing:
            sso.sso_join(sso=found, user=sociallogin.user)
        elif not sso.may_sign_up(found, verified[0]):
            refuse(request, REASONS["closed"].format(org=name), organisation=found.organisation)

    def is_open_for_signup(self, request, sociallogin):
        if sociallogin.provider.id != sso.PROVIDER:
            return super().is_open_for_signup(request, sociallogin)
        found = _sso_of(sociallogin)
        return found is not None and sso.may_sign_up(found, sociallogin.user.email)

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        if not user.name:
            full = " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
            user.name = (sociallogin.account.extra_data.get("displayName") or full)[:150]
        user.email = (user.email or "").lower()
        return user

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form=form)
        found = _sso_of(sociallogin)
        if found is not None:
            sso.sso_join(sso=found, user=user)
        return user
