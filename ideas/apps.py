from django.apps import AppConfig
from django.db.models.signals import post_save


class IdeasConfig(AppConfig):
    name = "ideas"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from organisations.models import Organisation
        from organisations.signals import ward_merging

        from .signals import organisation_created, ward_merging_moves_ideas

        post_save.connect(
            organisation_created, sender=Organisation, dispatch_uid="ideas.organisation_created"
        )
        ward_merging.connect(ward_merging_moves_ideas, dispatch_uid="ideas.ward_merging")
