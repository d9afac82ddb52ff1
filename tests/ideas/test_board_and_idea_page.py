import re
import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django_scopes import scope, scopes_disabled

from ideas import services
from ideas.models import Category, Idea, Support
from improvewell import versions
from tests.conftest import membership
from tests.factories import MembershipFactory, SiteFactory, WardFactory

BOARD = "/city-hospitals/ideas/"


def people(organisation, ward, count):
    with scopes_disabled():
        return [
            m.user
            for m in MembershipFactory.create_batch(
                count, organisation=organisation, home_ward=ward
            )
        ]


def test_board_runs_a_fixed_number_of_queries(
    client_for, bob, organisation, ward, share, django_assert_max_num_queries
):
    client = client_for(bob)
    authors = people(organisation, ward, 3)
    for author in authors:
        share(author)
    with django_assert_max_num_queries(20) as few:
        assert client.get(BOARD).status_code == 200
    supporters = people(organisation, ward, 10)
    for n in range(25):
        idea = share(authors[n % 3], anonymous=n % 2 == 0, title=f"Idea {n}")
        for supporter in supporters[: n % 10]:
            with scope(organisation=organisation):
                services.idea_support(member=membership(supporter, organisation), idea=idea)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(BOARD).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(BOARD, {"sort": "supported", "page": "2"}).status_code == 200


def test_board_filters_by_ward_site_kind_status_and_text(
    client_for, bob, organisation, ward, share
):
    with scopes_disabled():
        other_site = SiteFactory(organisation=organisation, name="Riverside")
        oak = WardFactory(organisation=organisation, site=other_site, name="Oak Ward")
    share(bob, title="Night trolley", kind="idea")
    share(bob, title="Broken hoist on Oak Ward", kind="concern", ward=oak)
    client = client_for(bob)

    def titles(**params):
        content = client.get(BOARD, params).content.decode()
        return {t for t in ("Night trolley", "Broken hoist on Oak Ward") if t in content}

    assert titles() == {"Night trolley", "Broken hoist on Oak Ward"}
    assert titles(ward=oak.pk) == {"Broken hoist on Oak Ward"}
    assert titles(site=other_site.pk) == {"Broken hoist on Oak Ward"}
    assert titles(kind="idea") == {"Night trolley"}
    assert titles(status="implemented") == set()
    assert titles(q="hoist") == {"Broken hoist on Oak Ward"}
    assert titles(q="trolley") == {"Night trolley"}


def test_an_idea_naming_only_a_site_is_shown_and_filtered_by_its_site(
    client_for, bob, organisation, ward, share
):
    with scopes_disabled():
        riverside = SiteFactory(organisation=organisation, name="Riverside")
        oak = WardFactory(organisation=organisation, site=riverside, name="Oak Ward")
    share(bob, title="Lift out of order", anonymous=True, ward=None, site=riverside)
    client = client_for(bob)

    def board(**params):
        return client.get(BOARD, params).content.decode()

    assert "Lift out of order" in board(site=riverside.pk)
    assert "<span>Riverside</span>" in board(site=riverside.pk)
    assert "Lift out of order" not in board(ward=oak.pk)
    assert "Lift out of order" not in board(site=ward.site_id)
    mine = client.get("/city-hospitals/my-ideas/").content.decode()
    assert "Riverside" in mine


def test_search_uses_word_forms_on_postgresql(postgresql, client_for, bob, share):
    share(bob, title="Trolleys for the night rounds")
    content = client_for(bob).get(BOARD, {"q": "trolley"}).content.decode()
    assert "Trolleys for the night rounds" in content


def test_board_sorts_by_support(client_for, bob, lena, organisation, share):
    quiet = share(bob, title="Quiet idea")
    popular = share(bob, title="Popular idea")
    with scope(organisation=organisation):
        services.idea_support(member=membership(lena, organisation), idea=popular)
    content = client_for(lena).get(BOARD, {"sort": "supported"}).content.decode()
    assert content.index(popular.title) < content.index(quiet.title)


def test_board_has_useful_empty_states(client_for, bob, share):
    client = client_for(bob)
    assert "No ideas yet" in client.get(BOARD).content.decode()
    share(bob)
    assert "No ideas match your filters" in client.get(BOARD, {"q": "zebra"}).content.decode()


def test_board_ignores_nonsense_filters(client_for, bob, share):
    share(bob)
    response = client_for(bob).get(BOARD, {"ward": "x", "kind": "zzz", "page": "-3", "sort": "?"})
    assert response.status_code == 200


def test_board_filters_offer_and_accept_only_this_organisations_places(
    client_for, bob, organisation, other_organisation, other_ward, share
):
    share(bob, title="Night trolley", kind="idea")
    share(bob, title="Broken hoist", kind="concern")
    with scopes_disabled():
        other_category = Category.objects.filter(organisation=other_organisation).first()
    client = client_for(bob)
    form = client.get(BOARD).content.decode()
    assert "Birch Ward" not in form
    assert f">{other_ward.site.name}</option>" not in form
    # Another organisation's ward is a bad value: said so, and nothing is filtered, not even
    # by the good values next to it.
    content = client.get(BOARD, {"ward": other_ward.pk, "kind": "concern"}).content.decode()
    assert "Choose a ward of this organisation." in content
    assert "Night trolley" in content and "Broken hoist" in content
    content = client.get(BOARD, {"category": other_category.pk}).content.decode()
    assert "Select a valid choice." in content
    assert "Night trolley" in content and "Broken hoist" in content


def test_board_filter_form_keeps_its_parameters_labels_and_choices(client_for, bob, ward):
    content = client_for(bob).get(BOARD).content.decode()
    names = re.findall(r'<(?:input|select)[^>]* name="(\w+)"', content)
    assert [n for n in names if n != "csrfmiddlewaretoken"][:7] == [
        "q",
        "site",
        "ward",
        "category",
        "kind",
        "status",
        "sort",
    ]
    for text in (
        '<label class="nhsuk-label" for="id_q">Search (optional)</label>',
        '<option value="" selected>All sites</option>',
        f'<option value="{ward.pk}">Acute Medical Unit ({ward.site.name})</option>',
        '<option value="" selected>All categories</option>',
        '<option value="" selected>All types</option>',
        '<option value="" selected>Any status</option>',
        '<option value="newest">Newest first</option>',
        '<option value="supported">Most supported</option>',
    ):
        assert text in content


def test_idea_page_runs_a_fixed_number_of_queries(
    client_for, bob, organisation, ward, share, django_assert_max_num_queries
):
    idea = share(bob, anonymous=True)
    client = client_for(bob)
    url = f"/city-hospitals/ideas/{idea.pk}/"
    # Something unread both times, which the page marks read.
    (first,) = people(organisation, ward, 1)
    with scope(organisation=organisation):
        services.comment_add(member=membership(first, organisation), idea=idea, body="First")
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for person in people(organisation, ward, 12):
        member = membership(person, organisation)
        with scope(organisation=organisation):
            services.idea_support(member=member, idea=idea)
            services.comment_add(member=member, idea=idea, body="Me too")
    with scope(organisation=organisation):
        services.comment_add(member=membership(bob, organisation), idea=idea, body="Thanks all")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("Me too") == 12


def test_member_supports_once_and_can_withdraw(client_for, bob, lena, organisation, share):
    idea = share(bob)
    client = client_for(lena)
    url = f"/city-hospitals/ideas/{idea.pk}/support/"
    client.post(url)
    client.post(url)
    with scope(organisation=organisation):
        idea.refresh_from_db()
    assert idea.support_count == 1
    assert "Withdraw my support" in client.get(f"/city-hospitals/ideas/{idea.pk}/").content.decode()
    client.post(url, {"action": "withdraw"})
    with scope(organisation=organisation):
        idea.refresh_from_db()
    assert idea.support_count == 0


def test_support_answers_htmx_with_the_support_partial(client_for, bob, lena, share):
    idea = share(bob)
    response = client_for(lena).post(
        f"/city-hospitals/ideas/{idea.pk}/support/", HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.strip().startswith('<div id="support">')
    assert "Withdraw my support" in content


def test_nobody_supports_their_own_idea(client_for, bob, organisation, share):
    idea = share(bob, anonymous=True)
    client_for(bob).post(f"/city-hospitals/ideas/{idea.pk}/support/")
    with scope(organisation=organisation):
        idea.refresh_from_db()
    assert idea.support_count == 0
    with scope(organisation=organisation):
        assert not Support.objects.exists()


def test_comment_errors_are_shown_on_the_idea_page(client_for, bob, lena, share):
    idea = share(bob)
    response = client_for(lena).post(
        f"/city-hospitals/ideas/{idea.pk}/comments/", {"body": "x" * 2001}
    )
    assert response.status_code == 400
    assert "Comments must be 2000 characters or fewer." in response.content.decode()
    empty = client_for(lena).post(f"/city-hospitals/ideas/{idea.pk}/comments/", {"body": "  "})
    assert "Write a comment." in empty.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_supports_by_the_same_person_leave_one_row(
    postgresql, organisation, lena, bob, share
):
    idea = share(bob)
    member = membership(lena, organisation)
    barrier = threading.Barrier(2)
    errors = []

    def support():
        try:
            barrier.wait()
            with scope(organisation=organisation):
                services.idea_support(member=member, idea=idea)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=support) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with scope(organisation=organisation):
        assert Support.objects.filter(idea=idea).count() == 1
        assert Idea.objects.get(pk=idea.pk).support_count == 1


def forget_kept_pages():
    """As if every process started afresh: the cache's pages and each process's copies."""
    cache.clear()
    versions.in_process.clear()


def test_a_long_board_counts_only_up_to_its_cap_and_says_so(
    client_for, bob, share, monkeypatch, django_assert_max_num_queries
):
    """The count costs the same at a million ideas as at a thousand: past the cap the
    board says how many it shows and points to the filters."""
    monkeypatch.setattr("improvewell.pagination.COUNT_CAP", 3)
    for n in range(5):
        share(bob, title=f"Idea {n}")
    client = client_for(bob)
    page = client.get(BOARD).content.decode()
    assert "More than 3 ideas: the first 3 are shown here" in page
    forget_kept_pages()  # the list is kept until the ideas change: count afresh
    with django_assert_max_num_queries(20) as queries:
        client.get(BOARD)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    assert any("LIMIT 4" in sql for sql in counts)  # reads at most cap + 1 rows
    monkeypatch.setattr("improvewell.pagination.COUNT_CAP", 10)
    forget_kept_pages()
    assert "5 ideas." in client.get(BOARD).content.decode()
