from django import forms

from improvewell.validators import single_line
from organisations.forms import wards_field
from organisations.models import Membership
from teams.models import Team


class TeamForm(forms.Form):
    name = forms.CharField(
        label="Team name",
        max_length=120,
        validators=[single_line],
        error_messages={"required": "Enter a name for the team."},
    )
    purpose = forms.CharField(
        label="Purpose", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    member_emails = forms.CharField(
        label="Members",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text="Work email addresses, one per line. Aim for a mix of professions.",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["wards"] = wards_field(organisation)
        self.order_fields(["name", "purpose", "member_emails", "wards"])

    def clean_member_emails(self):
        emails = []
        for line in self.cleaned_data["member_emails"].replace(",", "\n").splitlines():
            if line.strip():
                emails.append(line.strip().lower())
        if len(emails) > 200:
            raise forms.ValidationError("A team can have at most 200 members.")
        members = list(
            Membership.objects.filter(
                organisation=self.organisation, is_active=True, user__email__in=emails
            ).select_related("user")
        )
        found = {m.user.email.lower() for m in members}
        missing = [e for e in emails if e not in found]
        if missing:
            raise forms.ValidationError(
                "These are not staff of this organisation on ImproveWell: "
                + ", ".join(missing[:10])
                + ("…" if len(missing) > 10 else "")
            )
        return members

    @classmethod
    def for_team(cls, team: Team, data=None):
        return cls(
            data,
            organisation=team.organisation,
            initial={
                "name": team.name,
                "purpose": team.purpose,
                "member_emails": "\n".join(
                    m.user.email for m in team.members.select_related("user")
                ),
                "wards": [w.pk for w in team.wards.all()],
            },
        )
