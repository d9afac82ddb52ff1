from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """People and how they sign in. The label stays `users`: it names the tables
    (`users_user`), the migrations and AUTH_USER_MODEL."""

    name = "accounts"
    label = "users"
    default_auto_field = "django.db.models.BigAutoField"
