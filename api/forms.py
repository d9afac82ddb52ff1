from django import forms

from .models import Scope

LIFETIMES = [(30, "30 days"), (90, "90 days"), (180, "6 months"), (365, "1 year")]


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        help_text="What the token is for, such as “Ward dashboard in Power BI”.",
        max_length=80,
        error_messages={"required": "Enter a name for the token."},
    )
    organisation = forms.TypedChoiceField(
        label="Organisation",
        coerce=int,
        help_text="The token works for this organisation only.",
        error_messages={
            "required": "Choose an organisation.",
            "invalid_choice": "Choose one of your organisations.",
        },
    )
    scope = forms.ChoiceField(
        label="Access",
        choices=Scope.choices,
        initial=Scope.READ,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the token may do."},
    )
    expires_in = forms.TypedChoiceField(
        label="Expires after",
        choices=LIFETIMES,
        coerce=int,
        initial=90,
        error_messages={"required": "Choose when the token expires."},
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [
            (m.organisation_id, m.organisation.name) for m in memberships
        ]
