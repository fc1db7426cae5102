"""Receivers connected in AppConfig.ready()."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_signed_up
from django.conf import settings
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from .conf import app_settings
from .middleware import acting_user
from .models import DeletedUser, Profile
from .services import assign_role


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="shop_accounts_profile")
def create_profile(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        Profile.objects.get_or_create(user=instance)


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="shop_accounts_audit")
def record_deleted_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    by = acting_user()
    email_field = instance.get_email_field_name()
    DeletedUser.objects.create(
        user_pk=str(instance.pk),
        email=getattr(instance, email_field, "") or "",
        date_joined=getattr(instance, "date_joined", None),
        deleted_by_pk=str(by.pk) if by is not None else "",
        deleted_by_email=(getattr(by, email_field, "") or "") if by is not None else "",
    )


@receiver(user_signed_up, dispatch_uid="shop_accounts_default_role")
def give_default_role(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Every new user, registered or from Google, gets the default role."""
    if app_settings.DEFAULT_ROLE:
        assign_role(user, app_settings.DEFAULT_ROLE)
