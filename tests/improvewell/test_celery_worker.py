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

ROOT = Path(__file__).resolve().parents[2]


def _require_real_services():
    missing = []
    if not settings.REDIS_URL:
        missing.append("REDIS_URL")
    if connection.vendor != "postgresql":
        missing.append("DATABASE_URL (PostgreSQL)")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run this test against real services; missing {missing}")
        pytest.skip(f"needs real services: {', '.join(missing)}")


@pytest.mark.django_db(transaction=True)
def test_invitation_email_sent_through_redis_is_delivered_by_a_worker(organisation, tmp_path):
    _require_real_services()
    with scopes_disabled():
        invitation = Invitation.objects.create(
            organisation=organisation, email="night.porter@gmail.com", role="staff"
        )
    queue = f"test-{uuid.uuid4().hex}"  # this worker takes only this test's task
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": (
            f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:"
            f"{connection.settings_dict['PORT'] or 5432}/{connection.settings_dict['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"filemail:///{tmp_path}",  # django-environ drops one leading slash
    }
    worker = subprocess.Popen(
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
    celery_app.conf.task_always_eager = False
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
