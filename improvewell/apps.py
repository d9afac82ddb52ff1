from django.apps import AppConfig


class ImproveWellConfig(AppConfig):
    name = "improvewell"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
