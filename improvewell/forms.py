from django.forms.renderers import TemplatesSetting


class NHSFormRenderer(TemplatesSetting):
    """Render Django forms with NHS.UK frontend markup (labels, hints, error messages)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
