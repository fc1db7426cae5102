"""Roles are Django groups: seed them from ``SHOP_ACCOUNTS["ROLES"]``, check them, give them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..conf import app_settings
from ..signals import role_assigned


def role_group_name(role: str) -> str:
    """The group name of ``role``; ``ValidationError`` (code ``unknown_role``) if not in ROLES."""
    if role not in app_settings.ROLES:
        raise ValidationError(
            _("Unknown role %(role)s; known roles: %(roles)s.")
            % {"role": role, "roles": ", ".join(app_settings.ROLES)},
            code="unknown_role",
        )
    return role


def _find_permission(dotted: str) -> Permission | None:
    app_label, _dot, codename = dotted.partition(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


@transaction.atomic
def seed_roles() -> list[str]:
    """Create a group per role in ``SHOP_ACCOUNTS["ROLES"]`` with its permissions.

    Idempotent. Returns the permissions that do not exist (an app not
    installed or not migrated), which are skipped.
    """
    missing: list[str] = []
    for role, permissions in app_settings.ROLES.items():
        group, _created = Group.objects.get_or_create(name=role_group_name(role))
        for dotted in permissions:
            permission = _find_permission(dotted)
            if permission is None:
                missing.append(dotted)
            else:
                group.permissions.add(permission)
    return missing


def _granted(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def _permission_problems(role: str, permissions: list[str], granted: set[str]) -> list[str]:
    problems = []
    for dotted in permissions:
        if _find_permission(dotted) is None:
            problems.append(
                _("Permission '%(permission)s' of role '%(role)s' does not exist.")
                % {"permission": dotted, "role": role}
            )
        elif dotted not in granted:
            problems.append(
                _("Role '%(role)s' lacks permission '%(permission)s'.")
                % {"permission": dotted, "role": role}
            )
    return problems


def validate_roles() -> list[str]:
    """Problems that ``seed_roles`` would fix or cannot fix, as sentences."""
    problems: list[str] = []
    for role, permissions in app_settings.ROLES.items():
        group = Group.objects.filter(name=role_group_name(role)).first()
        if group is None:
            problems.append(_("Group for role '%(role)s' is missing.") % {"role": role})
        else:
            problems.extend(_permission_problems(role, permissions, _granted(group)))
    return problems


def assign_role(user: Any, role: str) -> None:
    """Add ``user`` to the group of ``role`` (created if missing)."""
    group, _created = Group.objects.get_or_create(name=role_group_name(role))
    user.groups.add(group)
    role_assigned.send(sender=type(user), user=user, role=role)
