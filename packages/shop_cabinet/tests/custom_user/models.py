"""A user model built on ``AbstractBaseUser`` whose fields have other names: it
logs in with ``login``, its e-mail field is ``contact_email`` and it has no
``username``, ``email``, first or last name. The cabinet must work with it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models


class MemberManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, login: str, password: str | None = None, **extra: Any) -> Any:
        user = self.model(login=login, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, login: str, password: str | None = None, **extra: Any) -> Any:
        return self.create_user(login, password, is_staff=True, is_superuser=True, **extra)


class Member(AbstractBaseUser, PermissionsMixin):
    login = models.CharField(max_length=150, unique=True)
    contact_email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)

    USERNAME_FIELD = "login"
    EMAIL_FIELD = "contact_email"
    REQUIRED_FIELDS = ["contact_email"]

    objects = MemberManager()

    def __str__(self) -> str:
        return self.login
