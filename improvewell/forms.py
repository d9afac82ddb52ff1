from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting


class NHSFormRenderer(TemplatesSetting):
    """Render Django forms with NHS.UK frontend markup (labels, hints, error messages)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's refusal on the form: beside the field it names, else at the top.

    Services raise `ValidationError({"field": message})` for rules a form cannot check
    alone (another organisation's ward, a workflow step); the person sees each message
    where they can act on it and keeps everything they typed.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def posted(request):
    """The form data on a POST, None on a GET: for views that show and take one form."""
    return request.POST if request.method == "POST" else None


class KeptChoices:
    """For a ModelChoiceField: a sent choice is taken from `kept()` (id to instance, the
    organisation's set-up as kept under its version: improvewell.versions) instead of
    being asked of the database. `kept()` must hold exactly what the queryset would find;
    the choices shown still come from the queryset."""

    def __init__(self, *args, kept, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = kept

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            value = value.pk
        try:
            found = self.kept().get(int(str(value)))
        except (TypeError, ValueError):
            found = None
        if found is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found
