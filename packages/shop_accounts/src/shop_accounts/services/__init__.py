"""Business operations of shop_accounts: they write; views, commands and receivers call them.

One module per use case (``roles``, ``users``, ``profiles``, ``registration``,
``verification``, ``credentials``, ``emails``). The public ones are
re-exported here, where the README names them.
"""

from __future__ import annotations

from ..models import COMPANY_FIELDS
from .profiles import (
    get_profile,
    remove_avatar,
    set_avatar,
    set_company_verified,
    update_profile,
)
from .roles import assign_role, seed_roles, validate_roles
from .users import create_user, update_user

__all__ = [
    "COMPANY_FIELDS",
    "assign_role",
    "create_user",
    "get_profile",
    "remove_avatar",
    "seed_roles",
    "set_avatar",
    "set_company_verified",
    "update_profile",
    "update_user",
    "validate_roles",
]
