from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.core import context
from django import forms
from django.core.validators import MaxLengthValidator

from improvewell.validators import single_line
from organisations.services import (
    InvitationError,
    invitation_accept,
    invitation_by_token,
    invitation_check,
    membership_join_by_domain,
    organisation_for_email,
)

INVITATION_SESSION_KEY = "invitation_token"
EMAIL_MAX_LENGTH = 254

NO_ACCESS_MESSAGE = (
    "ImproveWell is open to staff of organisations that use it. Sign up with your work "
    "email address (for example name@yourtrust.nhs.uk), or ask your organisation's "
    "ImproveWell administrator to send you an invitation."
)


def pending_invitation(request):
    """The invitation this visitor followed before signing up, if still usable."""
    token = request.session.get(INVITATION_SESSION_KEY) if request else None
    if not token:
        return None
    try:
        return invitation_check(invitation_by_token(token))
    except InvitationError:
        return None


class SignupForm(AllauthSignupForm):
    name = forms.CharField(
        label="Full name",
        max_length=150,
        validators=[single_line],
        required=False,
        help_text="Shown to your colleagues on what you share, unless you post anonymously.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = ["name", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # allauth's field has no length limit; the database column holds 254.
        email = self.fields["email"]
        email.max_length = EMAIL_MAX_LENGTH
        email.validators.append(MaxLengthValidator(EMAIL_MAX_LENGTH))
        email.widget.attrs["maxlength"] = str(EMAIL_MAX_LENGTH)
        invitation = pending_invitation(context.request)
        if invitation is not None and not self.is_bound:
            self.fields["email"].initial = invitation.email

    def clean_email(self):
        email = super().clean_email()
        invitation = pending_invitation(context.request)
        invited = invitation is not None and invitation.email.lower() == email.lower()
        if not invited and organisation_for_email(email) is None:
            raise forms.ValidationError(NO_ACCESS_MESSAGE)
        return email

    def signup(self, request, user):
        user.name = self.cleaned_data.get("name", "").strip()
        user.save(update_fields=["name"])
        invitation = pending_invitation(request)
        if invitation is not None and invitation.email.lower() == user.email.lower():
            try:
                invitation_accept(token=invitation.token, user=user)
            except InvitationError:
                membership_join_by_domain(user=user)
            request.session.pop(INVITATION_SESSION_KEY, None)
        else:
            membership_join_by_domain(user=user)
