"""`{% for_viewer "name" %}…{% endfor_viewer %}`: a part only some viewers see.

Rendered for one request, the part shows when the context's `name` is true. Rendered
to be kept for everyone (`kept_for_everyone` in the context, improvewell.slots), the
part is written between markers, and `slots.filled` keeps or drops it per request.
"""

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from improvewell import header, slots

register = template.Library()


class ForViewerNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name = name
        self.nodelist = nodelist

    def render(self, context):
        inner = self.nodelist.render(context)
        if context.get("kept_for_everyone"):
            return slots.viewer_part(self.name, inner)
        return inner if context.get(self.name) else ""


@register.tag
def for_viewer(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Use {% for_viewer "name" %}…{% endfor_viewer %}')
    nodelist = parser.parse(("endfor_viewer",))
    parser.delete_first_token()
    return ForViewerNode(bits[1][1:-1], nodelist)


@register.simple_tag(takes_context=True)
def site_header(context):
    """The header: kept across members on an organisation's pages (improvewell.header)."""
    request = context.get("request")
    if context.get("kept_for_everyone"):
        # A whole page kept across members (improvewell.kept_pages): slots, filled later.
        return mark_safe(header.kept_html(context))  # noqa: S308 (our template's HTML)
    if getattr(request, "membership", None) is not None and request.user.is_authenticated:
        return header.organisation_header(context)
    return get_template("includes/_header.html").render(context.flatten())
