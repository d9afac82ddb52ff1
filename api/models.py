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
