import uuid

from django import forms

from improvewell.forms import KeptChoices
from improvewell.validators import single_line
from organisations.forms import WardChoiceField
from organisations.models import Ward

from .anonymity import ward_is_too_small
from .models import (
    COMMENT_MAX,
    DESCRIPTION_MAX,
    TITLE_MAX,
    Category,
    Kind,
)
from .selectors import share_choices


class CategoryChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": "Choose a category from the list."}


class SharedWardField(KeptChoices, WardChoiceField):
    pass


class SharedCategoryField(KeptChoices, CategoryChoiceField):
    pass


PLACE_WARD, PLACE_SITE, PLACE_NOWHERE = "ward", "site", "nowhere"


class IdeaForm(forms.Form):
    submission_id = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label="What are you sharing?",
        choices=Kind.choices,
        widget=forms.RadioSelect,
        initial=Kind.IDEA,
        error_messages={"required": "Choose what you are sharing."},
        # Followed by who to contact now about something urgent or about patient safety.
        template_name="ideas/_kind_field.html",
    )
    urgent = forms.BooleanField(
        label="This concern is urgent",
        required=False,
        help_text="Only for a problem or concern. The QI team will aim to reply sooner.",
        template_name="ideas/_concern_only_field.html",
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
    # Asked only once the chosen ward turns out to be small (see clean): hidden until then,
    # so that the answer survives a form shown again for another error.
    place = forms.ChoiceField(
        label="Where should it say this is about?",
        choices=[(PLACE_WARD, "The ward"), (PLACE_SITE, "The site"), (PLACE_NOWHERE, "Nowhere")],
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "Choose where it should say this is about."},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        # A sent ward or category is checked against the kept set-up: no query.
        self.fields["ward"] = SharedWardField(
            kept=lambda: share_choices(organisation)["ward"],
            label="Ward or department",
            queryset=Ward.objects.filter(organisation=organisation, is_active=True).select_related(
                "site"
            ),
            required=False,
            empty_label="Not about one ward",
        )
        self.fields["category"] = SharedCategoryField(
            kept=lambda: share_choices(organisation)["category"],
            label="Category",
            queryset=Category.objects.filter(organisation=organisation, is_active=True),
            empty_label="Choose a category",
            error_messages={"required": "Choose a category."},
        )
        self.order_fields(
            ["kind", "urgent", "title", "description", "ward", "place", "category", "anonymous"]
        )

    def clean(self):
        """Anonymity: an anonymous idea on a ward with fewer active home-ward members than
        the suppression threshold is held back until its submitter chooses to name the
        ward anyway, to say only the ward's site, or to say nowhere. Gives `site` too."""
        data = super().clean()
        ward, place = data.get("ward"), data.get("place")
        data["site"] = None
        if ward is None:
            return data
        if place == PLACE_SITE:
            data["ward"], data["site"] = None, ward.site
        elif place == PLACE_NOWHERE:
            data["ward"] = None
        elif not place and data.get("anonymous"):
            threshold = self.organisation.suppression_threshold
            if ward_is_too_small(ward, threshold=threshold):
                self._ask_for_place(ward, threshold)
        return data

    def _ask_for_place(self, ward, threshold: int) -> None:
        field = self.fields["place"]
        field.widget = forms.RadioSelect()
        field.choices = [
            (PLACE_WARD, f"Name {ward.name} anyway"),
            (PLACE_SITE, f"Say only {ward.site.name}"),
            (PLACE_NOWHERE, "Do not say where"),
        ]
        self.add_error(
            "place",
            f"Fewer than {threshold} people work on {ward.name}, so colleagues might guess who "
            f"shared this. Choose whether to name {ward.name} anyway, say only "
            f"{ward.site.name}, or not say where.",
        )

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


class WardPickForm(forms.Form):
    """The ward chosen on "You said, we did" (GET); the ward's own page checks it exists."""

    ward = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


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
