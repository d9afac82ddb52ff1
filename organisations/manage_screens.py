"""Every organisation admin screen, one line each, for the admin home (/<org>/manage/).

Listed by URL name, so that a screen of an app above organisations needs no import
(tests/organisations/test_manage_home.py checks that every one resolves).
"""

from django.urls import reverse

# (URL name, title, what it is for)
SCREENS = [
    ("organisations:member_list", "Staff", "Who works here, their roles and home wards."),
    ("organisations:invitation_list", "Invitations", "Invite someone with a chosen role."),
    (
        "organisations:staff_import",
        "Import staff",
        "Add or update many people at once from a CSV file.",
    ),
    ("organisations:site_list", "Sites and wards", "Add, rename, move, archive and merge wards."),
    (
        "organisations:organisation_settings",
        "Organisation settings",
        "Name, sign-up email domains, suppression threshold, response target and pulse.",
    ),
    (
        "organisations:concern_settings",
        "Contacts for urgent concerns",
        "The Freedom to Speak Up guardian and the incident reporting link.",
    ),
    ("ideas:category_list", "Idea categories", "The categories people choose when they share."),
    (
        "ideas:pulse_tag_list",
        "Pulse tags",
        "What members can say made the difference when they check in after a shift.",
    ),
    (
        "triage:routing_rules",
        "Routing rules",
        "Send ideas from chosen wards or categories to a team's inbox.",
    ),
    ("webhooks:webhook_list", "Webhooks", "Tell other systems when ideas and projects change."),
    ("organisations:sso_settings", "Single sign-on", "Sign in with NHSmail (Microsoft Entra ID)."),
    (
        "audit:log",
        "Audit log",
        "Who changed what, and when: admin actions, roles, sign-ins, refusals.",
    ),
]


def screens_for(org_slug: str) -> list[dict]:
    """Every screen, with its address in this organisation."""
    return [
        {"url": reverse(name, kwargs={"org_slug": org_slug}), "title": t, "description": d}
        for name, t, d in SCREENS
    ]
