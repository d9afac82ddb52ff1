"""The tags an organisation's pulse check-in offers: the defaults every organisation
starts with, and an admin's own (added, renamed, retired, brought back).

The rules, each in one place here: a label is short and unique in its organisation;
at least one tag and at most PULSE_TAGS_OFFERED_MAX are offered at any time; a tag is
never deleted, so that past check-ins keep their meaning (check-ins store the key).
Every change runs in a transaction and is written to the audit log (admin_action).

Anonymity: nothing here counts check-ins. How often a tag was chosen is not shown on
the admin's screen: a count of one tag on a small ward could point at a person, and
published pulse figures go through dashboards.pulse's suppression only.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from organisations import permissions
from organisations.models import Membership, Organisation
from organisations.signals import announce

from .pulse_models import (
    DEFAULT_PULSE_TAGS,
    PULSE_TAG_LABEL_MAX,
    PULSE_TAGS_OFFERED_MAX,
    PulseTag,
)


def pulse_tags_offered(organisation: Organisation | int) -> list[PulseTag]:
    """The tags a check-in offers now, in their order."""
    organisation_id = getattr(organisation, "pk", organisation)
    return list(PulseTag.objects.filter(organisation_id=organisation_id, is_active=True))


def pulse_tag_labels(organisation: Organisation | int) -> dict[str, str]:
    """Every tag's label by key, retired ones too: for showing past check-ins."""
    organisation_id = getattr(organisation, "pk", organisation)
    tags = PulseTag.objects.filter(organisation_id=organisation_id)
    return dict(tags.values_list("key", "label").order_by())


@transaction.atomic
def pulse_tag_defaults_create(organisation: Organisation) -> None:
    """Give an organisation with no tags the default ones (run when it is created)."""
    if PulseTag.objects.filter(organisation=organisation).exists():
        return
    PulseTag.objects.bulk_create(
        PulseTag(organisation=organisation, key=key, label=label, position=position)
        for position, (key, label) in enumerate(DEFAULT_PULSE_TAGS)
    )


def _clean_label(organisation_id: int, label: str, *, tag: PulseTag | None = None) -> str:
    label = " ".join(label.split())
    if not label:
        raise ValidationError({"label": "Enter a name for the tag."})
    if len(label) > PULSE_TAG_LABEL_MAX:
        raise ValidationError(
            {"label": f"Use {PULSE_TAG_LABEL_MAX} characters or fewer: the tags fit a phone."}
        )
    same = PulseTag.objects.filter(organisation_id=organisation_id, label__iexact=label)
    if tag is not None:
        same = same.exclude(pk=tag.pk)
    existing = same.first()
    if existing is not None and existing.is_active:
        raise ValidationError({"label": "There is already a tag with this name."})
    if existing is not None:
        raise ValidationError(
            {"label": "A retired tag has this name. Bring it back from the list instead."}
        )
    return label


def _new_key(organisation_id: int, label: str) -> str:
    base = slugify(label).replace("-", "_")[: PULSE_TAG_LABEL_MAX - 4] or "tag"
    taken = set(
        PulseTag.objects.filter(organisation_id=organisation_id, key__startswith=base)
        .values_list("key", flat=True)
        .order_by()
    )
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def _offered_count(organisation_id: int) -> int:
    return PulseTag.objects.filter(organisation_id=organisation_id, is_active=True).count()


def _lock_tags(organisation_id: int) -> None:
    """Serialise changes to one organisation's tags, so that two admins retiring the
    last two tags at once cannot leave none (and two adds cannot pass the maximum)."""
    Organisation.objects.select_for_update().filter(pk=organisation_id).first()


@transaction.atomic
def pulse_tag_add(*, member: Membership, label: str) -> PulseTag:
    """Offer a new tag at the end of the list."""
    organisation_id = member.organisation_id
    _lock_tags(organisation_id)
    label = _clean_label(organisation_id, label)
    if _offered_count(organisation_id) >= PULSE_TAGS_OFFERED_MAX:
        raise ValidationError(
            {
                "label": f"A check-in offers at most {PULSE_TAGS_OFFERED_MAX} tags. "
                "Retire one before adding another."
            }
        )
    position = PulseTag.objects.filter(organisation_id=organisation_id).count()
    tag = PulseTag.objects.create(
        organisation_id=organisation_id,
        key=_new_key(organisation_id, label),
        label=label,
        position=position,
    )
    announce(member, "added pulse tag", after={"tag": label}, subject=label)
    return tag


@transaction.atomic
def pulse_tag_update(*, member: Membership, tag: PulseTag, label: str, is_active: bool) -> PulseTag:
    """Rename a tag, retire it (no longer offered; its check-ins keep it) or bring it back."""
    organisation_id = member.organisation_id
    permissions.require_same_organisation(organisation_id, tag, field="label")
    _lock_tags(organisation_id)
    tag = PulseTag.objects.get(organisation_id=organisation_id, pk=tag.pk)
    label = _clean_label(organisation_id, label, tag=tag)
    offered = _offered_count(organisation_id)
    if tag.is_active and not is_active and offered <= 1:
        raise ValidationError(
            {"is_active": "Keep at least one tag offered. Add another before retiring this one."}
        )
    if not tag.is_active and is_active and offered >= PULSE_TAGS_OFFERED_MAX:
        raise ValidationError(
            {
                "is_active": f"A check-in offers at most {PULSE_TAGS_OFFERED_MAX} tags. "
                "Retire one before bringing this one back."
            }
        )
    before = _values(tag)
    tag.label, tag.is_active = label, is_active
    tag.save(update_fields=["label", "is_active"])
    after = _values(tag)
    changed = [name for name in after if before[name] != after[name]]
    if changed:
        announce(
            member,
            "changed pulse tag",
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
            subject=label,
        )
    return tag


def _values(tag: PulseTag) -> dict:
    return {"tag": tag.label, "offered": "yes" if tag.is_active else "no"}


def pulse_tags_check(organisation_id: int, keys) -> list[str]:
    """The chosen keys, sorted and once each, if every one is offered now."""
    keys = sorted(set(keys))
    offered = {tag.key for tag in pulse_tags_offered(organisation_id)}
    if not set(keys) <= offered:
        raise ValidationError({"tags": "Choose tags from the list."})
    return keys
