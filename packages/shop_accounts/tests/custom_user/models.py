"""A user model built on ``AbstractBaseUser`` that logs in by e-mail and whose
e-mail field is not called ``email``; it has no username, first/last name or
date_joined. The package must read it through ``get_email_field_name()``,
``USERNAME_FIELD`` and ``str(user)`` only."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models


class EmailUserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, contact_email: str, password: str | None = None, **extra: Any) -> Any:
        user = self.model(contact_email=self.normalize_email(contact_email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(
        self, contact_email: str, password: str | None = None, **extra: Any
    ) -> Any:
        return self.create_user(contact_email, password, is_staff=True, is_superuser=True, **extra)


class EmailUser(AbstractBaseUser, PermissionsMixin):
    contact_email = models.EmailField(unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)

    USERNAME_FIELD = "contact_email"
    EMAIL_FIELD = "contact_email"

    objects = EmailUserManager()

    def __str__(self) -> str:
        return self.contact_email
