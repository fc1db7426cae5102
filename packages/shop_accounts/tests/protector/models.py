"""A model of another package that protects its users (as a specialist with bookings
would): deleting such a user raises ``ProtectedError``."""

from django.conf import settings
from django.db import models


class Holding(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    def __str__(self) -> str:
        return f"holding of user {self.user_id}"
