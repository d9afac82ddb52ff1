from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

# Django's own salt (AbstractBaseUser.get_session_auth_hash), so that a session made
# before session_epoch existed, or while it is 0, stays signed in.
SESSION_HASH_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Email is the login; the same person may belong to several organisations."""

    email = models.EmailField("email address", max_length=254, unique=True)
    name = models.CharField("full name", max_length=150, blank=True)
    is_staff = models.BooleanField(
        "platform admin access",
        default=False,
        help_text="Can sign in to the platform admin (/admin/).",
    )
    is_active = models.BooleanField(default=True)
    email_notifications = models.BooleanField(
        "email me about my ideas",
        default=True,
        help_text="Status changes and comments on what you shared. Always in the app as well.",
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Raised to end every session of the person at once, on every device and whatever
    # made it (a leaver: organisations.staff_services.members_end_sessions). It is part of
    # the hash Django keeps in each session and checks on every request, so a session
    # made before the raise no longer matches and is flushed.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.name or self.email

    def get_full_name(self):
        return self.name or self.email

    def get_session_auth_hash(self):
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=secret)

    def _session_hash(self, secret=None) -> str:
        value = f"{self.password}:{self.session_epoch}" if self.session_epoch else self.password
        return salted_hmac(SESSION_HASH_SALT, value, secret=secret, algorithm="sha256").hexdigest()

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email


class Session(AbstractBaseSession):
    """A browser's session, with the id of the person signed in beside its data, so that
    each request reads its session and its person in one statement
    (accounts/sessions.py). A person's sessions go with them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )

    @classmethod
    def get_session_store_class(cls):
        from accounts.sessions import SessionStore

        return SessionStore
