import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from organisations.models import Organisation


class Scope(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"


class PersonalAccessToken(models.Model):
    """A person's key to the API of one organisation, shown to them once.

    Only the SHA-256 digest of the token is stored: the token is 32 random bytes, so
    a fast hash is enough (nothing to guess) and a database dump gives nobody a key.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    digest = models.CharField(max_length=64, unique=True)
    # The first characters, so that the person can tell their tokens apart.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    # Looked up across organisations only in api/tokens.py, by its digest or its owner.
    objects = ScopedManager(organisation="organisation")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "personal access token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class IdempotencyRecord(models.Model):
    """The first answer to a change sent with an `Idempotency-Key`, replayed for a repeat.

    Anonymity: the row names no caller and no moment. Its key is a keyed hash of the
    organisation, the caller (a token or a person) and their key (api/callers.py), so a
    dump cannot tell whose request it was, even for the request that shared an anonymous
    idea; it keeps the day it was made, to be purged, and no time of day.
    """

    digest = models.CharField(max_length=64, primary_key=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # A keyed hash of the method, path and body: the same key for another request is a 422.
    fingerprint = models.CharField(max_length=64)
    # None while the first request is still at work (in its own, uncommitted transaction).
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.TextField(blank=True)
    created_on = models.DateField()

    objects = ScopedManager(organisation="organisation")

    class Meta:
        indexes = [models.Index(fields=["created_on"], name="api_idempotency_created_on")]

    def __str__(self):
        return f"{self.digest[:12]}… ({self.created_on})"
