"""The weekly digest for QI leads: their wards' new ideas, ideas past the response target,
and the week's figures. Titles only: a digest never names who shared an idea."""

from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse

from ideas.models import Idea
from ideas.selectors import past_response_target
from organisations import permissions
from organisations.models import Membership, Role, Ward

from .models import DailyFact, DigestSent
from .places import day_bounds

LISTED = 10


def lead_wards(member: Membership) -> list[Ward]:
    """The wards of the lead's teams; none means the whole organisation."""
    return list(Ward.objects.filter(teams__members=member).distinct().order_by("name"))


def digest_context(member: Membership, week_start: date) -> dict:
    organisation = member.organisation
    week_end = week_start + timedelta(days=6)
    start, _ = day_bounds(week_start)
    _, end = day_bounds(week_end)
    wards = lead_wards(member)
    ideas = Idea.objects.filter(organisation=organisation)
    if wards:
        ideas = ideas.filter(ward__in=wards)
    new = ideas.filter(created_at__gte=start, created_at__lt=end).order_by("-created_at")
    overdue = ideas.filter(past_response_target(organisation, at=end)).order_by("created_at")
    facts = DailyFact.objects.filter(
        organisation=organisation, day__gte=week_start, day__lte=week_end
    )
    facts = (
        facts.filter(scope_key__in=[f"ward:{w.pk}" for w in wards])
        if wards
        else facts.filter(scope_key="organisation")
    )
    figures = facts.aggregate(
        ideas=Sum("ideas"),
        implemented=Sum("implemented"),
        responded=Sum("responded"),
        within=Sum("responded_within_target"),
    )
    return {
        "member": member,
        "organisation": organisation,
        "week_start": week_start,
        "week_end": week_end,
        "wards": wards,
        "new_count": new.count(),
        "new": list(new[:LISTED]),
        "overdue_count": overdue.count(),
        "overdue": list(overdue[:LISTED]),
        "figures": {k: v or 0 for k, v in figures.items()},
        "inbox_link": settings.SITE_URL
        + reverse("triage:inbox", kwargs={"org_slug": organisation.slug}),
        "dashboard_link": settings.SITE_URL
        + reverse("dashboards:overview", kwargs={"org_slug": organisation.slug}),
    }


def send_weekly_digests(organisation, week_start: date) -> int:
    """Email each QI lead and admin who wants email their digest for the week, once."""
    leads = Membership.objects.filter(
        organisation=organisation,
        is_active=True,
        # Those who may read the dashboards: the digest is a summary of them.
        role__in=permissions.roles_from(Role.QI_LEAD),
        user__is_active=True,
        user__email_notifications=True,
    ).select_related("user", "organisation")
    sent = 0
    for member in leads:
        try:
            with transaction.atomic():
                DigestSent.objects.create(
                    organisation=organisation, user=member.user, week_start=week_start
                )
                context = digest_context(member, week_start)
                send_mail(
                    subject=f"[ImproveWell] Your week: {context['new_count']} new, "
                    f"{context['overdue_count']} waiting past the target",
                    message=render_to_string("dashboards/email/digest.txt", context),
                    from_email=None,
                    recipient_list=[member.user.email],
                )
        except IntegrityError:
            continue  # already sent this week
        sent += 1
    return sent
