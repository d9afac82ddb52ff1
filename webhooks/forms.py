from django import forms
from django.core.exceptions import ValidationError

from .models import SUBSCRIBABLE, WebhookEndpoint
from .services import check_url


class EndpointForm(forms.Form):
    url = forms.URLField(
        label="Endpoint URL",
        max_length=500,
        assume_scheme="https",
        help_text="Where we send events, as a POST with a JSON body. It must start with https://.",
        error_messages={"required": "Enter the endpoint's URL.", "invalid": "Enter a valid URL."},
    )
    description = forms.CharField(
        label="Description",
        max_length=100,
        required=False,
        help_text="So that you can tell your endpoints apart: the system that receives them.",
    )
    events = forms.MultipleChoiceField(
        label="Events to send",
        choices=SUBSCRIBABLE,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one event.",
            "invalid_choice": "Choose events from the list.",
        },
    )

    def clean_url(self):
        """The service's own check, so that the address's error shows with the others."""
        url = self.cleaned_data["url"]
        try:
            check_url(url)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["url"]) from None
        return url

    @classmethod
    def for_endpoint(cls, endpoint: WebhookEndpoint, data=None):
        initial = {"url": endpoint.url, "description": endpoint.description}
        return cls(data, initial={**initial, "events": endpoint.events})
