from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from organisations.models import Role
from organisations.services import invitation_create
from organisations.tenancy import OrganisationCommand


class Command(OrganisationCommand):
    help = (
        "Invite someone to an organisation, for example its first admin: "
        "manage.py invite --org city-hospitals --email lead@city.nhs.uk --role org_admin"
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", choices=Role.values, default=Role.STAFF)

    def handle_organisation(self, organisation, *, email, role, **options):
        try:
            invitation = invitation_create(
                organisation=organisation, email=email, role=role, invited_by=None
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"Invited {invitation.email} to {organisation.name} as "
            f"{invitation.get_role_display()}. The email has been queued; the link is "
            f"/invitations/{invitation.token}/ and expires on {invitation.expires_at:%d %B %Y}."
        )
