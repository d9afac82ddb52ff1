"""QI projects: who may change them, starting them from ideas, stages, driver diagrams, audit."""

from datetime import date

from django.core import mail
from django_scopes import scopes_disabled

from audit.models import AuditEvent
from ideas.models import Notification
from projects import services as project_services
from projects.models import DriverNode, Project, Stage
from tests.conftest import membership
from tests.teamwork import ORG, page, person


def project_url(project, rest=""):
    return f"{ORG}/projects/{project.pk}/{rest}"


def project_form(team, **fields):
    return {
        "title": "Faster discharge",
        "aim": "Discharge 40% of patients before noon by March.",
        "team": team.pk,
        **fields,
    }


def edit_form(project, **fields):
    with scopes_disabled():
        wards = [w.pk for w in project.wards.all()]
    return {
        "title": project.title,
        "aim": project.aim,
        "stage": project.stage,
        "team": project.team_id,
        "wards": wards,
        "start_date": project.start_date or "",
        "target_date": project.target_date or "",
        **fields,
    }


def fresh(obj):
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def audit_actions(project):
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(project=project)
            .order_by("id")
            .values_list("action", flat=True)
        )


def nodes(project):
    with scopes_disabled():
        return sorted(DriverNode.objects.filter(project=project).values_list("text", flat=True))


# Who may do what ----------------------------------------------------------------------


def test_staff_can_read_projects_but_not_change_them(client_for, bob, project, measure):
    client = client_for(bob)
    assert client.get(f"{ORG}/projects/").status_code == 200
    detail = client.get(project_url(project))
    assert detail.status_code == 200
    assert "Change the project, its stage or dates" not in page(detail)
    assert "Add to the driver diagram" not in page(detail)
    assert client.get(project_url(project, f"measures/{measure.pk}/")).status_code == 200
    assert client.get(f"{ORG}/projects/new/").status_code == 403
    assert client.get(project_url(project, "edit/")).status_code == 403
    assert client.post(project_url(project, "edit/"), edit_form(project)).status_code == 403
    driver = {"level": "primary", "text": "Timely decisions"}
    assert client.post(project_url(project, "drivers/"), driver).status_code == 403
    assert nodes(project) == []
    assert audit_actions(project) == []


def test_a_team_member_on_staff_changes_their_teams_project_only(
    client_for, tess, project, other_project
):
    client = client_for(tess)
    assert client.get(project_url(project, "edit/")).status_code == 200
    response = client.post(project_url(project, "edit/"), edit_form(project, stage="planning"))
    assert response.status_code == 302
    assert fresh(project).stage == Stage.PLANNING
    driver = {"level": "primary", "text": "Timely decisions"}
    assert client.post(project_url(project, "drivers/"), driver).status_code == 302

    assert client.get(project_url(other_project, "edit/")).status_code == 403
    refused = client.post(
        project_url(other_project, "edit/"), edit_form(other_project, stage="testing")
    )
    assert refused.status_code == 403
    assert fresh(other_project).stage == Stage.SCOPING
    assert client.post(project_url(other_project, "drivers/"), driver).status_code == 403
    assert nodes(other_project) == []


def test_a_team_member_on_staff_starts_projects_only_for_their_own_team(
    client_for, tess, team, other_team
):
    client = client_for(tess)
    assert client.get(f"{ORG}/projects/new/").status_code == 200
    response = client.post(f"{ORG}/projects/new/", project_form(other_team))
    assert response.status_code == 400
    assert response.context["form"].errors["team"] == ["Choose one of the teams listed."]
    with scopes_disabled():
        assert not Project.objects.exists()
    assert client.post(f"{ORG}/projects/new/", project_form(team)).status_code == 302


def test_an_org_admin_can_change_any_project(client_for, alice, other_project):
    client = client_for(alice)
    assert client.get(f"{ORG}/projects/new/").status_code == 200
    assert client.get(project_url(other_project, "edit/")).status_code == 200
    response = client.post(
        project_url(other_project, "edit/"), edit_form(other_project, stage="testing")
    )
    assert response.status_code == 302
    assert fresh(other_project).stage == Stage.TESTING
    driver = {"level": "primary", "text": "Hip protectors"}
    assert client.post(project_url(other_project, "drivers/"), driver).status_code == 302
    assert nodes(other_project) == ["Hip protectors"]


def test_a_qi_lead_on_the_team_changes_its_project(client_for, lena, organisation, project):
    with scopes_disabled():
        project.team.members.add(membership(lena, organisation))
    client = client_for(lena)
    assert client.get(f"{ORG}/projects/new/").status_code == 200
    response = client.post(project_url(project, "edit/"), edit_form(project, stage="testing"))
    assert response.status_code == 302
    assert fresh(project).stage == Stage.TESTING
    text = page(client.get(project_url(project)))
    assert "Change the project, its stage or dates" in text
    assert "Audit trail" in text


# Starting a project --------------------------------------------------------------------------


def test_a_project_started_from_ideas_links_them_and_tells_their_submitters(
    client_for, alice, bob, tess, share, team, ward, django_capture_on_commit_callbacks
):
    first = share(bob, title="Discharge lounge opens at eight")
    second = share(tess, title="Pharmacy to-take-outs the day before", anonymous=True)
    client = client_for(alice)
    form = client.get(f"{ORG}/projects/new/", {"ideas": [first.pk, second.pk]})
    assert form.status_code == 200
    text = page(form)
    assert "From 2 staff ideas: the people who shared them will be told." in text
    assert "Discharge lounge opens at eight" in text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{ORG}/projects/new/",
            project_form(
                team,
                ideas=[first.pk, second.pk],
                wards=[ward.pk],
                start_date="2026-01-05",
                target_date="2026-03-31",
            ),
        )
    assert response.status_code == 302
    with scopes_disabled():
        project = Project.objects.get()
        assert sorted(i.title for i in project.ideas.all()) == [
            "Discharge lounge opens at eight",
            "Pharmacy to-take-outs the day before",
        ]
        texts = sorted(Notification.objects.values_list("text", flat=True))
    assert response["Location"] == project_url(project)
    assert texts == [
        "“Discharge lounge opens at eight” is now part of the QI project “Faster discharge”",
        "“Pharmacy to-take-outs the day before” is now part of the QI project “Faster discharge”",
    ]
    # The named submitter is emailed now; the anonymous one by the daily email.
    assert [m.to[0] for m in mail.outbox] == ["bob@city.nhs.uk"]

    detail = page(client.get(project_url(project)))
    assert "From 5 January 2026 to 31 March 2026" in detail
    assert "Acute Medical Unit" in detail
    assert f'<a href="{ORG}/ideas/{first.pk}/">Discharge lounge opens at eight</a>' in detail
    idea_page = page(client_for(bob).get(f"{ORG}/ideas/{first.pk}/"))
    assert (
        f'Part of the QI project: <a href="{ORG}/projects/{project.pk}/">Faster discharge</a> '
        "(scoping)." in idea_page
    )


def test_a_project_from_one_idea_takes_its_title(client_for, alice, bob, share):
    idea = share(bob, title="Discharge lounge opens at eight")
    response = client_for(alice).get(f"{ORG}/projects/new/", {"ideas": idea.pk})
    assert response.context["form"].initial["title"] == "Discharge lounge opens at eight"
    assert "From 1 staff idea: the people who shared it will be told." in page(response)


def test_a_project_can_be_started_from_scratch(client_for, alice, team):
    response = client_for(alice).post(f"{ORG}/projects/new/", project_form(team), follow=True)
    assert response.status_code == 200
    text = page(response)
    assert "The project has been created." in text
    assert "Started from scratch: no staff ideas linked yet." in text
    with scopes_disabled():
        project = Project.objects.get()
        assert (project.title, project.team, project.stage) == ("Faster discharge", team, "scoping")
    assert audit_actions(project) == ["created project"]
    with scopes_disabled():
        assert not Notification.objects.exists()


def test_a_target_date_before_the_start_date_is_a_field_error(client_for, alice, team, project):
    client = client_for(alice)
    response = client.post(
        f"{ORG}/projects/new/",
        project_form(team, start_date="2026-03-01", target_date="2026-02-01"),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["target_date"] == [
        "The target date must be after the start date."
    ]
    with scopes_disabled():
        assert Project.objects.count() == 1
    edit = client.post(
        project_url(project, "edit/"),
        edit_form(project, start_date="2026-03-01", target_date="2026-02-01"),
    )
    assert edit.status_code == 400
    assert "The target date must be after the start date." in page(edit)
    assert fresh(project).start_date is None


def test_a_stage_change_tells_the_submitters_of_linked_ideas(
    client_for, alice, bob, share, project, as_member, django_capture_on_commit_callbacks
):
    idea = share(bob, title="Discharge lounge opens at eight")
    as_member(alice, project_services.project_link_idea, project=project, idea=idea)
    client = client_for(alice)
    with scopes_disabled():
        Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(project_url(project, "edit/"), edit_form(project, title="Home by noon"))
    with scopes_disabled():
        assert not Notification.objects.exists()  # no new stage, no news
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            project_url(project, "edit/"), edit_form(fresh(project), stage="testing")
        )
    assert response.status_code == 302
    with scopes_disabled():
        (notification,) = Notification.objects.all()
    assert notification.recipient == bob
    assert notification.text == "The QI project “Home by noon” is now at the testing stage"
    assert [m.to for m in mail.outbox] == [["bob@city.nhs.uk"]]
    with scopes_disabled():
        event = AuditEvent.objects.filter(project=project, action="updated project").latest("id")
    assert (event.before, event.after) == ({"stage": "scoping"}, {"stage": "testing"})


def test_an_idea_is_linked_to_a_project_from_the_triage_page_once(
    client_for, alice, bob, share, project, django_capture_on_commit_callbacks
):
    idea = share(bob, title="Discharge lounge opens at eight")
    client = client_for(alice)
    url = f"{ORG}/triage/{idea.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            response = client.post(url, {"action": "link", "project": project.pk})
            assert response.status_code == 302
    with scopes_disabled():
        assert list(project.ideas.all()) == [idea]
        assert Notification.objects.count() == 1
    assert audit_actions(project) == ["linked idea"]
    assert "Faster discharge before noon" in page(client.get(url))


def test_every_project_action_is_in_the_audit_trail_for_the_team_only(
    client_for, alice, tess, bob, share, team, as_member
):
    idea = share(bob, title="Discharge lounge opens at eight")
    project = as_member(
        alice,
        project_services.project_create,
        title="Faster discharge",
        aim="Home by noon.",
        team=team,
        wards=[],
        ideas=[idea],
    )
    as_member(
        alice,
        project_services.project_update,
        project=project,
        title="Faster discharge",
        aim="Home by noon.",
        stage=Stage.TESTING,
        team=team,
        wards=[],
        start_date=None,
        target_date=None,
    )
    primary = as_member(
        tess,
        project_services.driver_node_add,
        project=project,
        level="primary",
        text="Timely decisions",
    )
    as_member(tess, project_services.driver_node_remove, node=primary)
    measure = as_member(
        tess, project_services.measure_save, project=project, name="Before noon", unit="%"
    )
    as_member(
        tess,
        project_services.measure_points_add,
        measure=measure,
        points=[(date(2026, 1, 5), 20.0), (date(2026, 1, 12), 25.0)],
    )
    as_member(
        tess,
        project_services.pdsa_save,
        project=project,
        change="Board round at eight",
        prediction="More discharges before noon",
        start_date=date(2026, 1, 6),
    )
    assert audit_actions(project) == [
        "created project",
        "linked idea",
        "updated project",
        "added to driver diagram",
        "removed from driver diagram",
        "added measure",
        "added data",
        "added PDSA cycle",
    ]
    for user, name in [(alice, "Alice Admin"), (tess, "Tess Teamwork")]:
        text = page(client_for(user).get(project_url(project)))
        trail = text[text.index('<h2 id="audit">Audit trail</h2>') :]
        assert name in trail
        for action in ("created project", "stage: testing", "change: Board round at eight"):
            assert action in trail
        assert "points: 2" in trail
    for_staff = page(client_for(bob).get(project_url(project)))
    assert "Audit trail" not in for_staff
    assert "created project" not in for_staff


def test_the_project_list_shows_stage_team_and_idea_count_and_filters_by_stage(
    client_for, bob, alice, share, project, other_project, as_member
):
    as_member(alice, project_services.project_link_idea, project=project, idea=share(bob))
    with scopes_disabled():
        Project.objects.filter(pk=other_project.pk).update(stage=Stage.TESTING)
    client = client_for(bob)
    text = page(client.get(f"{ORG}/projects/"))
    assert "Team: Patient Flow Team · 1 staff idea" in text
    assert "Team: Falls Prevention Team · 0 staff ideas" in text
    testing = page(client.get(f"{ORG}/projects/", {"stage": "testing"}))
    assert "Fewer falls at night" in testing
    assert "Faster discharge before noon" not in testing
    assert "No projects at this stage yet." in page(
        client.get(f"{ORG}/projects/", {"stage": "complete"})
    )


# Driver diagram --------------------------------------------------------------------------


def add_node(client, project, **fields):
    return client.post(project_url(project, "drivers/"), fields)


def test_a_driver_diagram_is_built_from_primary_to_change_idea(
    client_for, alice, bob, share, project, as_member
):
    idea = share(bob, title="Discharge lounge opens at eight")
    as_member(alice, project_services.project_link_idea, project=project, idea=idea)
    client = client_for(alice)
    response = add_node(client, project, level="primary", text="Timely decisions")
    assert response.status_code == 302
    assert response["Location"] == project_url(project) + "#drivers"
    with scopes_disabled():
        primary = DriverNode.objects.get(level="primary")
    add_node(client, project, level="secondary", text="Senior review by ten", parent=primary.pk)
    with scopes_disabled():
        secondary = DriverNode.objects.get(level="secondary")
    # Empty text: the change idea takes the staff idea's title.
    response = add_node(client, project, level="change", parent=secondary.pk, idea=idea.pk)
    assert response.status_code == 302
    add_node(client, project, level="change", parent=secondary.pk, text="Criteria-led discharge")

    text = page(client_for(bob).get(project_url(project)))
    diagram = text[text.index('<ul class="iw-tree__list iw-tree__list--root">') :]
    level = '<p class="iw-tree__level">{}</p>\n  <p class="iw-tree__text">{}'
    aim_at = diagram.index('<p class="iw-tree__level">Aim</p>')
    primary_at = diagram.index(level.format("Primary driver", "Timely decisions"))
    secondary_at = diagram.index(level.format("Secondary driver", "Senior review by ten"))
    link = level.format(
        "Change idea",
        f'<a href="{ORG}/ideas/{idea.pk}/">Discharge lounge opens at eight</a> '
        '<span class="iw-tree__note">(a staff idea)</span>',
    )
    change_at = diagram.index(link)
    plain_at = diagram.index(level.format("Change idea", "Criteria-led discharge"))
    assert aim_at < primary_at < secondary_at < change_at < plain_at
    # Nested: each level opens a list inside the one above it.
    assert diagram[aim_at:primary_at].count('<ul class="iw-tree__list">') == 1
    assert diagram[primary_at:secondary_at].count('<ul class="iw-tree__list">') == 1
    assert diagram[secondary_at:change_at].count('<ul class="iw-tree__list">') == 1


def test_a_secondary_driver_needs_a_primary_driver(client_for, alice, project):
    response = add_node(client_for(alice), project, level="secondary", text="Senior review")
    assert response.status_code == 400
    assert response.context["node_form"].errors["parent"] == [
        "Choose the primary driver this belongs to."
    ]
    assert "Choose the primary driver this belongs to." in page(response)
    assert nodes(project) == []


def test_a_change_idea_cannot_hang_from_a_primary_driver(client_for, alice, project, as_member):
    primary = as_member(
        alice,
        project_services.driver_node_add,
        project=project,
        level="primary",
        text="Timely decisions",
    )
    response = add_node(
        client_for(alice), project, level="change", text="Criteria-led", parent=primary.pk
    )
    assert response.status_code == 400
    assert response.context["node_form"].errors["parent"] == [
        "Choose the secondary driver this belongs to."
    ]
    assert nodes(project) == ["Timely decisions"]


def test_a_primary_driver_hangs_from_the_aim(client_for, alice, project, as_member):
    primary = as_member(
        alice,
        project_services.driver_node_add,
        project=project,
        level="primary",
        text="Timely decisions",
    )
    response = add_node(client_for(alice), project, level="primary", text="Beds", parent=primary.pk)
    assert response.status_code == 400
    assert response.context["node_form"].errors["parent"] == [
        "A primary driver hangs from the aim, not another box."
    ]
    assert nodes(project) == ["Timely decisions"]


def test_only_a_change_idea_is_a_staff_idea_and_only_a_linked_one(
    client_for, alice, bob, share, project, as_member
):
    linked = share(bob, title="Discharge lounge opens at eight")
    unlinked = share(bob, title="Quieter bleeps")
    as_member(alice, project_services.project_link_idea, project=project, idea=linked)
    client = client_for(alice)
    response = add_node(client, project, level="primary", idea=linked.pk)
    assert response.status_code == 400
    assert response.context["node_form"].errors["idea"] == [
        "Only a change idea can be a staff idea."
    ]
    primary = as_member(
        alice,
        project_services.driver_node_add,
        project=project,
        level="primary",
        text="Timely decisions",
    )
    secondary = as_member(
        alice,
        project_services.driver_node_add,
        project=project,
        level="secondary",
        text="Senior review",
        parent=primary,
    )
    response = add_node(client, project, level="change", parent=secondary.pk, idea=unlinked.pk)
    assert response.status_code == 400
    assert response.context["node_form"].errors["idea"] == [
        "Choose an idea linked to this project."
    ]
    assert nodes(project) == ["Senior review", "Timely decisions"]


def test_a_box_of_another_projects_diagram_cannot_be_a_parent(
    client_for, alice, project, other_project, as_member
):
    elsewhere = as_member(
        alice,
        project_services.driver_node_add,
        project=other_project,
        level="primary",
        text="Hip pads",
    )
    response = add_node(
        client_for(alice), project, level="secondary", text="Senior review", parent=elsewhere.pk
    )
    assert response.status_code == 400
    assert response.context["node_form"].errors["parent"] == ["Choose a box of this diagram."]
    assert nodes(project) == []


def test_removing_a_box_asks_first_then_removes_what_hangs_from_it(
    client_for, alice, bob, project, other_project, as_member
):
    primary = as_member(
        alice,
        project_services.driver_node_add,
        project=project,
        level="primary",
        text="Timely decisions",
    )
    secondary = as_member(
        alice,
        project_services.driver_node_add,
        project=project,
        level="secondary",
        text="Senior review",
        parent=primary,
    )
    as_member(
        alice,
        project_services.driver_node_add,
        project=project,
        level="change",
        text="Board round at eight",
        parent=secondary,
    )
    as_member(
        alice, project_services.driver_node_add, project=project, level="primary", text="Beds"
    )
    url = project_url(project, f"drivers/{primary.pk}/remove/")
    client = client_for(alice)

    assert client_for(bob).get(url).status_code == 403
    assert client_for(bob).post(url).status_code == 403
    assert client.get(project_url(other_project, f"drivers/{primary.pk}/remove/")).status_code == (
        404
    )
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Remove “Timely decisions”?" in page(confirm)
    assert "Anything that hangs from it in the driver diagram is removed too." in page(confirm)
    assert len(nodes(project)) == 4

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == project_url(project) + "#drivers"
    assert nodes(project) == ["Beds"]
    with scopes_disabled():
        event = AuditEvent.objects.filter(action="removed from driver diagram").get()
    assert event.before == {"primary": "Timely decisions"}


def test_linking_an_idea_with_a_long_title_to_a_project_with_a_long_title_notifies(
    alice, bob, share, project, as_member
):
    idea = share(bob, title="I" * 120)
    with scopes_disabled():
        Project.objects.filter(pk=project.pk).update(title="P" * 160)
        project.refresh_from_db()
    as_member(alice, project_services.project_link_idea, project=project, idea=idea)
    with scopes_disabled():
        (notification,) = Notification.objects.all()
    assert len(notification.text) <= 300


def test_a_qi_lead_without_two_factor_is_sent_to_set_it_up_before_starting_a_project(
    client_for, organisation, team
):
    lead = person(organisation, "new.lead@city.nhs.uk", "New Lead", role="qi_lead")
    with scopes_disabled():
        team.members.add(lead.memberships.get())
    response = client_for(lead).get(f"{ORG}/projects/new/")
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/totp/activate/"
