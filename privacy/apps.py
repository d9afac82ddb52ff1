from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Personal data (UK GDPR)"
    default_auto_field = "django.db.models.BigAutoField"
