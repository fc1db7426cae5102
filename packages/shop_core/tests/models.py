from django.db import models
from django.utils import timezone

from shop_core.delivery import Outbox


class Message(Outbox):
    """An outbox row as a package keeps one (see shop_core.delivery)."""

    text = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "tests"

    def __str__(self) -> str:
        return self.text
