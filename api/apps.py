from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self):
        from organisations.signals import members_deactivated

        from . import schema  # noqa: F401  (registers the token's security scheme)
        from .tokens import tokens_revoke_of_leavers

        members_deactivated.connect(tokens_revoke_of_leavers, dispatch_uid="api.tokens_of_leavers")
