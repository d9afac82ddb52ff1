from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from improvewell import kept_pages
from improvewell.forms import add_service_errors, posted
from improvewell.http import safe_next
from improvewell.qr import qr_svg
from organisations import permissions
from organisations.models import Ward
from organisations.permissions import privileged

from . import idea_page, selectors, services
from .anonymity import is_submitter
from .board import board_page
from .categories import category_save
from .forms import (
    CategoryForm,
    CommentForm,
    EmailPreferenceForm,
    IdeaForm,
    WardPickForm,
)
from .idea_page import body_for_request
from .models import Category, Idea
from .similarity import similar_ideas

IDEAS_PER_PAGE = 20
NOTIFICATIONS_PER_PAGE = 30


def _idea_or_404(request, idea_id):
    idea = selectors.idea_for_member(request.membership, idea_id)
    if idea is None:
        raise Http404("No such idea.")
    return idea


@require_http_methods(["GET", "POST"])
def submit(request, org_slug):
    member = request.membership
    initial = {
        "submission_id": IdeaForm.new_submission_id(),
        "ward": _ward_asked(request) or member.home_ward_id,
    }
    form = IdeaForm(
        posted(request),
        organisation=request.organisation,
        initial=initial,
    )
    _suggest_similar(request, form)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                idea, _ = services.idea_submit(
                    member=member,
                    submission_id=data["submission_id"],
                    kind=data["kind"],
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    ward=data["ward"],
                    site=data["site"],
                    anonymous=data["anonymous"],
                    urgent=data["urgent"],
                )
            except services.RateLimited as exc:
                form.add_error(None, str(exc))
                status = 429
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                # Shown in answer to the POST, not after a redirect: a redirect to a URL
                # with the idea's id would tie the poster's address to an anonymous idea
                # in any access log. Resending the form is safe (same submission_id).
                return render(request, "ideas/submitted.html", {"idea": idea})
        else:
            status = 400
    return render(request, "ideas/submit.html", {"form": form}, status=status)


def _suggest_similar(request, form) -> None:
    """While a title is typed, htmx asks for ideas like it (`similar`), so that the member
    can support one instead. POSTed, title only: a draft title in a query string would sit
    in access logs beside the address of someone who may be about to share anonymously."""
    form.fields["title"].widget.attrs.update(
        {
            "hx-post": reverse("ideas:similar", kwargs={"org_slug": request.organisation.slug}),
            "hx-trigger": "input changed delay:500ms",
            "hx-params": "title",
            "hx-target": "#similar-ideas",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
        }
    )


@require_POST
def similar(request, org_slug):
    """Ideas with titles like the one being typed on the share form, for htmx: titles,
    status and supports, never who shared them; nothing for a few characters."""
    title = request.POST.get("title", "")[:200]
    return render(
        request,
        "ideas/_similar_ideas.html",
        {"similar": similar_ideas(request.organisation, title)},
    )


def _ward_asked(request) -> int | None:
    """The ward a poster's QR code asks for (?ward=), if the share form offers it."""
    asked = WardPickForm(request.GET)
    ward = asked.cleaned_data["ward"] if asked.is_valid() else None
    offered = Ward.objects.filter(organisation=request.organisation, is_active=True, pk=ward)
    return ward if ward and offered.exists() else None


def board(request, org_slug):
    return board_page(request)


def _mark_for_viewer(member, ideas) -> None:
    """What a board card's Support block needs: whether the viewer supports each idea
    and whether they shared it. Only the viewer sees either."""
    supported = selectors.supported_idea_ids(member, ideas)
    for idea in ideas:
        idea.viewer_supports = idea.pk in supported
        idea.viewer_is_submitter = is_submitter(member, idea)


def detail(request, org_slug, idea_id):
    page = idea_page.idea_page(request, idea_id)
    if page is None:
        raise Http404("No such idea.")
    # Most members have nothing unread: then there is nothing to mark read either.
    member = request.membership
    unread = selectors.unread_notification_count(member)
    if unread:
        unread -= services.notifications_mark_read_for_idea(
            member=member, idea=page["extra"]["idea"]
        )
    return kept_pages.response(request, page, idea_page.finish, unread=unread)


@require_POST
def support(request, org_slug, idea_id):
    member = request.membership
    # The idea's own row is all supporting needs (no ward, author or team to join).
    idea = Idea.objects.filter(organisation=request.organisation, pk=idea_id).first()
    if idea is None:
        raise Http404("No such idea.")
    error = None
    try:
        if request.POST.get("action") == "withdraw":
            services.idea_unsupport(member=member, idea=idea)
        else:
            services.idea_support(member=member, idea=idea)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        idea.refresh_from_db(fields=["support_count"])
        # The block that was clicked: a board card's, or the idea page's.
        if request.POST.get("card") == "1":
            _mark_for_viewer(member, [idea])
            board = safe_next(request, reverse("ideas:board", args=[org_slug]))
            context = {"card": True, "board_url": board.split("#")[0]}
        else:
            context = {
                "supported": idea.pk in selectors.supported_idea_ids(member, [idea]),
                "is_submitter": is_submitter(member, idea),
            }
        context.update(idea=idea, error=error)
        return render(request, "ideas/_support.html", context)
    if error:
        messages.error(request, error)
    return redirect(safe_next(request, idea_url(org_slug, idea)))


def idea_url(org_slug, idea):
    return reverse("ideas:detail", kwargs={"org_slug": org_slug, "idea_id": idea.pk})


@require_POST
def comment(request, org_slug, idea_id):
    member = request.membership
    idea = _idea_or_404(request, idea_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(member=member, idea=idea, body=form.cleaned_data["body"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Your comment has been added.")
            return redirect(idea_url(org_slug, idea) + "#comments")
    body = body_for_request(request, idea, form)
    context = {"idea": idea, "body": body, "comment_form": form}
    return render(request, "ideas/detail.html", context, status=400)


def my_ideas(request, org_slug):
    ideas = selectors.ideas_of_member(request.membership)
    page = Paginator(ideas, IDEAS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "ideas/my_ideas.html", {"page": page})


@require_http_methods(["GET", "POST"])
def notifications(request, org_slug):
    member = request.membership
    if request.method == "POST":
        count = services.notifications_mark_read(member=member)
        messages.success(
            request, f"Marked {count} notification{'s' if count != 1 else ''} as read."
        )
        return redirect("ideas:notifications", org_slug=org_slug)
    items = selectors.notifications_for(member).select_related("idea")
    page = Paginator(items, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "ideas/notifications.html", {"page": page})


@require_http_methods(["GET", "POST"])
def email_preferences(request, org_slug):
    form = EmailPreferenceForm(
        posted(request),
        initial={"email_notifications": request.user.email_notifications},
    )
    if request.method == "POST" and form.is_valid():
        services.email_preference_set(
            user=request.user, email_notifications=form.cleaned_data["email_notifications"]
        )
        messages.success(request, "Your email preference has been saved.")
        return redirect("ideas:notifications", org_slug=org_slug)
    return render(request, "ideas/email_preferences.html", {"form": form})


def you_said_we_did(request, org_slug, ward_id=None, poster=False):
    chosen = WardPickForm(request.GET)
    if ward_id is None and chosen.is_valid() and chosen.cleaned_data["ward"]:
        return redirect(
            "ideas:you_said_we_did_ward", org_slug=org_slug, ward_id=chosen.cleaned_data["ward"]
        )
    ward = None
    if ward_id is not None:
        ward = get_object_or_404(
            Ward.objects.select_related("site"), organisation=request.organisation, pk=ward_id
        )
    ideas = selectors.implemented_ideas(request.organisation, ward=ward)
    if poster:
        return _poster(request, ward, ideas[:6])
    wards = Ward.objects.filter(organisation=request.organisation).select_related("site")
    return render(
        request, "ideas/you_said_we_did.html", {"ward": ward, "ideas": ideas[:50], "wards": wards}
    )


def _poster(request, ward, ideas):
    """The A4 noticeboard poster, with a QR code for sharing an idea about its ward."""
    share = reverse("ideas:submit", args=[request.organisation.slug])
    address = request.build_absolute_uri(f"{share}?ward={ward.pk}")
    qr = qr_svg(address, title=f"QR code for sharing an idea about {ward.name}")
    return render(
        request,
        "ideas/poster.html",
        {"ward": ward, "ideas": ideas, "share_address": address, "qr": qr},
    )


@privileged(permissions.can_manage_organisation)
@require_http_methods(["GET", "POST"])
def category_list(request, org_slug):
    form = CategoryForm(posted(request), initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        try:
            category_save(
                organisation=request.organisation,
                name=form.cleaned_data["name"],
                is_active=form.cleaned_data["is_active"],
                by=request.membership,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Added the category “{form.cleaned_data['name']}”.")
            return redirect("ideas:category_list", org_slug=org_slug)
    categories = Category.objects.filter(organisation=request.organisation)
    return render(
        request,
        "ideas/category_list.html",
        {"form": form, "categories": categories},
        status=400 if form.errors else 200,
    )


@privileged(permissions.can_manage_organisation)
@require_http_methods(["GET", "POST"])
def category_edit(request, org_slug, category_id):
    category = get_object_or_404(Category, organisation=request.organisation, pk=category_id)
    form = CategoryForm(
        posted(request),
        initial={"name": category.name, "is_active": category.is_active},
    )
    if request.method == "POST" and form.is_valid():
        try:
            category_save(
                organisation=request.organisation,
                category=category,
                name=form.cleaned_data["name"],
                is_active=form.cleaned_data["is_active"],
                by=request.membership,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The category has been saved.")
            return redirect("ideas:category_list", org_slug=org_slug)
    return render(
        request,
        "ideas/category_edit.html",
        {"form": form, "category": category},
        status=400 if form.errors else 200,
    )
