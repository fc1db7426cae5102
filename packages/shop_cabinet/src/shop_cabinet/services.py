"""Business rules that write: the address book and favourites.

Every function takes keyword-only arguments and runs in one transaction.
Address-book writes of a user are serialized by locking the user's row, so
"the first address of a kind becomes the default" and "one default per kind"
hold under concurrent requests too (the partial unique constraint is the
last line of defence).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from .conf import app_settings
from .export import build_export
from .models import Address, Favourite, PersonalDataExport
from .signals import favourites_changed

# The fields of an address-book entry a caller sets (the API serializer and the
# admin use this list too).
ADDRESS_FIELDS = (
    "kind",
    "recipient",
    "phone",
    "city",
    "street",
    "building",
    "apartment",
    "postal_code",
)


def _lock_user(user: Any) -> None:
    # select_for_update is a no-op on SQLite, which serializes writers anyway.
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk"))


def _promote_default(*, user: Any, kind: str) -> Address | None:
    """Make the newest address of the kind the default (after the old one left)."""
    newest = Address.objects.filter(user=user, kind=kind).order_by("-created", "-pk").first()
    if newest is not None:
        Address.objects.filter(pk=newest.pk).update(is_default=True)
        newest.is_default = True
    return newest


def create_address(*, user: Any, is_default: bool = False, **fields: Any) -> Address:
    """Add an address; the first of its kind, or one asked to be, becomes the default."""
    unknown = set(fields) - set(ADDRESS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown address field(s): {', '.join(sorted(unknown))}")
    address = Address(user=user, **fields)
    address.full_clean(exclude=["user", "is_default"])
    with transaction.atomic():
        _lock_user(user)
        siblings = Address.objects.filter(user=user, kind=address.kind)
        if is_default:
            siblings.filter(is_default=True).update(is_default=False)
        address.is_default = is_default or not siblings.exists()
        address.save()
    return address


def update_address(*, address: Address, **fields: Any) -> Address:
    """Change an address's fields. ``is_default=True`` makes it the default;
    a new ``kind`` moves it (and its default flag is settled in both kinds)."""
    make_default = fields.pop("is_default", None)
    unknown = set(fields) - set(ADDRESS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown address field(s): {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(address, name, value)
    address.full_clean(exclude=["user", "is_default"])
    with transaction.atomic():
        _lock_user(address.user)
        old = Address.objects.only("kind", "is_default").get(pk=address.pk)
        if old.kind != address.kind:
            # Leaving a kind: its default (if this was it) passes to another address.
            address.is_default = False
            Address.objects.filter(pk=address.pk).update(kind=address.kind, is_default=False)
            if old.is_default:
                _promote_default(user=address.user, kind=old.kind)
            if (
                make_default is not False
                and not Address.objects.filter(
                    user=address.user, kind=address.kind, is_default=True
                ).exists()
            ):
                make_default = True
        if make_default:
            Address.objects.filter(user=address.user, kind=address.kind, is_default=True).exclude(
                pk=address.pk
            ).update(is_default=False)
            address.is_default = True
        address.save()
    return address


def set_default_address(*, address: Address) -> Address:
    """Make ``address`` the default of its kind; the previous default loses the flag
    in the same transaction (never zero, never two)."""
    with transaction.atomic():
        _lock_user(address.user)
        # Clear first: the partial unique index is checked statement by statement.
        Address.objects.filter(user=address.user, kind=address.kind, is_default=True).exclude(
            pk=address.pk
        ).update(is_default=False)
        Address.objects.filter(pk=address.pk).update(is_default=True)
        address.is_default = True
    return address


def delete_address(*, address: Address) -> Address | None:
    """Delete an address; if it was the default, the newest other one of its kind
    becomes the default. Returns the newly promoted address, if any."""
    with transaction.atomic():
        _lock_user(address.user)
        was_default = Address.objects.filter(pk=address.pk, is_default=True).exists()
        user, kind = address.user, address.kind
        address.delete()
        return _promote_default(user=user, kind=kind) if was_default else None


def add_favourite(*, user: Any, product: Any) -> tuple[Favourite, bool]:
    """Add a product to the user's favourites; ``(favourite, created)``. Adding twice
    is harmless (the unique constraint settles a race)."""
    try:
        with transaction.atomic():
            favourite, created = Favourite.objects.get_or_create(user=user, product=product)
    except IntegrityError:  # a concurrent request added it between get and create
        favourite, created = Favourite.objects.get(user=user, product=product), False
    if created:
        transaction.on_commit(
            lambda: favourites_changed.send(sender=Favourite, user=user, product=product)
        )
    return favourite, created


def remove_favourite(*, user: Any, product_id: int) -> bool:
    """Remove a product from the user's favourites; False if it was not there."""
    with transaction.atomic():
        deleted, _ = Favourite.objects.filter(user=user, product_id=product_id).delete()
    if deleted:
        transaction.on_commit(
            lambda: favourites_changed.send(sender=Favourite, user=user, product=None)
        )
    return bool(deleted)


def request_export(*, user: Any) -> PersonalDataExport:
    """Record an export request and queue ``tasks.prepare_export`` after commit."""
    from .tasks import prepare_export

    with transaction.atomic():
        job = PersonalDataExport.objects.create(user=user)
        transaction.on_commit(
            lambda: prepare_export.using(backend=app_settings.EXPORT_TASK_BACKEND).enqueue(
                str(job.pk)
            )
        )
    return job


def run_export(*, export_id: Any) -> PersonalDataExport | None:
    """Build and store the archive of a pending export (the task's body).
    A failing provider marks the export failed and re-raises."""
    job = (
        PersonalDataExport.objects.select_related("user")
        .filter(pk=export_id, status=PersonalDataExport.Status.PENDING)
        .first()
    )
    if job is None:  # deleted, or already done by an earlier run
        return None
    try:
        data = build_export(job.user)
    except Exception:
        PersonalDataExport.objects.filter(pk=job.pk).update(
            status=PersonalDataExport.Status.FAILED, finished=timezone.now()
        )
        raise
    job.data, job.status, job.finished = data, PersonalDataExport.Status.READY, timezone.now()
    job.save(update_fields=["data", "status", "finished"])
    return job


def prune_exports(*, now: Any = None) -> int:
    """Delete exports older than ``EXPORT_RETENTION_HOURS``; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=app_settings.EXPORT_RETENTION_HOURS)
    deleted, _ = PersonalDataExport.objects.filter(created__lt=cutoff).delete()
    return deleted
