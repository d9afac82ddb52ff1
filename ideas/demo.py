"""Demo ideas, comments and supports for `manage.py seed_demo` (pulse: pulse_demo.py).

Created through the services, as a real person would, then back-dated so that the
demo shows several weeks of activity. Idempotent: ideas have fixed ids, and an idea
that exists already is left exactly as it is.
"""

import random
import uuid
from datetime import timedelta

from django.utils import timezone

from organisations.models import Membership, Role

from . import anonymity, services
from .models import Category, Comment, Idea, IdeaEvent, Kind, Notification, Status

NAMESPACE = uuid.UUID("6f1c0f3e-2d7b-4b8e-9a65-0c1f3d5e7a90")

SUB, REV, PROG, DONE, NOPE = (
    Status.SUBMITTED,
    Status.UNDER_REVIEW,
    Status.IN_PROGRESS,
    Status.IMPLEMENTED,
    Status.NOT_TAKEN_FORWARD,
)

# (kind, title, description, ward index, category, anonymous, days ago, path, messages);
# a ward index ("site", n) names only the site of ward n, as an anonymous submitter on a
# small ward may choose.
# Concerns their sharer marked urgent (about patient safety).
URGENT = {"Not enough chargers for the observation machines"}
IDEAS = [
    (
        Kind.IDEA,
        "Night-time drug round trolley for the AMU",
        "At night we share one trolley between two bays and lose twenty minutes a round walking "
        "back and forth. A second trolley would let both bays start at the same time.",
        0,
        "Efficiency and waste",
        False,
        40,
        [REV, PROG, DONE],
        [
            "Thanks: the ward manager is pricing a second trolley.",
            "Trolley ordered; pharmacy will stock it from the 1st.",
            "A second trolley is now in use on nights. Rounds finish about 20 minutes earlier.",
        ],
    ),
    (
        Kind.CONCERN,
        "Broken hoist in bay 3 reported twice",
        "The ceiling hoist in bay 3 has been out of action for two weeks. We are using the mobile "
        "hoist, which takes longer and needs two staff.",
        6,
        "Equipment and facilities",
        True,
        35,
        [REV, PROG, DONE],
        [
            "Estates have been asked for a repair date.",
            "Engineer booked for Tuesday.",
            "The hoist was repaired and tested. Estates now check ceiling hoists monthly.",
        ],
    ),
    (
        Kind.IDEA,
        "Quiet room for staff breaks in ED",
        "There is nowhere to take a ten-minute break away from the department. The old relatives' "
        "room is rarely used at night.",
        1,
        "Staff wellbeing",
        False,
        33,
        [REV, PROG, DONE],
        [
            "Looking at which rooms could be used.",
            "The old relatives' room is being refurbished.",
            "The quiet room opened, with a kettle, a reclining chair and dimmable lights.",
        ],
    ),
    (
        Kind.IDEA,
        "Pictorial menus for patients with communication needs",
        "Patients with aphasia or little English struggle with the written menu. A picture menu "
        "would help them choose and keep their dignity.",
        5,
        "Patient experience",
        False,
        30,
        [REV, PROG, DONE],
        [
            "Speech and language therapy are helping design it.",
            "Draft menu being tested with three patients.",
            "Picture menus are now on every table on Ash Ward and catering print them weekly.",
        ],
    ),
    (
        Kind.CONCERN,
        "Porters paged for the same job twice",
        "We often get two pages for one transfer because the request is made on the phone and on "
        "the system. It wastes time at the busiest part of the day.",
        11,
        "Communication",
        True,
        28,
        [REV, PROG],
        [
            "We have asked the switchboard team to look at the duplicate requests.",
            "Trial of system-only requests starting on the medical wards.",
        ],
    ),
    (
        Kind.PRAISE,
        "Maternity team's calm handover during the power cut",
        "During Saturday's power cut the midwives kept every family informed and the handover was "
        "the calmest I have seen. Learning from excellence!",
        3,
        "Patient safety",
        False,
        26,
        [PROG, DONE],
        [
            "Shared with the maternity team and the board.",
            "Their handover checklist is now used as an example in induction.",
        ],
    ),
    (
        Kind.IDEA,
        "Label bins in theatres for recyclable packaging",
        "Most instrument packaging is clean plastic and card but goes into clinical waste. Clear "
        "bins would cut costs and waste.",
        9,
        "Environment and sustainability",
        False,
        24,
        [REV, PROG],
        [
            "Sustainability lead is keen: looking at bin space.",
            "Two-week trial in theatres 1 and 2.",
        ],
    ),
    (
        Kind.IDEA,
        "Text reminders for outpatient appointments",
        "About one in ten patients in our clinic do not attend. A text two days before would "
        "remind them and free slots for others.",
        6,
        "Efficiency and waste",
        False,
        22,
        [REV, NOPE],
        [
            "Checking with the digital team.",
            "The trust-wide reminder service starts next quarter and will cover this clinic, "
            "so we are not starting a separate one. Thank you for raising it.",
        ],
    ),
    (
        Kind.CONCERN,
        "Not enough chargers for the observation machines",
        "Machines run flat mid-round because there are only two chargers for six machines.",
        ("site", 0),
        "Equipment and facilities",
        True,
        20,
        [REV],
        ["Medical devices are counting chargers across the site."],
    ),
    (
        Kind.IDEA,
        "Handover sheet with falls risk at the top",
        "Falls risk is on page 2 of the handover sheet and gets missed. Moving it to the top "
        "would make it visible at a glance.",
        4,
        "Patient safety",
        False,
        18,
        [REV, PROG],
        ["Good idea: the falls group supports it.", "New sheet being printed."],
    ),
    (
        Kind.IDEA,
        "Water coolers on the wards in summer",
        "Staff and visitors get dehydrated during hot spells; the nearest cooler is in the main "
        "corridor.",
        7,
        "Staff wellbeing",
        False,
        16,
        [REV],
    ),
    (
        Kind.PRAISE,
        "Pharmacy turned round discharge meds in an hour",
        "On Friday pharmacy turned round six discharge prescriptions in an hour so patients "
        "could go home before the weekend. Thank you!",
        10,
        "Patient experience",
        False,
        14,
        [PROG, DONE],
        [
            "Passed on to the pharmacy team with thanks.",
            "Pharmacy's Friday fast-track for discharge medicines is now standard.",
        ],
    ),
    (
        Kind.CONCERN,
        "Visitors cannot find the stroke unit",
        "Signs from the main entrance stop at the lifts. Visitors keep arriving at the wrong ward.",
        5,
        "Patient experience",
        False,
        12,
        [REV],
    ),
    (
        Kind.IDEA,
        "Shared drive of ward induction videos",
        "New starters and agency staff ask the same questions. Short phone videos of where things "
        "are would help them on day one.",
        2,
        "Communication",
        False,
        10,
        [],
    ),
    (
        Kind.IDEA,
        "Swap paper fluid charts for the tablet",
        "We fill in paper fluid charts and then type them in. Recording straight on the tablet "
        "would save time and errors.",
        0,
        "Efficiency and waste",
        True,
        8,
        [],
    ),
    (
        Kind.CONCERN,
        "Estates job requests get no reply",
        "When I log a job I never hear whether it has been done, so I log it again.",
        11,
        "Communication",
        True,
        6,
        [],
    ),
    (
        Kind.IDEA,
        "Bike shelter near the staff entrance",
        "More of us would cycle if there were a covered, secure place to lock bikes.",
        8,
        "Environment and sustainability",
        False,
        4,
        [],
    ),
    (
        Kind.PRAISE,
        "Healthcare assistants on Oak Ward",
        "The HCAs on Oak Ward made a birthday card for a patient who had no visitors. Small "
        "things matter.",
        4,
        "Patient experience",
        False,
        2,
        [],
    ),
    (
        Kind.IDEA,
        "Hand gel at every bay entrance",
        "Some bays have no gel dispenser at the entrance, so people skip it when they are busy.",
        1,
        "Patient safety",
        False,
        1,
        [],
    ),
]

COMMENTS = [
    "Yes please: this affects us on nights too.",
    "We tried something similar on Ward 5 and it worked well.",
    "Happy to help test this.",
    "Is there any update on this?",
]


def seed_ideas(organisation, named_staff: Membership, lead: Membership):
    """Create the demo's ideas once. Returns how many were created this time."""
    categories = {c.name: c for c in Category.objects.filter(organisation=organisation)}
    members = list(
        Membership.objects.filter(organisation=organisation, role=Role.STAFF)
        .select_related("home_ward", "user")
        .order_by("user__email")
    )
    wards = sorted({m.home_ward for m in members if m.home_ward}, key=lambda w: w.pk)
    rng = random.Random(organisation.slug)
    now = timezone.now()
    created_count = 0
    for number, row in enumerate(IDEAS):
        kind, title, description, ward_index, category, anonymous, days_ago, path, *rest = row
        messages = rest[0] if rest else []
        # The demo staff login shares two ideas, one of them anonymously.
        submitter = named_staff if number in (1, 13) else members[(number * 7) % len(members)]
        site_only = isinstance(ward_index, tuple)
        ward = wards[(ward_index[1] if site_only else ward_index) % len(wards)]
        idea, created = services.idea_submit(
            member=submitter,
            submission_id=uuid.uuid5(NAMESPACE, f"{organisation.slug}:{number}"),
            kind=kind,
            title=title,
            description=description,
            category=categories[category],
            ward=None if site_only else ward,
            site=ward.site if site_only else None,
            anonymous=anonymous,
            urgent=title in URGENT,
        )
        if not created:
            continue
        created_count += 1
        submitted_at = now - timedelta(days=days_ago, hours=rng.randint(0, 10))
        moments = [submitted_at]
        for step, to_status in enumerate(path):
            services.idea_change_status(
                member=lead,
                idea=idea,
                to_status=to_status,
                message=messages[step] if step < len(messages) else "",
            )
            later = submitted_at + timedelta(days=2 + step * 4, hours=rng.randint(1, 8))
            moments.append(_not_after(later, now, step=len(path) - step))
        supporters = rng.sample(members, k=min(len(members), rng.randint(0, 14)))
        for supporter in supporters:
            if supporter.user_id != submitter.user_id:
                services.idea_support(member=supporter, idea=idea)
        for comment_number in range(rng.randint(0, 3)):
            commenter = members[(number + comment_number * 11) % len(members)]
            services.comment_add(
                member=commenter, idea=idea, body=COMMENTS[(number + comment_number) % 4]
            )
        _backdate(idea, moments)
    return created_count


def _not_after(moment, now, *, step=1):
    """`moment`, or a little before now (an hour a step, to keep their order) if it would be
    in the future: the demo never shows anything that has not happened yet."""
    return min(moment, now - timedelta(hours=step))


def _backdate(idea: Idea, moments):
    """Spread an idea's history over the weeks before today (demo data only)."""
    now = timezone.now()
    moments = [anonymity.stamp(idea, moment) for moment in moments]
    events = list(IdeaEvent.objects.filter(idea=idea).order_by("created_at", "id"))
    for event, moment in zip(events, moments, strict=False):
        IdeaEvent.objects.filter(pk=event.pk).update(created_at=moment)
    first_response = moments[1] if len(moments) > 1 else None
    Idea.objects.filter(pk=idea.pk).update(
        created_at=moments[0],
        status_changed_at=moments[-1] if len(moments) > 1 else None,
        first_response_at=first_response,
    )
    for offset, comment in enumerate(Comment.objects.filter(idea=idea)):
        Comment.objects.filter(pk=comment.pk).update(
            created_at=anonymity.stamp(
                idea, _not_after(moments[0] + timedelta(days=1 + offset, hours=3), now)
            )
        )
    Notification.objects.filter(idea=idea).update(created_at=moments[-1])
