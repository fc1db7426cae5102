"""Who may do what: the specialist role hook and DRF permission classes."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .conf import app_settings


def is_specialist(user) -> bool:
    """Default ``IS_SPECIALIST`` hook: the user is in the ``SPECIALIST_GROUP`` group.

    Contract of the hook: ``callable(user) -> bool``; called with any user,
    anonymous included. Swap it to use your own role system.
    """
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return False
    return user.groups.filter(name=app_settings.SPECIALIST_GROUP).exists()


def user_is_specialist(user) -> bool:
    """Ask the configured ``IS_SPECIALIST`` hook."""
    return bool(app_settings.IS_SPECIALIST(user))


class IsSpecialist(BasePermission):
    """An authenticated user with the specialist role."""

    message = _("Only specialists may do this.")  # code: DRF's permission_denied

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and user_is_specialist(
            request.user
        )


class ReadOnlyOrSpecialist(BasePermission):
    """Anyone may read; writing needs the specialist role (ownership is the queryset's job)."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return IsSpecialist().has_permission(request, view)
