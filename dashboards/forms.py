from datetime import date, timedelta

from django import forms
from django.utils import timezone

from ideas.pulse_tags import pulse_tags_offered

MAX_DAYS = 731
# No organisation has data from before this; earlier dates only overflow date sums.
EARLIEST = date(2000, 1, 1)
# A range may end a little in the future (a week planned ahead), no further.
LATEST_AHEAD = timedelta(days=366)


def default_range():
    """The last 30 days, today included."""
    end = timezone.localdate()
    return end - timedelta(days=29), end


class DateRangeForm(forms.Form):
    start = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date."},
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a real date."},
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in ("start", "end"):
            chosen = data.get(name)
            if chosen is not None and not EARLIEST <= chosen <= today + LATEST_AHEAD:
                self.add_error(
                    name,
                    f"Choose a date between {EARLIEST:%-d %B %Y} and "
                    f"{today + LATEST_AHEAD:%-d %B %Y}.",
                )
                return data
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=29)
        if start > end:
            self.add_error("end", "The end date must be on or after the start date.")
        elif (end - start).days >= MAX_DAYS:
            self.add_error("start", "Choose a range of two years or less.")
        data["start"], data["end"] = start, end
        return data

    def range(self):
        """The chosen range, or the last 30 days when the input is missing or wrong."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return default_range()


class PulseForm(forms.Form):
    score = forms.TypedChoiceField(
        label="How was your shift?",
        coerce=int,
        choices=[
            (5, "5: Very good"),
            (4, "4: Good"),
            (3, "3: OK"),
            (2, "2: Difficult"),
            (1, "1: Very difficult"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how your shift was, from 1 to 5."},
    )
    tags = forms.MultipleChoiceField(
        label="What made the difference? (optional)",
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={
            "invalid_choice": "Choose tags from the list.",
            "invalid_list": "Choose tags from the list.",
        },
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # The tags this organisation's admins offer (ideas/pulse_tags.py).
        offered = pulse_tags_offered(organisation)
        self.fields["tags"].choices = [(tag.key, tag.label) for tag in offered]
