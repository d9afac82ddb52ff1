from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "teams"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from organisations.signals import ward_merging

        from . import receivers

        ward_merging.connect(receivers.ward_merging, dispatch_uid="teams.ward_merging")
