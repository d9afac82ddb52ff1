from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from organisations.signals import ward_merging, ward_moved

        from . import receivers

        ward_merging.connect(receivers.ward_merging, dispatch_uid="dashboards.ward_merging")
        ward_moved.connect(receivers.ward_moved, dispatch_uid="dashboards.ward_moved")
