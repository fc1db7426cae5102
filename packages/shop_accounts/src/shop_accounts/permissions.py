from typing import Any

from rest_framework.permissions import BasePermission


class CanVerifyCompanies(BasePermission):
    """Managers (or anyone granted ``shop_accounts.verify_company``)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(
            request.user
            and request.user.is_authenticated
            and request.user.has_perm("shop_accounts.verify_company")
        )
