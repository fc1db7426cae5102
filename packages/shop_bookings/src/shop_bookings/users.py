"""How the package reads a user, whatever the user model (``AUTH_USER_MODEL``).

Only what every model built on ``AbstractBaseUser`` declares: its e-mail
field's name (``get_email_field_name()``) and ``str(user)``. No
``first_name``, ``username`` or ``get_full_name()``, which custom models
need not have.
"""

from __future__ import annotations

from typing import Any


def email_of(user: Any) -> str:
    """The user's e-mail address, or "" (the model's e-mail field may be named anything)."""
    if user is None:
        return ""
    return getattr(user, user.get_email_field_name(), "") or ""


def name_of(user: Any) -> str:
    """How the package shows a user to the other party: the model's ``str(user)``."""
    return str(user) if user is not None else ""
