"""The platform admin's rules, in one place: every ModelAdmin of ours inherits them.

Platform admins (superusers) work across organisations in /admin/, with scopes
disabled (see OrganisationMiddleware._admin). What the admin still guarantees:

- Filters are the declared `list_filter`s and nothing else. Django honours a URL
  lookup on any local field (`?submitter_token__startswith=`, `?read_at=`), which
  would group a person's anonymous rows; here any other lookup answers 400.
- A row cannot point at another organisation's ward, site, team or category: the
  form refuses it with a field error (the admin is unscoped, so nothing else would).
- Every change leaves a LogEntry saying who changed what: Django's add, change and
  delete views write one, and so does every action (wrapped below). Superusers read
  them, read-only, under "Log entries". Each is also sent as `platform_change`, with
  the changed fields' values before and after, for the organisation's audit log
  (audit/receivers.py: this kernel module cannot import the audit app).
- `ReadOnlyModelAdmin` is for what must only change through the app's services
  (ideas and their rows) and for other people's credentials.
- A value typed into the request where an id belongs (a selected row, an
  autocomplete field) gets a message or a field error, never a server error.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.filters import SimpleListFilter
from django.contrib.admin.models import LogEntry
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.dispatch import Signal
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

# What Django's own list filters put in the URL after a declared field path
# ("organisation__id__exact", "status__exact", "day__gte", "ward__isnull"...).
FILTER_LOOKUPS = frozenset({"exact", "isnull", "gte", "lt", f"id{LOOKUP_SEP}exact"})

# Sent with: user (the platform admin), obj, action ("added", "changed", "deleted" or an
# action's "Action: …"), changes ({field label: (before, after)}).
platform_change = Signal()


def _shown(value) -> str:
    if isinstance(value, QuerySet | list | tuple | set):
        return ", ".join(sorted(str(item) for item in value))[:200]
    return "" if value is None else str(value)[:200]


def form_changes(form) -> dict[str, tuple[str, str]]:
    """{label: (before, after)} of each field the admin changed on a form."""
    changes = {}
    for name in form.changed_data:
        field = form.fields[name]
        initial = form.get_initial_for_field(field, name)
        if hasattr(field, "queryset") and initial is not None:
            # Model choices start as ids; show them as the rows they are.
            ids = initial if isinstance(initial, list | tuple) else [initial]
            ids = [getattr(item, "pk", item) for item in ids]
            initial = list(field.queryset.filter(pk__in=ids))
        changes[str(field.label or name)] = (_shown(initial), _shown(form.cleaned_data.get(name)))
    return changes


def day_of(value):
    """The local date of a timestamp: what the admin shows of anything about an idea."""
    return timezone.localdate(value) if value else None


class SameOrganisationForm(forms.ModelForm):
    """Refuses a relation to a row of another organisation, with a field error."""

    def clean(self):
        cleaned_data = super().clean()
        if "organisation" in cleaned_data:
            organisation = cleaned_data["organisation"]
            organisation_id = organisation.pk if organisation else None
        else:
            # Inline forms get the organisation from their parent row.
            organisation_id = getattr(self.instance, "organisation_id", None)
        if organisation_id is None:
            return cleaned_data
        for name, value in list(cleaned_data.items()):
            related = value if isinstance(value, QuerySet) else [value]
            for row in related:
                owner = getattr(row, "organisation_id", None)
                if owner is not None and owner != organisation_id:
                    self.add_error(name, f"Choose a {row._meta.verbose_name} of this organisation.")
                    break
        return cleaned_data


def _is_id(field, value) -> bool:
    try:
        field.to_python(value)
    except ValidationError:
        return False
    return True


class _ShowsOnlyIds:
    """Django's autocomplete widget looks the submitted value up to show it again when
    the form has errors; a value that is no id ("abc" for a number) crashed that lookup.
    It is left out of the lookup, and the field says "Select a valid choice"."""

    def optgroups(self, name, value, attr=None):
        opts = self.field.remote_field.model._meta
        target = opts.get_field(getattr(self.field.remote_field, "field_name", opts.pk.name))
        return super().optgroups(name, [v for v in value if _is_id(target, v)], attr)


class _AutocompleteSelect(_ShowsOnlyIds, AutocompleteSelect):
    pass


class _AutocompleteSelectMultiple(_ShowsOnlyIds, AutocompleteSelectMultiple):
    pass


class AuditedActionsMixin:
    """Every admin action writes a LogEntry per object it ran on.

    Django logs its add, change and delete views and `delete_selected` itself;
    actions of our own and of libraries (django-celery-beat's "enable", "run"...)
    would otherwise change rows without a trace.

    Django filters the rows an action runs on by the ids posted, unchecked: an id
    that is not one ("abc" for a number, "1" for a UUID) was a server error. Such a
    request changes nothing and says so, as one with no rows selected does.
    """

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(_is_id(self.model._meta.pk, value) for value in selected):
            self.message_user(
                request, "Those rows do not exist. No items have been changed.", messages.WARNING
            )
            return None
        return super().response_action(request, queryset)

    def get_actions(self, request):
        audited = {}
        for name, (func, _, description) in super().get_actions(request).items():
            if name != "delete_selected":
                func = self._audited(func, description)
            audited[name] = (func, name, description)
        return audited

    @staticmethod
    def _audited(func, description):
        def action(modeladmin, request, queryset):
            objects = list(queryset)
            response = func(modeladmin, request, queryset)
            for obj in objects:
                modeladmin.log_change(request, obj, f"Action: {description}")
            return response

        return action


class ImproveWellModelAdmin(AuditedActionsMixin, admin.ModelAdmin):
    """The base of every ModelAdmin of ours (see the module docstring)."""

    form = SameOrganisationForm

    def save_model(self, request, obj, form, change):
        obj._platform_changes = form_changes(form)
        super().save_model(request, obj, form, change)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._announce(request, obj, "added")
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._announce(request, obj, message if isinstance(message, str) else "changed")
        return entry

    def log_deletions(self, request, queryset):
        objects = list(queryset)
        entries = super().log_deletions(request, queryset)
        for obj in objects:
            self._announce(request, obj, "deleted")
        return entries

    @staticmethod
    def _announce(request, obj, action):
        changes = getattr(obj, "_platform_changes", {})
        platform_change.send(
            sender=type(obj), user=request.user, obj=obj, action=action, changes=changes
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget", _AutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs.setdefault(
                "widget",
                _AutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using")),
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def lookup_allowed(self, lookup, value, request):
        """Only the lookups that the declared list filters produce."""
        for list_filter in self.get_list_filter(request):
            if isinstance(list_filter, type) and issubclass(list_filter, SimpleListFilter):
                if lookup == list_filter.parameter_name:
                    return True
                continue
            path = list_filter[0] if isinstance(list_filter, (list, tuple)) else list_filter
            if lookup == path:
                return True
            prefix = path + LOOKUP_SEP
            if lookup.startswith(prefix) and lookup.removeprefix(prefix) in FILTER_LOOKUPS:
                return True
        return False


class SameOrganisationInline(admin.TabularInline):
    form = SameOrganisationForm


class ReadOnlyModelAdmin(ImproveWellModelAdmin):
    """View only: no add, change or delete (and so no actions) for anyone."""

    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyModelAdmin):
    """The audit trail of the admin itself: who changed what, and when."""

    list_display = ["action_time", "user", "content_type", "object_repr", "action", "change"]
    list_filter = ["action_flag", "content_type"]
    search_fields = ["object_repr", "user__email"]
    list_select_related = ["user", "content_type"]
    fields = ["action_time", "user", "content_type", "object_id", "object_repr", "action", "change"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    @admin.display(description="action", ordering="action_flag")
    def action(self, entry):
        return {1: "Added", 2: "Changed", 3: "Deleted"}.get(entry.action_flag, "")

    @admin.display(description="change")
    def change(self, entry):
        return entry.get_change_message()


# django-celery-beat's schedules stay editable here (DESIGN.md); their actions, and
# those on Django's groups, are audited and checked like ours.
for model in [
    PeriodicTask,
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    SolarSchedule,
    Group,
]:
    library_admin = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(
        model, type(library_admin.__name__, (AuditedActionsMixin, library_admin), {})
    )
