from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The apps below announce what happened with signals of their own; they never
        # import webhooks (tests/architecture/test_layers.py).
        from ideas.signals import idea_shared, idea_status_changed
        from projects.signals import project_stage_changed

        from . import receivers

        idea_shared.connect(receivers.idea_shared, dispatch_uid="webhooks.idea_shared")
        idea_status_changed.connect(
            receivers.idea_status_changed, dispatch_uid="webhooks.idea_status_changed"
        )
        project_stage_changed.connect(
            receivers.project_stage_changed, dispatch_uid="webhooks.project_stage_changed"
        )
