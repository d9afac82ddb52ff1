from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.core.validators import MaxLengthValidator

EMAIL_MAX_LENGTH = 254


class SignupForm(AllauthSignupForm):
    """allauth's sign-up with a name and a bounded email. Who may sign up, and which
    organisation they join, is decided in organisations/signup.py."""

    name = forms.CharField(
        label="Full name",
        max_length=150,
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

    def signup(self, request, user):
        user.name = self.cleaned_data.get("name", "").strip()
        user.save(update_fields=["name"])
