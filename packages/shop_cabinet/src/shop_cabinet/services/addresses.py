"""The address book: exactly one default address per user and kind.

Writes of one user's address book are serialized by locking the user's row,
and each decides from the address as stored then (never from the instance it
was handed, which a concurrent request may have changed or deleted), so "the
first address of a kind becomes the default" and "one default per kind" hold
under concurrent requests too. The partial unique constraint
``shop_cabinet_address_one_default_per_kind`` is the last line of defence.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from ..exceptions import DefaultRequired
from ..models import Address


def _lock_user(user_id: Any) -> None:
    """Serialize the writes of one user's address book (a no-op on SQLite, which
    serializes writers anyway)."""
    list(get_user_model()._default_manager.select_for_update().filter(pk=user_id).values_list("pk"))


def _locked(address: Address) -> Address:
    """Lock the owner's address book and read ``address`` as stored now.

    Raises ``Address.DoesNotExist`` when a concurrent request deleted it (the
    API answers 404).
    """
    _lock_user(address.user_id)
    return Address.objects.get(pk=address.pk)


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(Address.EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown address field(s): {', '.join(sorted(unknown))}")


def _promote_default(*, user_id: Any, kind: str) -> Address | None:
    """Make the newest address of the kind the default (after the old one left)."""
    newest = Address.objects.filter(user_id=user_id, kind=kind).order_by("-created", "-pk").first()
    if newest is not None:
        Address.objects.filter(pk=newest.pk).update(is_default=True)
        newest.is_default = True
    return newest


def _clear_default(*, user_id: Any, kind: str, keep: Any) -> None:
    # Cleared before the new default is set: the partial unique index is
    # checked statement by statement.
    Address.objects.filter(user_id=user_id, kind=kind, is_default=True).exclude(pk=keep).update(
        is_default=False
    )


def create_address(*, user: Any, is_default: bool = False, **fields: Any) -> Address:
    """Add an address; the first of its kind, or one asked to be, becomes the default.

    Raises ``django.core.exceptions.ValidationError`` for bad fields (codes
    ``invalid_phone``, ``invalid_postal_code``, Django's own).
    """
    _check_fields(fields)
    address = Address(user=user, **fields)
    address.full_clean(exclude=["user", "is_default"])
    with transaction.atomic():
        _lock_user(user.pk)
        siblings = Address.objects.filter(user_id=user.pk, kind=address.kind)
        if is_default:
            siblings.filter(is_default=True).update(is_default=False)
        address.is_default = is_default or not siblings.exists()
        address.save()
    return address


def _settle_default(current: Address, *, kind: str, is_default: bool | None) -> bool:
    """Whether the address (``current`` as stored, moving to ``kind``) is the default
    after the write; clears the target kind's other default when it becomes it."""
    moving = kind != current.kind
    if is_default is False and current.is_default:
        raise DefaultRequired()
    siblings = Address.objects.filter(user_id=current.user_id, kind=kind).exclude(pk=current.pk)
    make_default = bool(is_default) or (moving and not siblings.filter(is_default=True).exists())
    if make_default:
        _clear_default(user_id=current.user_id, kind=kind, keep=current.pk)
    return make_default or (current.is_default and not moving)


def update_address(*, address: Address, is_default: bool | None = None, **fields: Any) -> Address:
    """Change the given fields of an address (other fields are left as stored).

    ``is_default=True`` makes it the default; a new ``kind`` moves it, and the
    default flag is settled in both kinds (the kind it leaves promotes another
    address; a kind without a default takes this one). ``is_default=False`` on
    the default address raises ``DefaultRequired`` (the only default is never
    switched off). Raises ``Address.DoesNotExist`` if it was deleted meanwhile.
    """
    _check_fields(fields)
    for name, value in fields.items():
        setattr(address, name, value)
    address.full_clean(exclude=["user", "is_default"])
    changes = {name: getattr(address, name) for name in fields}  # as cleaned (ASCII digits)
    with transaction.atomic():
        current = _locked(address)
        kind = changes.get("kind", current.kind)
        # Only the given fields and the flag are written: the rest of the
        # handed-in instance may be stale.
        address.is_default = _settle_default(current, kind=kind, is_default=is_default)
        address.save(update_fields=[*changes, "is_default"])
        if kind != current.kind and current.is_default:
            _promote_default(user_id=current.user_id, kind=current.kind)
    address.refresh_from_db()
    return address


def set_default_address(*, address: Address) -> Address:
    """Make ``address`` the default of its kind; the previous default loses the flag
    in the same transaction (never zero, never two). Raises ``Address.DoesNotExist``
    if it was deleted meanwhile."""
    with transaction.atomic():
        current = _locked(address)
        _clear_default(user_id=current.user_id, kind=current.kind, keep=current.pk)
        if not current.is_default:
            Address.objects.filter(pk=current.pk).update(is_default=True)
            current.is_default = True
    return current


def delete_address(*, address: Address) -> Address | None:
    """Delete an address; if it was the default, the newest other one of its kind
    becomes the default. Returns the newly promoted address, if any. Raises
    ``Address.DoesNotExist`` if it was deleted meanwhile."""
    with transaction.atomic():
        current = _locked(address)
        current.delete()
        if not current.is_default:
            return None
        return _promote_default(user_id=current.user_id, kind=current.kind)
