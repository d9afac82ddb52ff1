"""allauth's pages in the service's own voice: sentence case, and no placeholder text.

allauth writes its titles, headings, buttons and labels in title case ("Sign In", "Change
Password") and puts example text in its inputs; the NHS.UK service manual asks for sentence
case and for hints instead of placeholders. The element templates in templates/allauth/
apply these filters, so every allauth page (and any a new version adds) follows suit.
"""

import re

from django import template
from django.utils.safestring import SafeData, mark_safe

register = template.Library()

# Words that keep their capital inside a sentence.
PROPER = frozenset({"I", "ImproveWell", "Microsoft", "Google", "Apple", "Entra"})
WORD = re.compile(r"[A-Za-z]+")
TAG = re.compile(r"(<[^>]*>)")


def _in_sentence(word: str) -> str:
    # Only a capitalised ordinary word is lowered: acronyms (TOTP, IP) and names written
    # in mixed case (ImproveWell) keep their form.
    if word in PROPER or not (word[0].isupper() and word[1:].islower()):
        return word
    return word.lower()


@register.filter(is_safe=True)
def sentence_case(value):
    """ "Two-Factor Authentication" -> "Two-factor authentication"; tags are left alone."""
    text = str(value).strip()
    first = True

    def fix(match):
        nonlocal first
        if first:
            first = False
            return match.group(0)
        return _in_sentence(match.group(0))

    parts = TAG.split(text)
    for i, part in enumerate(parts):
        if not part.startswith("<"):
            parts[i] = WORD.sub(fix, part)
    result = "".join(parts)
    return mark_safe(result) if isinstance(value, SafeData) else result  # noqa: S308


@register.filter
def nhs_field(bound_field):
    """The field as the service's field template shows it: sentence case label, no
    placeholder (a hint says what to type, where one is needed)."""
    bound_field.field.widget.attrs.pop("placeholder", None)
    bound_field.label = sentence_case(bound_field.label)
    return bound_field.as_field_group()
