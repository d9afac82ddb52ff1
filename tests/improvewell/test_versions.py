"""The content versions that the cached pages are keyed by: every write the app sends
moves its organisation's version (or everyone's), whatever the code path; a write no
cached page shows moves nothing; a cache that is down breaks no write and no page."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection, transaction
from django_scopes import scopes_disabled

from ideas.models import Category, Idea, Notification
from improvewell import cache as cache_module
from improvewell import versions
from improvewell.rls import cross_organisation, tenant_scope


@pytest.fixture
def moves(organisation, other_organisation, postgresql):
    """What a block of code moved: (this organisation, the other, everyone's)."""

    def now():
        ours, everyone = versions.current(organisation.pk)
        theirs, _ = versions.current(other_organisation.pk)
        return ours, theirs, everyone

    class Moves:
        def __enter__(self):
            self.before = now()
            return self

        def __exit__(self, *exc):
            after = now()
            self.ours, self.theirs, self.everyone = (
                a != b for a, b in zip(after, self.before, strict=True)
            )

    return Moves


def test_a_write_in_an_organisation_moves_its_version_only(moves, organisation):
    with moves() as moved, tenant_scope(organisation):
        Category.objects.create(organisation=organisation, name="Kestrel matters")
    assert (moved.ours, moved.theirs, moved.everyone) == (True, False, False)


def test_an_update_through_a_queryset_moves_it_too(moves, organisation, categories):
    with moves() as moved, tenant_scope(organisation):
        Category.objects.filter(pk=categories["Efficiency and waste"].pk).update(name="Renamed")
    assert moved.ours and not moved.theirs


def test_raw_sql_moves_it_too(moves, organisation, categories):
    with moves() as moved, tenant_scope(organisation), connection.cursor() as cursor:
        cursor.execute("UPDATE ideas_category SET name = name || '!' WHERE id = %s", [1])
    assert moved.ours and not moved.theirs


def test_reads_move_nothing(moves, organisation, categories):
    with moves() as moved, tenant_scope(organisation):
        list(Category.objects.all())
    assert not (moved.ours or moved.theirs or moved.everyone)


def test_a_write_no_cached_page_shows_moves_nothing(moves, organisation, bob):
    with moves() as moved, tenant_scope(organisation):
        Notification.objects.filter(recipient=bob).update(is_read=True)
    assert not (moved.ours or moved.everyone)


def test_a_sign_in_moves_nothing_but_a_new_name_moves_everyone(moves, organisation, bob):
    with moves() as moved:
        bob.save(update_fields=["last_login"])
    assert not moved.everyone
    # Inside one organisation too: every organisation bob belongs to shows his name.
    with moves() as moved, tenant_scope(organisation):
        get_user_model().objects.filter(pk=bob.pk).update(name="Robert Porter")
    assert moved.everyone


def test_a_write_across_organisations_moves_everyone(moves, organisation):
    with moves() as moved, cross_organisation():
        organisation.name = "City Hospitals NHS Trust"
        organisation.save()
    assert moved.everyone


def test_the_version_moves_again_after_the_commit(organisation, categories, postgresql):
    """A page rendered from the old rows while the write was uncommitted, and cached under
    the version the write's statement moved to, is not served once the write is seen."""
    with transaction.atomic(), tenant_scope(organisation):
        Category.objects.filter(pk=categories["Efficiency and waste"].pk).update(name="Renamed")
        during = versions.current(organisation.pk)
        assert str(organisation.pk) in connection.content_written
        versions.after_commit(connection)  # what the backend does at a commit
    assert versions.current(organisation.pk) != during
    assert connection.content_written == set()


@pytest.mark.django_db(transaction=True)
def test_a_commit_moves_the_version_again(organisation, categories, postgresql):
    category = categories["Efficiency and waste"]
    with transaction.atomic(), tenant_scope(organisation):
        Category.objects.filter(pk=category.pk).update(name="Renamed")
        during = versions.current(organisation.pk)
    assert versions.current(organisation.pk) != during
    assert connection.content_written == set()


def test_a_rollback_forgets_what_was_written(organisation, categories, postgresql):
    with scopes_disabled():
        connection.content_written.add("999")
    connection._rollback()
    assert connection.content_written == set()


def test_a_cache_that_is_down_breaks_no_write_and_no_page(settings, organisation, postgresql):
    settings.CACHES = {
        "default": {
            "BACKEND": "improvewell.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    with tenant_scope(organisation):
        Category.objects.create(organisation=organisation, name="Written all the same")
    assert versions.current(organisation.pk) is None
    built = []
    assert versions.cached(organisation, "t", [], lambda: built.append(1) or "page") == "page"
    assert versions.cached(organisation, "t", [], lambda: built.append(1) or "page") == "page"
    assert built == [1, 1]  # built each time, kept nowhere


def test_moves_missed_while_the_cache_was_away_are_made_when_it_answers(
    organisation, categories, postgresql
):
    before = versions.current(organisation.pk)
    versions.breaker.down_until = float("inf")  # as after a failure, for a while
    with tenant_scope(organisation):
        Category.objects.filter(pk=categories["Efficiency and waste"].pk).update(name="Renamed")
    assert versions.current(organisation.pk) is None  # left alone meanwhile
    versions.breaker.down_until = 0.0  # the pause is over and the cache answers
    ours, everyone = versions.current(organisation.pk)
    assert ours != before[0] and everyone != before[1]
    assert versions.breaker.missed == set()


def test_nothing_is_kept_without_a_cache_every_process_shares(settings, organisation, postgresql):
    """With no Redis each process has a cache of its own, which another process's write
    would never reach: every page is built afresh."""
    settings.REDIS_URL = ""
    built = []
    for _ in range(2):
        versions.cached(organisation, "t", [], lambda: built.append(1) or "page")
    assert built == [1, 1]


def test_a_version_the_cache_lost_starts_again_from_a_random_number(organisation, postgresql):
    """Never from 1 again: a page kept under an earlier life of the version must not be
    taken for a fresh one."""
    pages = caches["pages"]
    versions.move([organisation.pk])
    first = pages.get(f"content-version:{organisation.pk}")
    versions.move([organisation.pk, "other"])
    assert pages.get(f"content-version:{organisation.pk}") == first + 1
    pages.delete(f"content-version:{organisation.pk}")
    versions.move([organisation.pk])
    again = pages.get(f"content-version:{organisation.pk}")
    assert again not in (None, 1, first + 1, first + 2) and again > 1000


def test_only_the_set_up_tables_move_the_set_up_version(organisation, categories, postgresql):
    setup = versions.setup(organisation.pk)
    before = versions.current(setup)
    with tenant_scope(organisation):
        Notification.objects.filter(organisation=organisation).update(is_read=True)
        Idea.objects.filter(organisation=organisation).update(status="submitted")
    assert versions.current(setup) == before
    with tenant_scope(organisation):
        organisation.name = "City and District Hospitals"
        organisation.save()
    assert versions.current(setup)[0] != before[0]


def test_a_shared_value_is_kept_in_the_process_until_a_write_moves_its_version(
    organisation, categories, postgresql, monkeypatch
):
    built, recalled = [], []
    original_recall = versions.recall
    monkeypatch.setattr(
        versions, "recall", lambda key: recalled.append(key) or original_recall(key)
    )

    def page():
        connection.versions_seen = {}  # each call as a new request's transaction
        return versions.cached(
            organisation, "t", [], lambda: built.append(1) or {"html": len(built)}, shared=True
        )

    first = page()
    assert page() is first and page() is first  # neither built nor asked of the cache again
    assert (built, len(recalled)) == ([1], 1)
    with tenant_scope(organisation):
        Category.objects.filter(pk=next(iter(categories.values())).pk).update(name="Renamed")
    assert page() == {"html": 2}
    # Another process, with no copy of its own, takes the cache's.
    versions.in_process.clear()
    assert page() == {"html": 2} and built == [1, 1]


def test_a_value_is_kept_in_the_process_no_longer_than_in_the_cache(
    organisation, postgresql, monkeypatch
):
    built = []
    clock = [1000.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(versions, "recall", lambda key: None)  # only the process's copy

    def page():
        connection.versions_seen = {}
        return versions.cached(organisation, "t", [], lambda: built.append(1) or "v", shared=True)

    page()
    clock[0] += versions.PAGE_SECONDS - 1
    page()
    assert built == [1]
    clock[0] += 2
    page()
    assert built == [1, 1]


def test_the_process_keeps_a_bounded_number_of_values(organisation, postgresql):
    for n in range(versions.in_process.size + 10):
        versions.cached(organisation, "t", [n], lambda n=n: f"page {n}", shared=True)
    assert len(versions.in_process.values) == versions.in_process.size
    assert versions.in_process.get(next(iter(versions.in_process.values))) is not None


def test_a_value_not_shared_is_never_held_by_the_process(organisation, postgresql):
    versions.cached(organisation, "t", [], lambda: ["a list its caller may change"])
    assert versions.in_process.values == {}
