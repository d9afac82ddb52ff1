"""An idea's page: rendered once for every member with the same role, finished for each.

The page is the same for every member of the organisation with the same role but for
a few parts: "(you)" and the anonymous submitter's note on comments (`is_submitter`), the
link to triage it (`can_triage_idea`), and the Support block. So the body is rendered
once per content version of the organisation (improvewell.versions), with those parts
marked (`{% for_viewer %}`) and the Support block in each of its three states, and kept
whole (improvewell.kept_pages);
a request then works out the viewer's three answers and fills them in.

What is kept holds nothing about any member (improvewell.slots). A page with a comment
form that came back with errors is rendered for its request alone.
"""

from django.template.loader import get_template
from django.utils.safestring import mark_safe

from improvewell import kept_pages, slots
from organisations import permissions

from . import selectors
from .anonymity import is_submitter
from .board import STATES, support_state
from .forms import CommentForm

SUPPORT_SLOT = "\x00support\x00"


def idea_page(request, idea_id) -> dict | None:
    """The idea's page as every member with this role sees it (improvewell.kept_pages),
    or None when the organisation has no such idea. `extra["idea"]` is the idea, as the
    view needs it."""
    return kept_pages.page(
        request, "ideas/detail.html", "idea-page", [str(idea_id)], lambda: _build(request, idea_id)
    )


def finish(request, html: str, extra: dict) -> tuple[str, dict]:
    """The viewer's Support block, and whether they see the parts for the submitter and
    for those who may triage the idea."""
    idea, member = extra["idea"], request.membership
    marks = selectors.viewer_marks(member, [str(idea.pk)])
    own = marks.get(str(idea.pk), (False, False))[1]
    viewer = {"is_submitter": own, "can_triage_idea": permissions.can_triage_idea(member, idea)}
    html = html.replace(SUPPORT_SLOT, extra["support"][support_state(marks, str(idea.pk))])
    return html, viewer


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


def _build(request, idea_id) -> tuple[dict, dict] | None:
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
    body = get_template("ideas/_detail_body.html").render(context)
    # The idea as the views need it (its id, title, team, status): no people in it.
    kept_idea = type(idea)(
        pk=idea.pk,
        organisation_id=idea.organisation_id,
        title=idea.title,
        team_id=idea.team_id,
        status=idea.status,
        is_anonymous=idea.is_anonymous,
    )
    page = {"idea": kept_idea, "body": mark_safe(body), "comment_form": CommentForm()}  # noqa: S308
    return page, {"idea": kept_idea, "support": states}
