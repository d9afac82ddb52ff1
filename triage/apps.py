from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Ideas sits below triage and announces a shared idea with a signal of its own.
        from ideas.signals import idea_shared
        from organisations.signals import ward_merging

        from . import receivers

        idea_shared.connect(receivers.idea_shared, dispatch_uid="triage.idea_shared")
        ward_merging.connect(receivers.ward_merging, dispatch_uid="triage.ward_merging")
