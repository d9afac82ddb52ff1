"""The organisation admin's pulse tags screen (/<org>/manage/pulse-tags/): the tags a
check-in offers. Thin views: ideas/pulse_tags.py owns the rules."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from improvewell.forms import add_service_errors, posted
from improvewell.validators import single_line
from organisations import permissions
from organisations.permissions import privileged

from . import pulse_tags
from .pulse_models import PULSE_TAG_LABEL_MAX, PULSE_TAGS_OFFERED_MAX, PulseTag

admin_only = privileged(permissions.can_manage_organisation)


class PulseTagForm(forms.Form):
    label = forms.CharField(
        label="Tag",
        max_length=PULSE_TAG_LABEL_MAX,
        validators=[single_line],
        help_text="A word or two, such as “Breaks” or “IT systems”.",
        error_messages={
            "required": "Enter a name for the tag.",
            "max_length": f"Use {PULSE_TAG_LABEL_MAX} characters or fewer: the tags fit a phone.",
        },
    )


class PulseTagEditForm(PulseTagForm):
    is_active = forms.BooleanField(
        label="Offer this tag in the check-in",
        required=False,
        help_text="A retired tag is no longer offered; past check-ins keep it.",
    )


def _render(request, template, context, form):
    return render(request, template, context, status=400 if form.errors else 200)


@admin_only
@require_http_methods(["GET", "POST"])
def pulse_tag_list(request, org_slug):
    """The organisation's tags, offered and retired, and the form to add one."""
    form = PulseTagForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            tag = pulse_tags.pulse_tag_add(
                member=request.membership, label=form.cleaned_data["label"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Added the tag “{tag.label}”.")
            return redirect("ideas:pulse_tag_list", org_slug=org_slug)
    context = {
        "form": form,
        "tags": PulseTag.objects.filter(organisation=request.organisation),
        "maximum": PULSE_TAGS_OFFERED_MAX,
        "pulse_enabled": request.organisation.pulse_enabled,
    }
    return _render(request, "ideas/pulse_tag_list.html", context, form)


@admin_only
@require_http_methods(["GET", "POST"])
def pulse_tag_edit(request, org_slug, tag_id):
    """Rename a tag, retire it or bring it back."""
    tag = get_object_or_404(PulseTag, organisation=request.organisation, pk=tag_id)
    initial = {"label": tag.label, "is_active": tag.is_active}
    form = PulseTagEditForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pulse_tags.pulse_tag_update(member=request.membership, tag=tag, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved the tag “{form.cleaned_data['label']}”.")
            return redirect("ideas:pulse_tag_list", org_slug=org_slug)
    return _render(request, "ideas/pulse_tag_edit.html", {"form": form, "tag": tag}, form)
