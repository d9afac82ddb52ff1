"""Writes for categories: the defaults every organisation starts with, and its own.

Each runs in a transaction and refuses a category of another organisation.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from organisations import permissions
from organisations.models import Organisation

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
) -> Category:
    name = name.strip()
    duplicate = Category.objects.filter(organisation=organisation, name__iexact=name)
    if category is not None:
        permissions.require_same_organisation(organisation.pk, category, field="category")
        duplicate = duplicate.exclude(pk=category.pk)
    if duplicate.exists():
        raise ValidationError({"name": "There is already a category with this name."})
    if category is None:
        position = Category.objects.filter(organisation=organisation).count()
        return Category.objects.create(
            organisation=organisation, name=name, is_active=is_active, position=position
        )
    category.name = name
    category.is_active = is_active
    category.save(update_fields=["name", "is_active"])
    return category
