"""Seed the local demo: two organisations with sites, wards, staff of every staff group,
ideas in every status with comments and supports, and weeks of shift check-ins.

Idempotent: running it again creates nothing new and changes nothing.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from api.demo import seed_tokens
from audit.demo import seed_audit
from dashboards.rollup import rollup_range
from ideas.demo import seed_ideas
from ideas.former_member_demo import seed_leaver
from ideas.pulse_demo import seed_pulse
from improvewell.rls import cross_organisation, tenant_scope
from organisations.demo import seed_invitations, seed_sso, seed_staff_imports
from organisations.models import (
    Membership,
    Organisation,
    Profession,
    Role,
    SignupDomain,
    Site,
    Ward,
)
from projects.demo import seed_projects
from teams.demo import seed_teams
from triage.demo import assign_ideas, seed_routing
from webhooks.demo import seed_webhooks

DASHBOARD_DAYS = 84
DEMO_PASSWORD = "improvewell-demo"  # noqa: S105 (published demo login, local only)

DEMO_TRUST = {
    "slug": "demo-trust",
    "name": "Demo NHS Foundation Trust",
    "ods_code": "RDE",
    "domain": "demo-trust.nhs.uk",
    # Who staff raising a concern are told to contact now (the other trust has none set).
    "concern_contacts": {
        "speak_up_guardian_name": "Grace Okafor",
        "speak_up_guardian_contact": "extension 4455 or speakup@demo-trust.nhs.uk",
        "incident_reporting_url": "https://incidents.demo-trust.nhs.uk/report",
    },
    "sites": {
        "City General Hospital": [
            "Acute Medical Unit",
            "Emergency Department",
            "Ward 5 Cardiology",
            "Maternity Unit",
        ],
        "Riverside Community Hospital": [
            "Oak Ward (Elderly Care)",
            "Ash Ward (Stroke Rehabilitation)",
            "Outpatients",
            "Radiology",
        ],
        "Northfield Hospital": [
            "Willow Ward (Adult Mental Health)",
            "Theatres and Recovery",
            "Pharmacy",
            "Estates and Facilities",
        ],
    },
    "staff_count": 60,
}

OTHER_TRUST = {
    "slug": "other-trust",
    "name": "Other Hospitals NHS Trust",
    "ods_code": "ROT",
    "domain": "other-trust.nhs.uk",
    "sites": {
        "Hilltop Hospital": ["Birch Ward", "Cedar Ward"],
        "Valley Health Centre": ["Minor Injuries Unit", "Community Nursing"],
    },
    "staff_count": 12,
}

FIRST_NAMES = [
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ellie",
    "Femi",
    "Grace",
    "Hassan",
    "Isla",
    "Jamal",
    "Kate",
    "Liam",
    "Maya",
    "Nikhil",
    "Olivia",
    "Priya",
    "Quinn",
    "Rhys",
    "Sana",
    "Tom",
    "Una",
    "Vikram",
    "Wendy",
    "Xavier",
    "Yasmin",
    "Zac",
    "Aisha",
    "Callum",
    "Deborah",
    "Ewan",
]
LAST_NAMES = [
    "Adeyemi",
    "Brown",
    "Chowdhury",
    "Davies",
    "Evans",
    "Fraser",
    "Gallagher",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lewis",
    "Mensah",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Umar",
    "Vaughan",
    "Williams",
    "Young",
]
# How many of each hundred staff belong to each group: roughly an acute trust's mix.
PROFESSION_MIX = [
    Profession.NURSING,
    Profession.NURSING,
    Profession.NURSING,
    Profession.HCA,
    Profession.MEDICAL,
    Profession.HCA,
    Profession.ADMIN,
    Profession.AHP,
    Profession.ESTATES,
    Profession.NURSING,
    Profession.PHARMACY,
    Profession.SCIENTIST,
    Profession.MANAGEMENT,
    Profession.STUDENT,
    Profession.OTHER,
    Profession.MEDICAL,
]

# Fixed logins printed by `make run`.
NAMED_PEOPLE = [
    ("staff@demo-trust.nhs.uk", "Sam Staff", DEMO_TRUST["slug"], Role.STAFF, Profession.ESTATES),
    ("lead@demo-trust.nhs.uk", "Lee Lead", DEMO_TRUST["slug"], Role.QI_LEAD, Profession.NURSING),
    (
        "admin@demo-trust.nhs.uk",
        "Ada Admin",
        DEMO_TRUST["slug"],
        Role.ORG_ADMIN,
        Profession.MANAGEMENT,
    ),
    ("staff@other-trust.nhs.uk", "Olu Other", OTHER_TRUST["slug"], Role.STAFF, Profession.NURSING),
]
PLATFORM_ADMIN = "platform@improvewell.local"


class Command(BaseCommand):
    help = "Create (or leave as they are) the demo organisations, wards, staff and logins."

    @transaction.atomic
    def handle(self, *args, **options):
        self.password_hash = make_password(DEMO_PASSWORD)
        with cross_organisation():  # seeding sets up several organisations at once
            organisations = {
                spec["slug"]: self.seed_organisation(spec) for spec in (DEMO_TRUST, OTHER_TRUST)
            }
            for email, name, slug, role, profession in NAMED_PEOPLE:
                organisation, wards = organisations[slug]
                self.seed_member(organisation, email, name, role, profession, wards[0])
            platform = self.seed_user(PLATFORM_ADMIN, "Platform Admin")
            if not platform.is_superuser:
                platform.is_staff = platform.is_superuser = True
                platform.save(update_fields=["is_staff", "is_superuser"])
        for slug in organisations:
            organisation = organisations[slug][0]
            with tenant_scope(organisation):
                members = Membership.objects.filter(organisation=organisation)
                staff = members.get(user__email=f"staff@{organisation.slug}.nhs.uk")
                lead = (
                    members.filter(role=Role.QI_LEAD).first()
                    or members.filter(role=Role.ORG_ADMIN).first()
                    or staff
                )
                admin = members.filter(role=Role.ORG_ADMIN).first()
                seed_ideas(organisation, named_staff=staff, lead=lead)
                seed_pulse(organisation, admin=admin)
                teams = seed_teams(organisation, lead=lead) if lead.role != Role.STAFF else []
                if teams:
                    if admin is not None:
                        seed_routing(organisation, admin=admin, teams=teams)
                    assign_ideas(organisation, lead=lead, teams=teams)
                    seed_projects(organisation, lead=lead, teams=teams)
                if lead.role != Role.STAFF:
                    seed_tokens(organisation, lead=lead)
                if admin is not None and slug == DEMO_TRUST["slug"]:
                    seed_webhooks(organisation, admin=admin)
                    seed_staff_imports(organisation, admin=admin)
                    seed_sso(organisation, admin=admin)
                    seed_invitations(organisation, admin=admin)
                    seed_audit(organisation, admin=admin, staff=staff, lead=lead)
                    seed_leaver(organisation, admin=admin, keep=[staff, lead, admin])
                # Twelve weeks of engagement figures for the dashboards, from the day the
                # demo trust joined (so that its first weeks are not "before it joined").
                today = timezone.localdate()
                first = today - timedelta(days=DASHBOARD_DAYS - 1)
                joined = timezone.now() - timedelta(days=DASHBOARD_DAYS - 1)
                Organisation.objects.filter(pk=organisation.pk, created_at__gt=joined).update(
                    created_at=joined
                )
                rollup_range(organisation, first, today)
        self.print_logins()

    def seed_organisation(self, spec):
        organisation, _ = Organisation.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "ods_code": spec["ods_code"],
                **spec.get("concern_contacts", {}),
            },
        )
        SignupDomain.objects.get_or_create(
            domain=spec["domain"], defaults={"organisation": organisation}
        )
        wards = []
        for site_name, ward_names in spec["sites"].items():
            site, _ = Site.objects.get_or_create(organisation=organisation, name=site_name)
            for ward_name in ward_names:
                ward, _ = Ward.objects.get_or_create(
                    organisation=organisation, site=site, name=ward_name
                )
                wards.append(ward)
        for number in range(spec["staff_count"]):
            first = FIRST_NAMES[number % len(FIRST_NAMES)]
            last = LAST_NAMES[(number * 7) % len(LAST_NAMES)]
            email = f"{first}.{last}.{number + 1}@{spec['domain']}".lower().replace("'", "")
            self.seed_member(
                organisation,
                email,
                f"{first} {last}",
                Role.STAFF,
                PROFESSION_MIX[number % len(PROFESSION_MIX)],
                wards[number % len(wards)],
            )
        return organisation, wards

    def seed_user(self, email, name):
        User = get_user_model()
        user = User.objects.filter(email=email).first()
        if user is None:
            # Demo addresses are not real: no email notifications unless someone opts in.
            user = User(
                email=email, name=name, password=self.password_hash, email_notifications=False
            )
            user.save()
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def seed_member(self, organisation, email, name, role, profession, ward):
        user = self.seed_user(email, name)
        Membership.objects.get_or_create(
            organisation=organisation,
            user=user,
            defaults={"role": role, "profession": profession, "home_ward": ward},
        )

    def print_logins(self):
        from django.conf import settings

        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(f"Sign in at http://127.0.0.1:8000/ with password: {DEMO_PASSWORD}")
        rows = [(email, f"{role.label} at {slug}") for email, _, slug, role, _ in NAMED_PEOPLE]
        rows.append((PLATFORM_ADMIN, "platform admin (/admin/)"))
        for email, what in rows:
            self.stdout.write(f"  {email:<32} {what}")
        if not settings.REQUIRE_MFA:
            self.stdout.write(
                self.style.WARNING(
                    "Two-factor authentication is NOT required (REQUIRE_MFA=false): "
                    "for this local demo only."
                )
            )
