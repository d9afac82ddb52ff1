"""Writes for categories: the defaults every organisation starts with, and its own.

Each runs in a transaction and refuses a category of another organisation.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from audit import services as audit
from organisations import permissions
from organisations.models import Membership, Organisation

from .models import DEFAULT_CATEGORIES, Category


@transaction.atomic
def category_defaults_create(organisation: Organisation) -> None:
    """Give an organisation that has no categories the default ones.

    Run when an organisation is created (ideas/signals.py), so that no page has to
    create them the first time it is shown.
    """
    if Category.objects.filter(organisation=organisation).exists():
        return
    Category.objects.bulk_create(
        Category(organisation=organisation, name=name, position=position)
        for position, name in enumerate(DEFAULT_CATEGORIES)
    )


@transaction.atomic
def category_save(
    *,
    organisation: Organisation,
    name: str,
    is_active: bool = True,
    category: Category | None = None,
    by: Membership | None = None,
) -> Category:
    """Add or change a category; `by`, the admin doing it, is recorded in the audit log."""
    name = name.strip()
    duplicate = Category.objects.filter(organisation=organisation, name__iexact=name)
    if category is not None:
        permissions.require_same_organisation(organisation.pk, category, field="category")
        duplicate = duplicate.exclude(pk=category.pk)
    if duplicate.exists():
        raise ValidationError({"name": "There is already a category with this name."})
    if category is None:
        position = Category.objects.filter(organisation=organisation).count()
        category = Category.objects.create(
            organisation=organisation, name=name, is_active=is_active, position=position
        )
        if by is not None:
            audit.record(by, "added category", after=_category_values(category))
        return category
    before = _category_values(category)
    category.name = name
    category.is_active = is_active
    category.save(update_fields=["name", "is_active"])
    after = _category_values(category)
    if by is not None and before != after:
        changed = [key for key in after if before[key] != after[key]]
        audit.record(
            by,
            "changed category",
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return category


def _category_values(category: Category) -> dict:
    return {"name": category.name, "in use": "yes" if category.is_active else "no"}
