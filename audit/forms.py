from datetime import timedelta

from django import forms

from .models import Kind

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of entry", choices=[("", "Every kind"), *Kind.choices], required=False
    )
    actor = forms.CharField(label="Who (name or email)", max_length=100, required=False)
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": "Enter the first day as a date, for example 2026-03-01."},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=DATE_WIDGET,
        error_messages={"invalid": "Enter the last day as a date, for example 2026-03-31."},
    )

    def clean(self):
        cleaned_data = super().clean()
        first, last = cleaned_data.get("date_from"), cleaned_data.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", "The last day must be the same as or after the first day.")
        if last:
            try:
                last + timedelta(days=1)
            except OverflowError:
                self.add_error("date_to", "Enter a date before the year 9999.")
        return cleaned_data
