"""``Account``: logs in with ``login``, its e-mail field is ``mail``, no first or last name.

The package must work with it: shop owners and staff through
``settings.AUTH_USER_MODEL`` (the staff table's columns are named after the
model), displays through ``str(user)``, never ``.email``, ``.username`` or
``get_full_name()``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models


class AccountManager(BaseUserManager):
    def create_user(self, login: str, password: str | None = None, **fields: Any) -> Account:
        account = self.model(login=login, **fields)
        account.set_password(password)
        account.save(using=self._db)
        return account

    def create_superuser(
        self, login: str, mail: str = "", password: str | None = None, **fields: Any
    ) -> Account:
        fields.pop("email", None)  # pytest-django's admin_user passes one
        return self.create_user(
            login, password, mail=mail, is_staff=True, is_superuser=True, **fields
        )


class Account(AbstractBaseUser, PermissionsMixin):
    login = models.CharField(max_length=50, unique=True)
    mail = models.EmailField(blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    USERNAME_FIELD = "login"
    EMAIL_FIELD = "mail"

    objects = AccountManager()

    def __str__(self) -> str:
        return f"account {self.login}"
