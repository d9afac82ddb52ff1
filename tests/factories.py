"""factory_boy factories. Call them inside `scopes_disabled()` (tests set up data
across organisations); the code under test runs scoped."""

import factory
from allauth.account.models import EmailAddress

from accounts.models import User
from organisations.models import Invitation, Membership, Organisation, SignupDomain, Site, Ward

TEST_PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Trust {n} NHS Foundation Trust")
    slug = factory.Sequence(lambda n: f"trust-{n}")


class SignupDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignupDomain

    organisation = factory.SubFactory(OrganisationFactory)
    domain = factory.Sequence(lambda n: f"trust{n}.nhs.uk")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Hospital {n}")


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ward

    organisation = factory.SubFactory(OrganisationFactory)
    site = factory.SubFactory(SiteFactory, organisation=factory.SelfAttribute("..organisation"))
    name = factory.Sequence(lambda n: f"Ward {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.nhs.uk")
    name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = "staff"
    profession = "nursing_midwifery"


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@gmail.com")
    role = "staff"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ideas.Category"

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


class IdeaFactory(factory.django.DjangoModelFactory):
    """A named idea by `author` (a Membership's user). Use ideas.services for anonymous ones."""

    class Meta:
        model = "ideas.Idea"

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "idea"
    title = factory.Sequence(lambda n: f"Idea number {n}")
    description = "A better way of doing things."
    category = factory.SubFactory(
        CategoryFactory, organisation=factory.SelfAttribute("..organisation")
    )
    ward = factory.SubFactory(WardFactory, organisation=factory.SelfAttribute("..organisation"))
    author = factory.SubFactory(UserFactory)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "teams.Team"

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Project"

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Project {n}")
    aim = "Reduce waiting by 20% by March."
    team = factory.SubFactory(TeamFactory, organisation=factory.SelfAttribute("..organisation"))


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "projects.Measure"

    organisation = factory.SelfAttribute("project.organisation")
    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Measure {n}")
    unit = "minutes"
