"""The data and the signed-in people the pages are measured with.

The organisations, wards, staff, ideas, supports, comments and pulse check-ins come from
the roll-up benchmark's generator (bench/rollup/generate.py), in steps, so one database is
measured at each scale. This module adds only what the pages need on top: a QI lead with
two-factor authentication set up, the benched organisation's dashboard facts, sessions
for the load tool, and a clean-up of the ideas the benchmark itself shared.
"""

import re
import time
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import is_mfa_enabled
from django.db import connection
from django.test import Client

from accounts.models import User
from api.models import PersonalAccessToken
from api.tokens import token_create
from bench.rollup import generate
from dashboards import rollup
from ideas.models import Category, Idea
from improvewell.rls import cross_organisation, tenant_scope
from organisations.models import Membership, Organisation, Role

from .env import HOST

# Ideas shared by the benchmark's POSTs carry this title, so they can be removed after each
# run: the scale stays what the generator made, and the daily limit of 30 ideas a person
# does not carry over from one run to the next.
SHARED_TITLE = "Bench web share"
# The read tokens the API list is measured with; made afresh for each run.
API_CLIENT_NAME = "Bench web"
LEAD_EMAIL = "qi-lead-{slug}@" + generate.EMAIL_DOMAIN
# Requests made as if through production's TLS proxy (SECURE_PROXY_SSL_HEADER).
PROXY_HEADERS = {"Host": HOST, "X-Forwarded-Proto": "https"}
_CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class SignedIn:
    """One signed-in browser: its cookies, its form token, the member's home ward."""

    user_id: int
    session: str
    csrf_cookie: str
    csrf_token: str
    ward_id: int | None
    token: str = ""  # a read token, for the API (never printed or saved)

    @property
    def cookie(self) -> str:
        return f"sessionid={self.session}; csrftoken={self.csrf_cookie}"


@dataclass
class Fixture:
    organisation: Organisation
    staff: list[SignedIn]
    leads: list[SignedIn]
    category_id: int
    ideas: list[str] = field(default_factory=list)  # ids for the idea page
    supportable: list[str] = field(default_factory=list)  # ids for the support POST


def benched_organisation() -> Organisation:
    with cross_organisation():
        return (
            Organisation.objects.filter(slug__startswith=generate.SLUG_PREFIX)
            .order_by("pk")
            .first()
        )


def ensure_lead(organisation: Organisation) -> User:
    """A QI lead of the organisation, with TOTP set up (REQUIRE_MFA stays on)."""
    with cross_organisation():
        user, _ = User.objects.get_or_create(
            email=LEAD_EMAIL.format(slug=organisation.slug),
            defaults={"name": f"QI lead {organisation.name}", "email_notifications": False},
        )
        ward = organisation.wards.order_by("pk").first()
        Membership.objects.get_or_create(
            organisation=organisation,
            user=user,
            defaults={"role": Role.QI_LEAD, "home_ward": ward, "profession": "nursing_midwifery"},
        )
    if not is_mfa_enabled(user):
        TOTP.activate(user, generate_totp_secret())
    return user


def roll_up(organisation: Organisation) -> float:
    """The benched organisation's dashboard facts over the generated days, to yesterday."""
    started = time.perf_counter()
    state = generate.get_state()
    last = generate.anchor().date()
    first = last - timedelta(days=state["structure"]["days"])
    with tenant_scope(organisation):
        rollup.rollup_range(organisation, first, last)
    with connection.cursor() as cursor:
        for table in ("dashboards_dailyfact", "dashboards_rolluprun"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return time.perf_counter() - started


def remove_shared_ideas(organisation: Organisation) -> int:
    with tenant_scope(organisation):
        deleted, _ = Idea.objects.filter(
            organisation=organisation, title__startswith=SHARED_TITLE
        ).delete()
    return deleted


def sign_in_user(user: User, form_url: str) -> SignedIn:
    """A session in the database, then the share form once for a CSRF cookie and token."""
    client = Client(enforce_csrf_checks=True, headers=PROXY_HEADERS)
    client.force_login(user)
    response = client.get(form_url)
    if response.status_code != 200:
        raise SystemExit(f"{form_url} answered {response.status_code} to {user.email}")
    token = _CSRF_FIELD.search(response.content.decode())
    return SignedIn(
        user_id=user.pk,
        session=client.cookies["sessionid"].value,
        csrf_cookie=client.cookies["csrftoken"].value,
        csrf_token=token.group(1),
        ward_id=None,
    )


def read_token(user: User, organisation: Organisation) -> str:
    _, raw = token_create(
        user=user,
        organisation_id=organisation.pk,
        name=API_CLIENT_NAME,
        scope="read",
        lifetime=timedelta(days=1),
    )
    return raw


def remove_tokens(organisation: Organisation) -> int:
    with cross_organisation():
        deleted, _ = PersonalAccessToken.objects.filter(
            organisation=organisation, name=API_CLIENT_NAME
        ).delete()
    return deleted


def sign_in(organisation: Organisation, *, staff: int, lead_sessions: int) -> Fixture:
    """Sessions for `staff` members and `lead_sessions` sessions of the QI lead."""
    form_url = f"/{organisation.slug}/ideas/new/"
    with tenant_scope(organisation):
        members = list(
            Membership.objects.filter(organisation=organisation, role=Role.STAFF, is_active=True)
            .select_related("user")
            .order_by("pk")[:staff]
        )
        category_id = (
            Category.objects.filter(organisation=organisation, is_active=True)
            .order_by("position")
            .values_list("pk", flat=True)
            .first()
        )
        pool = [m.user_id for m in members]
        sample = Idea.objects.filter(organisation=organisation).order_by("pk")
        ideas = [str(pk) for pk in sample.values_list("pk", flat=True)[:200]]
        supportable = [
            str(pk)
            for pk in sample.filter(is_anonymous=False)
            .exclude(author_id__in=pool)
            .values_list("pk", flat=True)[:200]
        ]
    remove_tokens(organisation)
    signed_in = []
    for member in members:
        person = sign_in_user(member.user, form_url)
        person.ward_id = member.home_ward_id
        person.token = read_token(member.user, organisation)
        signed_in.append(person)
    with cross_organisation():
        lead = User.objects.get(email=LEAD_EMAIL.format(slug=organisation.slug))
    leads = [sign_in_user(lead, form_url) for _ in range(lead_sessions)]
    return Fixture(
        organisation=organisation,
        staff=signed_in,
        leads=leads,
        category_id=category_id,
        ideas=ideas,
        supportable=supportable,
    )


def shared_ideas(organisation: Organisation) -> int:
    with tenant_scope(organisation):
        return Idea.objects.filter(
            organisation=organisation, title__startswith=SHARED_TITLE
        ).count()


def organisation_ideas(organisation: Organisation) -> int:
    with tenant_scope(organisation):
        return Idea.objects.filter(organisation=organisation).count()


SETTLE_SECONDS = 120


def settle_database() -> float:
    """Let PostgreSQL finish the work the seeding left it before anything is measured: a
    checkpoint now, then no autovacuum worker running (at most SETTLE_SECONDS). Its
    background processes are not counted as other processes (bench/web/load.py), so
    work of theirs during the first pages would slow them unseen. Seconds waited."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        while time.monotonic() - started < SETTLE_SECONDS:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            )
            if not cursor.fetchone()[0]:
                break
            time.sleep(1)
    return time.monotonic() - started
