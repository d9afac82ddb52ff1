from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator

from improvewell.validators import single_line

EMAIL_MAX_LENGTH = 254


class SignupForm(AllauthSignupForm):
    """allauth's sign-up with a name and a bounded email. Who may sign up, and which
    organisation they join, is decided in organisations/signup.py."""

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

    def try_save(self, request):
        if self.account_already_exists:
            # allauth answers a known address as it does a new one but skips the new
            # account's slow part, hashing the password: do that work anyway, so that
            # timing does not reveal who has an account (as Django's ModelBackend does).
            get_user_model()().set_password(self.cleaned_data["password1"])
        return super().try_save(request)

    def signup(self, request, user):
        user.name = self.cleaned_data.get("name", "").strip()
        user.save(update_fields=["name"])
