from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "triage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Ideas sits below triage and announces a shared idea with a signal of its own.
        from ideas.signals import idea_shared

        from . import receivers

        idea_shared.connect(receivers.idea_shared, dispatch_uid="triage.idea_shared")
