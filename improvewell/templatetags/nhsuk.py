import copy

from django import forms, template

register = template.Library()

WIDGET_CLASSES = {
    forms.Select: "nhsuk-select",
    forms.Textarea: "nhsuk-textarea",
    forms.CheckboxInput: "nhsuk-checkboxes__input",
}


@register.filter
def is_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


# Text boxes as long as this or longer get a character count; shorter ones (names, units,
# search boxes) are rarely filled to their limit. Every textarea with a limit gets one.
COUNTED_TEXT_INPUT = 120


@register.filter
def character_limit(bound_field) -> int | None:
    """The limit an NHS.UK character count shows under this field, or None.

    The count warns as someone types or pastes, and the server refuses a longer text with
    a field error, keeping what was written. So the field has no HTML `maxlength`, which
    would cut pasted text short without a word (`nhsuk_widget` leaves it out).
    """
    field, widget = bound_field.field, bound_field.field.widget
    limit = getattr(field, "max_length", None)
    if not limit or widget.is_hidden:
        return None
    if isinstance(widget, forms.Textarea):
        return limit
    if type(widget) is forms.TextInput and limit >= COUNTED_TEXT_INPUT:
        return limit
    return None


@register.filter
def nhsuk_widget(bound_field):
    """The field's widget with NHS.UK classes and its hint and error linked for screen readers."""
    widget = bound_field.field.widget
    counted = character_limit(bound_field)
    if counted:
        widget = copy.copy(widget)
        widget.attrs = {k: v for k, v in widget.attrs.items() if k != "maxlength"}
    css = next(
        (cls for kind, cls in WIDGET_CLASSES.items() if isinstance(widget, kind)), "nhsuk-input"
    )
    if bound_field.errors:
        css += f" {css.split()[0]}--error" if css != "nhsuk-checkboxes__input" else ""
    if counted:
        css += " nhsuk-js-character-count"
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}-hint")
    if bound_field.errors:
        described_by.append(f"{bound_field.auto_id}-error")
    if counted:
        described_by.append(f"{bound_field.auto_id}-info")
    attrs = {"class": f"{css} {widget.attrs.get('class', '')}".strip()}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return bound_field.as_widget(widget=widget, attrs=attrs)


@register.filter
def choice_type(bound_field) -> str:
    """'radios' or 'checkboxes' for fields shown as a group of options, else ''.

    Any field that takes several values is shown as checkboxes, whatever its widget
    (a multiple <select> needs Ctrl-click, and a phone has none). CheckboxSelectMultiple is a
    subclass of RadioSelect, so it must be asked about first: asked the other way round,
    every multiple choice came out as radios that allowed one choice and no unticking.
    """
    widget = bound_field.field.widget
    if getattr(widget, "allow_multiple_selected", False):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    return ""


@register.filter
def error_anchor(bound_field) -> str:
    """The id the error summary links to: the first option of a group, else the field."""
    if choice_type(bound_field):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id
