from django.apps import AppConfig


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        from allauth.account.signals import user_logged_in

        from improvewell.admin import platform_change
        from organisations.onboarding import organisation_onboarded
        from organisations.signals import admin_action

        from . import receivers

        organisation_onboarded.connect(
            receivers.organisation_onboarded, dispatch_uid="audit.organisation_onboarded"
        )
        admin_action.connect(receivers.admin_action, dispatch_uid="audit.admin_action")
        user_logged_in.connect(receivers.signed_in, dispatch_uid="audit.signed_in")
        platform_change.connect(receivers.platform_changed, dispatch_uid="audit.platform_changed")
