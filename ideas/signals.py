"""Receivers of other capabilities' signals: organisations sit below ideas and cannot
call into it, so ideas listens for what it needs to know (connected in apps.py)."""

from improvewell.rls import tenant_scope

from .categories import category_defaults_create


def organisation_created(sender, instance, created, raw=False, **kwargs):
    """A new organisation starts with the default categories."""
    if not created or raw:  # raw: loaded from a fixture, which brings its own rows
        return
    # The categories are the new organisation's rows, whatever scope created it.
    with tenant_scope(instance):
        category_defaults_create(instance)
