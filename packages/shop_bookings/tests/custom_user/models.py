"""A user model unlike Django's: built on ``AbstractBaseUser``, it logs in with a
``login`` handle, keeps its e-mail in ``contact_email`` and has no username,
first or last name, so only the package's generic reads of a user work."""

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
    nickname = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)

    USERNAME_FIELD = "login"
    EMAIL_FIELD = "contact_email"

    objects = MemberManager()

    def __str__(self) -> str:
        return self.nickname or f"@{self.login}"
