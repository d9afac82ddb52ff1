"""Writes for sites and wards: what an organisation admin does on the sites and wards screen.

A ward is never deleted: ideas, pulse check-ins, dashboard figures and people name it.
It is archived instead, which takes it out of every form (the share form, profiles,
teams, projects) and keeps its history. Merging two wards moves everything that names
the merged ward to the kept one (organisations.signals.ward_merging tells the apps
above) and then archives it. Every function runs in a transaction, refuses rows of
another organisation with a field error, and leaves an audit entry.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Membership, Site, Ward
from .signals import admin_action, ward_merging, ward_moved


def _audit(member: Membership, action: str, *, before=None, after=None) -> None:
    admin_action.send(sender=Ward, member=member, action=action, before=before, after=after)


def _clean_name(name: str, *, field: str = "name") -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({field: "Enter a name."})
    if len(name) > 120:
        raise ValidationError({field: "Use 120 characters or fewer."})
    return name


def _own(member: Membership, obj, field: str):
    if obj is None or obj.organisation_id != member.organisation_id:
        raise ValidationError({field: "Choose one of this organisation's sites and wards."})
    return obj


def _check_site_name(member: Membership, name: str, *, exclude=None) -> None:
    taken = Site.objects.filter(organisation_id=member.organisation_id, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError({"name": f"There is already a site called {name}."})


def _check_ward_name(site: Site, name: str, *, exclude=None, field: str = "name") -> None:
    taken = Ward.objects.filter(organisation_id=site.organisation_id, site=site, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError({field: f"{site.name} already has a ward called {name}."})


def _ward_row(ward: Ward) -> dict:
    return {"ward": ward.name, "site": ward.site.name, "active": ward.is_active}


@transaction.atomic
def site_create(*, member: Membership, name: str) -> Site:
    name = _clean_name(name)
    _check_site_name(member, name)
    site = Site.objects.create(organisation_id=member.organisation_id, name=name)
    _audit(member, "created site", after={"site": name})
    return site


@transaction.atomic
def site_rename(*, member: Membership, site: Site, name: str) -> Site:
    _own(member, site, "name")
    name = _clean_name(name)
    site = Site.objects.select_for_update(of=("self",)).get(pk=site.pk)
    _check_site_name(member, name, exclude=site)
    before = site.name
    site.name = name
    site.save(update_fields=["name"])
    _audit(member, "renamed site", before={"site": before}, after={"site": name})
    return site


@transaction.atomic
def ward_create(*, member: Membership, site: Site, name: str) -> Ward:
    _own(member, site, "site")
    name = _clean_name(name)
    _check_ward_name(site, name)
    ward = Ward.objects.create(organisation_id=member.organisation_id, site=site, name=name)
    _audit(member, "created ward", after=_ward_row(ward))
    return ward


@transaction.atomic
def ward_update(*, member: Membership, ward: Ward, name: str, site: Site) -> Ward:
    """Rename a ward or move it to another site (or both)."""
    _own(member, ward, "name")
    _own(member, site, "site")
    name = _clean_name(name)
    ward = Ward.objects.select_for_update(of=("self",)).select_related("site").get(pk=ward.pk)
    _check_ward_name(site, name, exclude=ward)
    before = _ward_row(ward)
    from_site = ward.site
    ward.name, ward.site = name, site
    ward.save(update_fields=["name", "site"])
    if from_site.pk != site.pk:
        ward_moved.send(sender=Ward, ward=ward, from_site=from_site)
    _audit(member, "changed ward", before=before, after=_ward_row(ward))
    return ward


def _home_ward_members(ward: Ward):
    return Membership.objects.filter(
        organisation_id=ward.organisation_id, home_ward=ward, is_active=True
    )


@transaction.atomic
def ward_archive(*, member: Membership, ward: Ward, move_members_to: Ward | None = None) -> Ward:
    """Take a ward out of the forms; its ideas, check-ins and figures keep naming it.

    Refused while it is an active member's home ward, unless `move_members_to` names
    the ward they move to: nobody is left pointing at a ward they can no longer choose.
    """
    _own(member, ward, "ward")
    ward = Ward.objects.select_for_update(of=("self",)).select_related("site").get(pk=ward.pk)
    if not ward.is_active:
        raise ValidationError("This ward is archived already.")
    members = _home_ward_members(ward)
    count = members.count()
    if count and move_members_to is None:
        people = "person has" if count == 1 else "people have"
        raise ValidationError(
            {
                "move_members_to": f"{count} {people} {ward.name} as their home ward. "
                "Choose a ward to move them to, or change their home ward first."
            }
        )
    if count:
        _own(member, move_members_to, "move_members_to")
        if move_members_to.pk == ward.pk or not move_members_to.is_active:
            raise ValidationError({"move_members_to": "Choose another ward that is in use."})
        members.update(home_ward=move_members_to)
    before = _ward_row(ward)
    ward.is_active = False
    ward.save(update_fields=["is_active"])
    after = {**_ward_row(ward), "members_moved": count}
    if count:
        after["members_moved_to"] = move_members_to.name
    _audit(member, "archived ward", before=before, after=after)
    return ward


@transaction.atomic
def ward_restore(*, member: Membership, ward: Ward) -> Ward:
    _own(member, ward, "ward")
    ward = Ward.objects.select_for_update(of=("self",)).select_related("site").get(pk=ward.pk)
    if ward.is_active:
        return ward
    ward.is_active = True
    ward.save(update_fields=["is_active"])
    _audit(member, "restored ward", after=_ward_row(ward))
    return ward


@transaction.atomic
def ward_merge(*, member: Membership, merged: Ward, kept: Ward) -> Ward:
    """Merge `merged` into `kept`: its ideas, check-ins, members, teams' and projects'
    wards move (the apps above move their own rows on `ward_merging`), the dashboards
    recompute its days, and `merged` is archived, never deleted.

    Both wards are locked, in id order, so that two merges of the same wards cannot
    interleave.
    """
    _own(member, merged, "ward")
    _own(member, kept, "into")
    if merged.pk == kept.pk:
        raise ValidationError({"into": "Choose a different ward to merge into."})
    locked = {
        w.pk: w
        for w in Ward.objects.select_for_update(of=("self",))
        .select_related("site")
        .filter(pk__in=[merged.pk, kept.pk])
        .order_by("pk")
    }
    merged, kept = locked[merged.pk], locked[kept.pk]
    if not kept.is_active:
        raise ValidationError({"into": "Choose a ward that is in use, not an archived one."})
    moved = Membership.objects.filter(organisation_id=kept.organisation_id, home_ward=merged)
    members = moved.update(home_ward=kept)
    ward_merging.send(sender=Ward, kept=kept, merged=merged)
    was_active = merged.is_active
    merged.is_active = False
    merged.save(update_fields=["is_active"])
    _audit(
        member,
        "merged wards",
        before={"merged": {**_ward_row(merged), "active": was_active}, "kept": _ward_row(kept)},
        after={"kept": _ward_row(kept), "members_moved": members},
    )
    return kept


def move_ward_links(through, owner_field: str, *, kept: Ward, merged: Ward) -> None:
    """For a many-to-many to wards (a team's or project's wards): whatever named the
    merged ward names the kept one, once. For the apps' `ward_merging` receivers."""
    links = through.objects.filter(ward_id=merged.pk)
    has_kept = through.objects.filter(ward_id=kept.pk).values(owner_field)
    links.filter(**{f"{owner_field}__in": has_kept}).delete()
    links.update(ward_id=kept.pk)
