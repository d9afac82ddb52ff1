from django.apps import AppConfig
from django.db.models.signals import post_save


class IdeasConfig(AppConfig):
    name = "ideas"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from organisations.models import Organisation

        from .signals import organisation_created

        post_save.connect(
            organisation_created, sender=Organisation, dispatch_uid="ideas.organisation_created"
        )
