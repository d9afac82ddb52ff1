import uuid

from django import forms

from improvewell.validators import single_line
from organisations.forms import WardChoiceField
from organisations.models import Site, Ward

from .anonymity import ward_is_too_small
from .models import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    TITLE_MAX,
    Category,
    Kind,
    PulseTag,
    Status,
)


class CategoryChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": "Choose a category from the list."}


class IdeaForm(forms.Form):
    submission_id = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label="What are you sharing?",
        choices=Kind.choices,
        widget=forms.RadioSelect,
        initial=Kind.IDEA,
        error_messages={"required": "Choose what you are sharing."},
    )
    title = forms.CharField(
        label="Title",
        max_length=TITLE_MAX,
        validators=[single_line],
        help_text="A short summary, like a headline.",
        error_messages={
            "required": "Enter a title.",
            "max_length": f"Title must be {TITLE_MAX} characters or fewer.",
        },
    )
    description = forms.CharField(
        label="Describe it",
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            "What happens now, and what would make it better? Do not include patient details."
        ),
        error_messages={
            "required": "Describe your idea, concern or praise.",
            "max_length": f"Description must be {DESCRIPTION_MAX} characters or fewer.",
        },
    )
    anonymous = forms.BooleanField(
        label="Post anonymously",
        required=False,
        help_text="Nobody, including the QI team, will see it was you. You can still follow it "
        "under My ideas.",
    )
    # Shown only once the chosen ward turns out to be small (see clean).
    small_ward_ok = forms.BooleanField(
        label="Name this ward anyway",
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["ward"] = WardChoiceField(
            label="Ward or department",
            queryset=Ward.objects.filter(organisation=organisation, is_active=True).select_related(
                "site"
            ),
            required=False,
            empty_label="Not about one ward",
        )
        self.fields["category"] = CategoryChoiceField(
            label="Category",
            queryset=Category.objects.filter(organisation=organisation, is_active=True),
            empty_label="Choose a category",
            error_messages={"required": "Choose a category."},
        )
        self.order_fields(
            ["kind", "title", "description", "ward", "small_ward_ok", "category", "anonymous"]
        )

    def clean(self):
        data = super().clean()
        ward = data.get("ward")
        threshold = self.organisation.suppression_threshold
        if (
            data.get("anonymous")
            and ward is not None
            and not data.get("small_ward_ok")
            and ward_is_too_small(ward, threshold=threshold)
        ):
            self.fields["small_ward_ok"].widget = forms.CheckboxInput()
            self.add_error(
                "ward",
                f"Fewer than {threshold} people work on {ward.name}, so colleagues might guess "
                "who shared this. Choose “Not about one ward”, or tick “Name this ward anyway”.",
            )
        return data

    @staticmethod
    def new_submission_id():
        return uuid.uuid4()


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Add a comment",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Write a comment.",
            "max_length": f"Comments must be {COMMENT_MAX} characters or fewer.",
        },
    )


SORT_CHOICES = [("newest", "Newest first"), ("supported", "Most supported")]


class BoardFilterForm(forms.Form):
    q = forms.CharField(label="Search", max_length=100, required=False)
    kind = forms.ChoiceField(
        label="Type", choices=[("", "All types"), *Kind.choices], required=False
    )
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *Status.choices], required=False
    )
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"] = forms.ModelChoiceField(
            label="Site",
            queryset=Site.objects.filter(organisation=organisation),
            required=False,
            empty_label="All sites",
        )
        self.fields["ward"] = WardChoiceField(
            label="Ward",
            queryset=Ward.objects.filter(organisation=organisation).select_related("site"),
            required=False,
            empty_label="All wards",
        )
        self.fields["category"] = forms.ModelChoiceField(
            label="Category",
            queryset=Category.objects.filter(organisation=organisation),
            required=False,
            empty_label="All categories",
        )
        self.order_fields(["q", "site", "ward", "category", "kind", "status", "sort"])


class WardPickForm(forms.Form):
    """The ward chosen on "You said, we did" (GET); the ward's own page checks it exists."""

    ward = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


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
        choices=PulseTag.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class EmailPreferenceForm(forms.Form):
    email_notifications = forms.BooleanField(
        label="Email me when something I shared is updated or gets a comment",
        required=False,
    )


class CategoryForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=80,
        validators=[single_line],
        error_messages={"required": "Enter a name for the category."},
    )
    is_active = forms.BooleanField(
        label="Offer this category for new ideas", required=False, initial=True
    )
