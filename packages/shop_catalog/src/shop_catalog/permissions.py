"""Who is a supplier, and DRF permissions of the supplier endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from .conf import app_settings


def is_supplier(user: Any) -> bool:
    """The default ``IS_SUPPLIER`` hook.

    A supplier is an authenticated user who is a member of the group named by
    ``SHOP_CATALOG["SUPPLIER_GROUP"]`` or the owner or staff of a shop. Which
    shops a supplier may manage is always decided by ownership/staff, never
    by the group alone (see ``selectors.shops_of``).
    """
    from .selectors import shops_of

    if not getattr(user, "is_authenticated", False):
        return False
    group = app_settings.SUPPLIER_GROUP
    # a custom user model without PermissionsMixin has no groups
    if group and hasattr(user, "groups") and user.groups.filter(name=group).exists():
        return True
    return shops_of(user).exists()


class IsSupplier(BasePermission):
    """Allows users the ``IS_SUPPLIER`` hook accepts."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(app_settings.IS_SUPPLIER(request.user))
