"""A task sent through the real Redis broker is run by a real Celery worker process."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_scopes import scopes_disabled

from improvewell.celery import app as celery_app
from organisations.models import Invitation
from organisations.tasks import send_invitation_email_task
from tests.conftest import require_real_services

ROOT = Path(__file__).resolve().parents[2]


def start_worker(queue: str, **extra_env) -> subprocess.Popen:
    """A real Celery worker on the test database and the real broker, taking only `queue`."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": (
            f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:"
            f"{connection.settings_dict['PORT'] or 5432}/{connection.settings_dict['NAME']}"
            # The worker too runs as the role that row-level security applies to.
            f"?assume_role={connection.settings_dict['OPTIONS']['assume_role']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        **extra_env,
    }
    celery_app.conf.task_always_eager = False
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "improvewell",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_invitation_email_sent_through_redis_is_delivered_by_a_worker(organisation, tmp_path):
    require_real_services("this test")
    with scopes_disabled():
        invitation = Invitation.objects.create(
            organisation=organisation, email="night.porter@gmail.com", role="staff"
        )
    queue = f"test-{uuid.uuid4().hex}"  # this worker takes only this test's task
    # django-environ drops one leading slash of a file path.
    worker = start_worker(queue, EMAIL_URL=f"filemail:///{tmp_path}")
    try:
        send_invitation_email_task.apply_async(
            kwargs={"organisation_id": organisation.pk, "invitation_id": str(invitation.pk)},
            queue=queue,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with scopes_disabled():
                invitation.refresh_from_db()
            if invitation.email_sent_at:
                break
            assert worker.poll() is None, worker.communicate()[0]
            time.sleep(0.5)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]

    assert invitation.email_sent_at is not None, f"the worker never ran the task:\n{output}"
    sent = "".join(p.read_text() for p in tmp_path.iterdir())
    assert "To: night.porter@gmail.com" in sent
    assert f"/invitations/{invitation.token}/" in sent


@pytest.mark.django_db(transaction=True)
def test_rollup_sent_through_redis_lands(organisation, ward):
    """The roll-up task, sent through the real broker, is run by a real worker."""
    from datetime import date

    from dashboards.models import DailyFact
    from dashboards.tasks import rollup_organisation_day_task

    require_real_services("this test")
    queue = f"test-{uuid.uuid4().hex}"
    worker = start_worker(queue)
    landed = False
    try:
        rollup_organisation_day_task.apply_async(
            kwargs={"organisation_id": organisation.pk, "day": "2026-06-10"}, queue=queue
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not landed:
            with scopes_disabled():
                landed = DailyFact.objects.filter(
                    organisation=organisation, day=date(2026, 6, 10), scope_key=f"ward:{ward.pk}"
                ).exists()
            assert worker.poll() is None, worker.communicate()[0]
            time.sleep(0.5)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert landed, f"the worker never rolled up the day:\n{output}"
