"""The soak's people: a few organisations of its own, made afresh for every run.

Each run makes new organisations (slugs `soak-<run>-<n>`), so the daily limit of shared
ideas and the one pulse check-in a day start from nothing, and the checks afterwards look
only at this run's rows. Per organisation: sites, wards, one member outside the soak who
shared a few ideas (something to support and comment on from the start), and the soak's
members, one per client, spread over the wards. Each member gets a session and a form
token up front (bench/web/seed.py), as a browser that signed in would have.
"""

import secrets
import uuid
from dataclasses import dataclass, field

from accounts.models import User
from bench.web.seed import SignedIn, sign_in_user
from ideas import services
from ideas.models import Category, Kind
from improvewell.rls import cross_organisation, tenant_scope
from organisations.models import Membership, Organisation, Role, Site, Ward

SLUG_PREFIX = "soak-"
EMAIL_DOMAIN = "soak.nhs.uk"
SEEDED_IDEAS = 5


@dataclass
class Member:
    index: int
    user_id: int
    organisation_id: int
    slug: str
    ward_id: int
    category_id: int
    session: SignedIn


@dataclass
class Cast:
    run: str
    organisation_ids: list[int]
    members: list[Member]
    # Ideas shared before the soak, by someone not in it, by organisation slug.
    seeded: dict[str, list[str]] = field(default_factory=dict)


def _organisation(run: str, n: int, wards: int) -> tuple[Organisation, list[Ward]]:
    organisation = Organisation.objects.create(
        name=f"Soak {run} NHS Trust {n}", slug=f"{SLUG_PREFIX}{run}-{n}"
    )
    sites = [Site.objects.create(organisation=organisation, name=f"Site {s}") for s in (1, 2)]
    made = [
        Ward.objects.create(organisation=organisation, site=sites[w % 2], name=f"Ward {w + 1}")
        for w in range(wards)
    ]
    return organisation, made


def _person(run: str, name: str, organisation: Organisation, ward: Ward) -> Membership:
    user = User.objects.create_user(
        email=f"{name}-{run}@{EMAIL_DOMAIN}", name=name.title(), email_notifications=False
    )
    return Membership.objects.create(
        organisation=organisation,
        user=user,
        role=Role.STAFF,
        profession="nursing_midwifery",
        home_ward=ward,
    )


def _seed_ideas(author: Membership, category: Category) -> list[str]:
    with tenant_scope(author.organisation):
        return [
            str(
                services.idea_submit(
                    member=author,
                    submission_id=uuid.uuid4(),
                    kind=Kind.IDEA,
                    title=f"Seeded idea {n}",
                    description="An idea shared before the soak began.",
                    category=category,
                    ward=author.home_ward,
                    anonymous=False,
                )[0].pk
            )
            for n in range(SEEDED_IDEAS)
        ]


def make_cast(*, members: int, organisations: int = 3, wards: int = 4) -> Cast:
    """`members` soak members over `organisations` organisations of `wards` wards each."""
    run = secrets.token_hex(3)
    cast = Cast(run=run, organisation_ids=[], members=[])
    made = []
    with cross_organisation():
        for n in range(1, organisations + 1):
            organisation, org_wards = _organisation(run, n, wards)
            category = Category.objects.filter(organisation=organisation).order_by("pk").first()
            author = _person(run, f"author-{n}", organisation, org_wards[0])
            cast.seeded[organisation.slug] = _seed_ideas(author, category)
            cast.organisation_ids.append(organisation.pk)
            made.append((organisation, org_wards, category))
        people = []
        for index in range(members):
            organisation, org_wards, category = made[index % organisations]
            ward = org_wards[(index // organisations) % wards]
            people.append((index, _person(run, f"member-{index}", organisation, ward), category))
    for index, membership, category in people:
        organisation = membership.organisation
        session = sign_in_user(membership.user, f"/{organisation.slug}/ideas/new/")
        cast.members.append(
            Member(
                index=index,
                user_id=membership.user_id,
                organisation_id=organisation.pk,
                slug=organisation.slug,
                ward_id=membership.home_ward_id,
                category_id=category.pk,
                session=session,
            )
        )
    return cast
