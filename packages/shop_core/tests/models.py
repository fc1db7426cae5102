from django.db import models
from django.utils import timezone


class Message(models.Model):
    """An outbox row as a package keeps one (see shop_core.delivery)."""

    text = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    due = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "tests"

    def __str__(self) -> str:
        return self.text
