"""Receivers connected in AppConfig.ready(); background jobs are enqueued here."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import user_signed_up
from django.conf import settings
from django.contrib.auth.hashers import is_password_usable
from django.db import transaction
from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver

from .conf import app_settings
from .middleware import acting_user
from .models import DeletedUser, OutgoingEmail, Profile
from .services import assign_role
from .services.credentials import revoke_credentials
from .tasks import deliver_email


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


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="shop_accounts_password_wiped")
def notice_password_wiped(
    sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    """Remember a usable password being made unusable (allauth wipes the password
    of an unverified account that a verified social login takes over)."""
    if raw or instance._state.adding or instance.has_usable_password():
        return
    if update_fields is not None and "password" not in update_fields:
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True)
    old = stored.first()
    if old is not None and is_password_usable(old):
        instance._shop_accounts_password_wiped = True


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="shop_accounts_revoke")
def revoke_on_password_change(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """A password set (``set_password()`` then ``save()``) or wiped ends every token
    issued before. Django marks ``set_password()`` in ``_password`` until the save
    completes, and leaves it unset for the rehash of a login (same password)."""
    if created or raw:
        return
    wiped = instance.__dict__.pop("_shop_accounts_password_wiped", False)
    if wiped or getattr(instance, "_password", None) is not None:
        revoke_credentials(instance)


@receiver(post_save, sender=OutgoingEmail, dispatch_uid="shop_accounts_deliver_email")
def deliver_after_commit(
    sender: Any, instance: OutgoingEmail, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    """A queued e-mail is handed to the ``deliver_email`` task once its transaction
    commits. ``robust``: a queue that is down leaves it for ``send_pending_emails``."""
    if not created or raw:
        return
    email_id = instance.pk

    def enqueue() -> None:  # a function, not a partial: Django logs its __qualname__
        enqueue_delivery(email_id)

    transaction.on_commit(enqueue, robust=True)


def enqueue_delivery(email_id: int) -> None:
    deliver_email.using(backend=app_settings.TASK_BACKEND).enqueue(email_id)
