"""Audit rows for changes that apps below this one announce with a signal."""

from django.dispatch import receiver

from organisations.sso import sso_settings_changed

from . import services


@receiver(sso_settings_changed, dispatch_uid="audit_sso_settings_changed")
def record_sso_settings_changed(sender, member, before, after, **kwargs):
    services.record(member, "changed NHSmail sign-in settings", before=before, after=after)
