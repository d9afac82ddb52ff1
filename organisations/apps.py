from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "organisations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signup  # noqa: F401  (connects the email_confirmed receiver)
