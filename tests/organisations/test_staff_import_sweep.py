"""The sweep that sends again a staff import left applying (organisations.tasks): it
leaves a job a worker is applying, sends each stuck job once per period, and gives up on
one that never got applied, saying so on the job's page."""

import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from organisations.models import ImportJob
from organisations.tasks import IMPORT_GIVEN_UP, IMPORT_MAX_REQUEUES, staff_import_sweep_task


def job(organisation, alice, **fields):
    with scopes_disabled():
        return ImportJob.objects.create(
            organisation=organisation,
            created_by=alice,
            applied_by=alice,
            mode=ImportJob.Mode.CREATE,
            state=ImportJob.State.APPLYING,
            file_name="staff.csv",
            content="email,name\n",
            total=0,
            queued_at=timezone.now() - timedelta(minutes=10),
            **fields,
        )


def state(pk):
    with scopes_disabled():
        return ImportJob.objects.get(pk=pk)


def test_a_job_sent_again_too_often_is_given_up_and_says_so(
    client_for, organisation, alice, monkeypatch
):
    stuck = job(organisation, alice, requeued=IMPORT_MAX_REQUEUES)
    assert staff_import_sweep_task() == 0
    given_up = state(stuck.pk)
    assert given_up.state == ImportJob.State.FAILED and given_up.content == ""
    page = client_for(alice).get(f"/city-hospitals/manage/staff/import/{stuck.pk}/")
    assert IMPORT_GIVEN_UP in page.content.decode()


def test_a_stuck_job_is_sent_again_and_counted(organisation, alice, monkeypatch):
    from organisations import tasks

    sent = []
    monkeypatch.setattr(tasks, "queue", lambda task, **ids: sent.append(ids) or True)
    stuck = job(organisation, alice)
    assert staff_import_sweep_task() == 1
    assert sent == [{"organisation_id": organisation.pk, "job_id": str(stuck.pk)}]
    assert state(stuck.pk).requeued == 1
    assert staff_import_sweep_task() == 0  # sent a moment ago: it waits again


@pytest.mark.django_db(transaction=True)
def test_a_job_a_worker_is_applying_is_left_alone(postgresql, organisation, alice, monkeypatch):
    from organisations import tasks

    sent = []
    monkeypatch.setattr(tasks, "queue", lambda task, **ids: sent.append(ids) or True)
    running = job(organisation, alice)
    locked, release = threading.Event(), threading.Event()

    def apply_in_progress():
        # What the apply does for its whole run: hold the job's row lock.
        try:
            with scopes_disabled(), transaction.atomic():
                ImportJob.objects.select_for_update().get(pk=running.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    worker = threading.Thread(target=apply_in_progress)
    worker.start()
    try:
        assert locked.wait(10)
        assert staff_import_sweep_task() == 0 and sent == []
    finally:
        release.set()
        worker.join()
    assert staff_import_sweep_task() == 1
