"""Writes for an organisation's own settings: its name, sign-up domains, suppression
threshold, response target and the pulse check-in. Organisation admins make them on
/<org>/manage/settings/; each is validated by the model's own rules, runs in a
transaction and leaves an audit entry with the values before and after."""

from django.core.exceptions import ValidationError
from django.db import transaction

from improvewell.rls import cross_organisation

from .models import Membership, Organisation, SignupDomain, domain_validator, normalise_domain
from .signals import admin_action

SETTINGS = ("name", "suppression_threshold", "response_target_days", "pulse_enabled")


def _on_the_changed_fields(exc: ValidationError, organisation: Organisation) -> ValidationError:
    """A shorter response target can clash with the urgent one, set on another screen:
    say so beside the field that was changed."""
    errors = dict(exc.message_dict)
    if errors.pop("urgent_response_target_days", None):
        errors["response_target_days"] = [
            f"Make it at least {organisation.urgent_response_target_days} days, the response "
            "target for urgent concerns (set with the contacts for urgent concerns)."
        ]
    return ValidationError(errors)


@transaction.atomic
def organisation_settings_update(*, member: Membership, **settings) -> Organisation:
    """Change any of SETTINGS; the model's validators say what is allowed (a threshold of
    at least MIN_SUPPRESSION_THRESHOLD, an urgent target no longer than the usual one)."""
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise ValueError(f"not an organisation setting: {', '.join(sorted(unknown))}")
    organisation = Organisation.objects.select_for_update().get(pk=member.organisation_id)
    before = {name: getattr(organisation, name) for name in settings}
    for name, value in settings.items():
        setattr(organisation, name, value)
    try:
        organisation.full_clean(exclude=["slug"])
    except ValidationError as exc:
        raise _on_the_changed_fields(exc, organisation) from None
    organisation.save(update_fields=list(settings))
    changed = {name: value for name, value in settings.items() if before[name] != value}
    if changed:
        admin_action.send(
            sender=Organisation,
            member=member,
            action="changed organisation settings",
            before={name: before[name] for name in changed},
            after=changed,
        )
    return organisation


@transaction.atomic
def signup_domain_add(*, member: Membership, domain: str) -> SignupDomain:
    """Let people with a verified address at `domain` join as staff. A domain belongs to
    one organisation at most, or sign-up could not tell which one to join."""
    domain = normalise_domain(domain)
    try:
        domain_validator(domain)
    except ValidationError as exc:
        raise ValidationError({"domain": exc.messages}) from None
    # Whether another organisation lists it: the one question asked across organisations.
    with cross_organisation():
        owner = SignupDomain.objects.filter(domain=domain).values_list("organisation_id", flat=True)
        owner = owner.first()
    if owner == member.organisation_id:
        raise ValidationError({"domain": f"{domain} is already on the list."})
    if owner is not None:
        raise ValidationError(
            {"domain": f"{domain} belongs to another organisation. Ask us if it should move."}
        )
    signup_domain = SignupDomain.objects.create(
        organisation_id=member.organisation_id, domain=domain
    )
    admin_action.send(
        sender=SignupDomain, member=member, action="added sign-up domain", after={"domain": domain}
    )
    return signup_domain


@transaction.atomic
def signup_domain_remove(*, member: Membership, signup_domain: SignupDomain) -> None:
    """People at the domain can no longer join by themselves; members stay members."""
    if signup_domain.organisation_id != member.organisation_id:
        raise ValidationError("Choose one of this organisation's domains.")
    domain = signup_domain.domain
    signup_domain.delete()
    admin_action.send(
        sender=SignupDomain,
        member=member,
        action="removed sign-up domain",
        before={"domain": domain},
    )
