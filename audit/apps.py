from django.apps import AppConfig


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        # Organisations sits below audit and announces its admin actions with signals.
        from organisations.signals import staff_imported

        from . import receivers

        staff_imported.connect(receivers.staff_imported, dispatch_uid="audit.staff_imported")
