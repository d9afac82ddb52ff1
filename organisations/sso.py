"""Single sign-on with Microsoft Entra ID (NHSmail): who it lets in, and its settings.

Each organisation's admins register their own app in their Entra ID directory and
enter it here; it is stored as an allauth `SocialApp` (provider "microsoft", settings
{"tenant": …}) linked to the organisation by `OrganisationSSO`. The rules:

- The app signs in only accounts of the organisation's own directory: the tenant is a
  GUID or a verified domain, never "common" or "organizations".
- An email address from Microsoft counts as verified only at a domain that this
  organisation lists for sign-up (`SignupDomain`, unique across organisations). A
  directory admin can give any account any `mail` value, so an address at someone
  else's domain proves nothing (the "nOAuth" takeover); at the organisation's own
  domains, its directory is the authority on who holds the address.
- With a verified address, an existing ImproveWell account with that address is
  connected (allauth's email authentication; allauth also wipes the password of an
  account whose address was never confirmed, so that whoever typed it in is locked out).
- A new person joins as staff on their first sign-in only when the organisation allows
  it. Anything else is refused with a page that says why; nobody is created.
- The client secret is encrypted with a key derived from SECRET_KEY before it is saved,
  and never shown again (changing SECRET_KEY means entering the secret again).
"""

import base64
import hashlib
import re
from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialApp
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from improvewell.rls import cross_organisation, tenant_scope

from .models import (
    Membership,
    Organisation,
    OrganisationSSO,
    Role,
    SignupDomain,
    domain_validator,
    normalise_domain,
)
from .signals import admin_action

PROVIDER = "microsoft"
# Where allauth's Microsoft provider sends people (an app's settings may say otherwise).
MICROSOFT_LOGIN = "https://login.microsoftonline.com"
# Which organisation's app the sign-in under way uses (set when it starts).
SESSION_KEY = "sso_organisation_id"
SEALED = "fernet:"

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TENANT_ERROR = (
    "Enter your directory's tenant ID (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47) "
    "or one of its verified domains (such as yourtrust.nhs.uk). "
    "“common” and “organizations” would let in any Microsoft account."
)
CLIENT_ID_ERROR = (
    "Enter the application (client) ID from the app's overview page in Entra ID, "
    "a GUID such as 0b5a8f5e-6f6c-4c7e-9d55-3f1c6a2b9e10."
)


def _fernet() -> Fernet:
    key = hashlib.sha256(b"improvewell.sso.client-secret:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal_secret(secret: str) -> str:
    return SEALED + _fernet().encrypt(secret.encode()).decode()


def open_secret(stored: str) -> str:
    """The client secret in clear, for the token request only; "" if it cannot be read."""
    if not stored.startswith(SEALED):
        return stored  # entered by a platform admin in /admin/
    try:
        return _fernet().decrypt(stored.removeprefix(SEALED).encode()).decode()
    except InvalidToken:
        return ""


def sso_for_organisation(organisation: Organisation) -> OrganisationSSO | None:
    with tenant_scope(organisation):
        return (
            OrganisationSSO.objects.select_related("app").filter(organisation=organisation).first()
        )


def enabled_sso(**lookup) -> OrganisationSSO | None:
    """The switched-on settings matching `lookup` (organisation_id=…, app=…, …)."""
    # Before sign-in no organisation is known: look across all of them.
    with cross_organisation():
        return (
            OrganisationSSO.objects.select_related("organisation", "app")
            .filter(is_enabled=True, **lookup)
            .first()
        )


def login_origins(found: OrganisationSSO | None = None) -> list[str]:
    """The sign-in servers a start page's form leads to, for its CSP `form-action`:
    the one of `found`, or of every switched-on organisation."""
    if found is not None:
        apps = [found.app]
    else:
        with cross_organisation():
            apps = list(
                SocialApp.objects.filter(organisation_sso__is_enabled=True).only("settings")
            )
    origins = set()
    for app in apps:
        url = urlsplit(app.settings.get("login_url", MICROSOFT_LOGIN))
        origins.add(f"{url.scheme}://{url.netloc}")
    return sorted(origins)


def sso_for_email(email: str) -> OrganisationSSO | None:
    """The switched-on settings of the organisation listing this email's domain."""
    domain = normalise_domain(email.rpartition("@")[2])
    return enabled_sso(organisation__signup_domains__domain=domain) if domain else None


def domain_is_listed(organisation: Organisation, email: str) -> bool:
    domain = normalise_domain((email or "").rpartition("@")[2])
    with tenant_scope(organisation):
        return SignupDomain.objects.filter(organisation=organisation, domain=domain).exists()


def _clean_tenant(tenant: str) -> str:
    tenant = (tenant or "").strip().lower()
    if GUID.fullmatch(tenant):
        return tenant
    try:
        domain_validator(tenant)
    except ValidationError:
        raise ValidationError({"tenant": TENANT_ERROR}) from None
    return tenant


def _clean_client_id(client_id: str) -> str:
    client_id = (client_id or "").strip().lower()
    if not GUID.fullmatch(client_id):
        raise ValidationError({"client_id": CLIENT_ID_ERROR})
    return client_id


@transaction.atomic
def sso_configure(
    *,
    organisation: Organisation,
    tenant: str,
    client_id: str,
    client_secret: str,
    is_enabled: bool,
    allow_signup: bool,
    by: Membership,
) -> OrganisationSSO:
    """An organisation admin (`by`) sets up or changes sign-in with NHSmail (Microsoft).

    An empty `client_secret` keeps the stored one; there must be one to switch it on.
    """
    tenant, client_id = _clean_tenant(tenant), _clean_client_id(client_id)
    current = sso_for_organisation(organisation)
    before = _described(current, secret_changed=False) if current else {}
    app = current.app if current else SocialApp(provider=PROVIDER)
    if client_secret:
        app.secret = seal_secret(client_secret.strip())
    elif is_enabled and not app.secret:
        raise ValidationError({"client_secret": "Enter the client secret's value."})
    app.provider_id = f"{PROVIDER}-{organisation.pk}"
    app.name = f"NHSmail for {organisation.name}"[:40]
    app.client_id = client_id
    # Hidden: never offered on allauth's own provider lists, only through our start page.
    app.settings = {**app.settings, "tenant": tenant, "hidden": True}
    app.save()
    with tenant_scope(organisation):
        sso, _ = OrganisationSSO.objects.update_or_create(
            organisation=organisation,
            defaults={"app": app, "is_enabled": is_enabled, "allow_signup": allow_signup},
        )
        after = _described(sso, secret_changed=bool(client_secret))
        admin_action.send(
            sender=OrganisationSSO,
            member=by,
            action="changed NHSmail sign-in settings",
            before=before,
            after=after,
        )
    return sso


def _described(sso: OrganisationSSO, *, secret_changed: bool) -> dict:
    """The settings for the audit trail: never the secret, only whether it changed."""
    return {
        "tenant": sso.app.settings.get("tenant", ""),
        "client_id": sso.app.client_id,
        "is_enabled": sso.is_enabled,
        "allow_signup": sso.allow_signup,
        "secret_changed": secret_changed,
    }


def may_sign_up(sso: OrganisationSSO, email: str) -> bool:
    """A person new to ImproveWell may join on their first sign-in."""
    return sso.allow_signup and domain_is_listed(sso.organisation, email)


@transaction.atomic
def sso_join(*, sso: OrganisationSSO, user) -> Membership | None:
    """Make someone who signed in through the organisation's directory its staff, if allowed.

    An existing membership is left as it is: a deactivated leaver stays deactivated.
    """
    if not may_sign_up(sso, user.email):
        return None
    with tenant_scope(sso.organisation):
        membership, _ = Membership.objects.get_or_create(
            organisation=sso.organisation, user=user, defaults={"role": Role.STAFF}
        )
    return membership
