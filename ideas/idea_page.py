"""An idea's page: rendered once for every member, finished for each.

Below the header the page is the same for every member of the organisation but for a
few parts: "(you)" and the anonymous submitter's note on comments (`is_submitter`), the
link to triage it (`can_triage_idea`), and the Support block. So the body is rendered
once per content version of the organisation (improvewell.versions), with those parts
marked (`{% for_viewer %}`) and the Support block in each of its three states, and kept;
a request then works out the viewer's three answers and fills them in.

What is kept holds nothing about any member (improvewell.slots). A page with a comment
form that came back with errors is rendered for its request alone.
"""

from django.template.loader import get_template
from django.utils.safestring import mark_safe

from improvewell import slots, versions
from organisations import permissions

from . import selectors
from .anonymity import is_submitter
from .board import STATES, support_state
from .forms import CommentForm

SUPPORT_SLOT = "\x00support\x00"


def idea_body(request, idea_id) -> dict | None:
    """{"idea", "html"}: the idea and its page's body as this member sees it, or None
    when the organisation has no such idea."""
    kept = versions.cached(
        request.organisation, "idea-page", [str(idea_id)], lambda: _render(request, idea_id)
    )
    if kept is None:
        return None
    idea, member = kept["idea"], request.membership
    marks = selectors.viewer_marks(member, [str(idea.pk)])
    own = marks.get(str(idea.pk), (False, False))[1]
    viewer = {"is_submitter": own, "can_triage_idea": permissions.can_triage_idea(member, idea)}
    html = kept["html"].replace(SUPPORT_SLOT, kept["support"][support_state(marks, str(idea.pk))])
    return {"idea": idea, "html": mark_safe(slots.filled(html, request, viewer))}  # noqa: S308


def body_for_request(request, idea, comment_form) -> str:
    """The body rendered for this request alone (a comment form with errors)."""
    member = request.membership
    context = detail_context(idea) | {
        "request": request,
        "comment_form": comment_form,
        "is_submitter": is_submitter(member, idea),
        "supported": idea.pk in selectors.supported_idea_ids(member, [idea]),
        "can_triage_idea": permissions.can_triage_idea(member, idea),
    }
    return get_template("ideas/_detail_body.html").render(context, request)


def detail_context(idea) -> dict:
    return {
        "idea": idea,
        "events": selectors.idea_timeline(idea),
        "comments": selectors.idea_comments(idea),
        "projects": list(idea.projects.all()),
        "merged_into": idea.merged_into,
    }


def _render(request, idea_id) -> dict | None:
    idea = selectors.idea_for_member(request.membership, idea_id)
    if idea is None:
        return None
    context = detail_context(idea) | slots.slot_context()
    context |= {"request": request, "comment_form": CommentForm(), "support_slot": SUPPORT_SLOT}
    support = get_template("ideas/_support.html")
    states = {
        state: support.render(context | {"supported": supports, "is_submitter": own})
        for state, (supports, own) in STATES.items()
    }
    html = get_template("ideas/_detail_body.html").render(context)
    # The idea as the views need it (its id, title, team, status): no people in it.
    kept_idea = type(idea)(
        pk=idea.pk,
        organisation_id=idea.organisation_id,
        title=idea.title,
        team_id=idea.team_id,
        status=idea.status,
        is_anonymous=idea.is_anonymous,
    )
    return {"idea": kept_idea, "html": html, "support": states}
