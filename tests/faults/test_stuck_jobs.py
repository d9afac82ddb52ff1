"""Redis, the Celery broker, is down when an admin applies a staff import or merges two
wards: the change is saved and acknowledged, and what should have been queued (the
import's apply, the roll-up of the merged ward's past days) is sent again by a periodic
sweep once Redis is back, and done once. A real Redis process is stopped and started
(tests/faults/conftest.py); nothing is mocked.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F, Sum
from django.utils import timezone
from django_scopes import scopes_disabled

from dashboards.models import DailyFact, RollupRequest
from dashboards.rollup import rollup_range
from dashboards.tasks import rollup_requests_sweep_task
from improvewell.rls import tenant_scope
from organisations.models import ImportJob, Membership
from organisations.tasks import staff_import_sweep_task
from tests import factories

from .conftest import wait_until, worker

IMPORT = "/city-hospitals/manage/staff/import/"
CSV = (
    "email,name,role,staff group,home ward\n"
    "nia.new@city.nhs.uk,Nia New,staff,Registered nursing and midwifery,Acute Medical Unit\n"
    "omar.new@city.nhs.uk,Omar New,staff,pharmacy,Acute Medical Unit\n"
)


def job_state(job_id):
    with scopes_disabled():
        return ImportJob.objects.get(pk=job_id).state


def age_import(job_id, minutes=6):
    with scopes_disabled():
        ImportJob.objects.filter(pk=job_id).update(
            queued_at=F("queued_at") - timedelta(minutes=minutes)
        )


@pytest.mark.django_db(transaction=True)
def test_an_import_applied_while_redis_is_down_is_applied_once_by_the_sweep(
    postgresql, private_redis, client_for, alice, organisation, ward
):
    admin = client_for(alice)
    upload = SimpleUploadedFile("staff.csv", CSV.encode(), content_type="text/csv")
    checked = admin.post(IMPORT, {"file": upload, "mode": "create"})
    assert checked.status_code == 302
    job_id = checked.url.rstrip("/").rsplit("/", 1)[1]

    private_redis.stop()
    applied = admin.post(f"{IMPORT}{job_id}/")
    assert applied.status_code == 302
    page = admin.get(f"{IMPORT}{job_id}/")
    assert page.status_code == 200 and "Rows imported" in page.content.decode()
    assert job_state(job_id) == ImportJob.State.APPLYING

    private_redis.start()
    # Sent a moment ago: it may still be on its way, so the sweep leaves it.
    assert staff_import_sweep_task.apply().get() == 0
    age_import(job_id)
    assert staff_import_sweep_task.apply().get() == 1
    assert staff_import_sweep_task.apply().get() == 0  # claimed: not sent twice
    assert private_redis.queued() == 1
    with worker():
        assert wait_until(lambda: job_state(job_id) == ImportJob.State.APPLIED)
    with scopes_disabled():
        emails = set(
            Membership.objects.filter(organisation=organisation).values_list(
                "user__email", flat=True
            )
        )
    assert {"nia.new@city.nhs.uk", "omar.new@city.nhs.uk"} <= emails
    age_import(job_id)
    assert staff_import_sweep_task.apply().get() == 0  # applied: never again


def ward_ideas(organisation, ward):
    with scopes_disabled():
        rows = DailyFact.objects.filter(organisation=organisation, scope_key=f"ward:{ward.pk}")
        return rows.aggregate(n=Sum("ideas"))["n"] or 0


def requests(organisation):
    with scopes_disabled():
        return list(RollupRequest.objects.filter(organisation=organisation))


@pytest.mark.django_db(transaction=True)
def test_a_merge_made_while_redis_is_down_is_rolled_up_once_the_sweep_sends_it(
    postgresql, private_redis, client_for, alice, organisation, ward
):
    with scopes_disabled():
        merged = factories.WardFactory(organisation=organisation, name="Ward 7B")
        author = factories.MembershipFactory(organisation=organisation).user
        for kept_or_merged in (merged, merged, ward):
            factories.IdeaFactory(organisation=organisation, ward=kept_or_merged, author=author)
    with tenant_scope(organisation):
        today = timezone.localdate()
        rollup_range(organisation, today, today)
    assert (ward_ideas(organisation, ward), ward_ideas(organisation, merged)) == (1, 2)

    private_redis.stop()
    done = client_for(alice).post(
        f"/city-hospitals/manage/wards/{merged.pk}/merge/", {"into": ward.pk}
    )
    assert done.status_code == 302
    [request] = requests(organisation)
    assert request.queued_at is None  # the broker did not take it
    assert ward_ideas(organisation, ward) == 1  # the figures are as they were, for now

    private_redis.start()
    assert rollup_requests_sweep_task.apply().get() == 0  # its own send may still be trying
    with scopes_disabled():
        RollupRequest.objects.filter(pk=request.pk).update(
            requested_at=F("requested_at") - timedelta(minutes=3)
        )
    assert rollup_requests_sweep_task.apply().get() == 1
    assert rollup_requests_sweep_task.apply().get() == 0  # sent: not twice
    with worker():
        assert wait_until(lambda: not requests(organisation))
    assert (ward_ideas(organisation, ward), ward_ideas(organisation, merged)) == (3, 0)
