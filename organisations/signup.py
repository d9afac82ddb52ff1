"""Signing up into an organisation: who may create an account, and when they join.

- An invitation admits only the exact address it was sent to. Following its link
  counts as proof of that address and of no other: a sign-up with the invited
  address is verified and joins with the role the inviter set; any other sign-up in
  that browser gains nothing from the link, which is forgotten at the first sign-up.
- Everyone else may sign up with an address at a domain an organisation lists, and
  joins that organisation only once allauth's mandatory email verification has
  confirmed that exact address.

allauth finds these through ACCOUNT_FORMS and ACCOUNT_ADAPTER in settings; the
receiver is connected in OrganisationsConfig.ready().
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.signals import email_confirmed
from allauth.core import context
from django import forms
from django.dispatch import receiver
from django.urls import reverse

from accounts.forms import SignupForm as UserSignupForm

from .models import Invitation
from .selectors import is_platform_admin_only
from .services import (
    InvitationError,
    invitation_accept,
    invitation_by_token,
    invitation_check,
    membership_join_by_domain,
    organisation_for_email,
)

INVITATION_SESSION_KEY = "invitation_token"

NO_ACCESS_MESSAGE = (
    "ImproveWell is open to staff of organisations that use it. Sign up with your work "
    "email address (for example name@yourtrust.nhs.uk), or ask your organisation's "
    "ImproveWell administrator to send you an invitation."
)


def invitation_remember(request, invitation: Invitation) -> None:
    """Keep the invitation a signed-out visitor followed until they sign up."""
    request.session[INVITATION_SESSION_KEY] = invitation.token


def pending_invitation(request) -> Invitation | None:
    """The invitation this visitor followed before signing up, if still usable."""
    token = request.session.get(INVITATION_SESSION_KEY) if request else None
    if not token:
        return None
    try:
        return invitation_check(invitation_by_token(token))
    except InvitationError:
        return None


def _is_invited(invitation: Invitation | None, email: str) -> bool:
    return invitation is not None and invitation.email.lower() == (email or "").lower()


class SignupForm(UserSignupForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        invitation = pending_invitation(context.request)
        if invitation is not None and not self.is_bound:
            self.fields["email"].initial = invitation.email

    def clean_email(self):
        email = super().clean_email()
        invited = _is_invited(pending_invitation(context.request), email)
        if not invited and organisation_for_email(email) is None:
            raise forms.ValidationError(NO_ACCESS_MESSAGE)
        return email

    def try_save(self, request):
        invitation = pending_invitation(request)
        user, response = super().try_save(request)
        # One sign-up per followed link, whether or not it used the invitation.
        request.session.pop(INVITATION_SESSION_KEY, None)
        if user is not None and _is_invited(invitation, user.email):
            try:
                invitation_accept(token=invitation.token, user=user)
            except InvitationError:
                # Withdrawn or used meanwhile; the address is still proven by the link.
                membership_join_by_domain(user=user)
        return user, response


class AccountAdapter(DefaultAccountAdapter):
    def add_message(self, request, level, message_template=None, *args, **kwargs):
        """One message, not two: following the confirmation link also signs the person in
        (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION), and "You have confirmed …" says enough."""
        if message_template == "account/messages/email_confirmed.txt":
            request.email_just_confirmed = True
        elif message_template == "account/messages/logged_in.txt" and getattr(
            request, "email_just_confirmed", False
        ):
            return
        super().add_message(request, level, message_template, *args, **kwargs)

    def get_login_redirect_url(self, request):
        """A platform admin who belongs to no organisation works in the admin."""
        if is_platform_admin_only(request.user):
            return reverse("admin:index")
        return super().get_login_redirect_url(request)

    def is_email_verified(self, request, email):
        """Only the address a followed invitation was sent to counts as verified."""
        return _is_invited(pending_invitation(request), email)


@receiver(email_confirmed, dispatch_uid="organisations_join_on_email_confirmed")
def join_by_domain_on_confirmation(sender, request, email_address, **kwargs):
    # A secondary address proves nothing about the one the person signed up with.
    if email_address.email.lower() == email_address.user.email.lower():
        membership_join_by_domain(user=email_address.user)
