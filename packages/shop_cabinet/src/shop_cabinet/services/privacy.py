"""Erasing a person's cabinet data (``shop_core.signals.erasing_personal_data``)."""

from __future__ import annotations

from typing import Any

from ..models import Address, Favourite, PersonalDataExport
from ..selectors import forget_dashboard


def erase_personal_data(*, user: Any) -> None:
    """Delete the user's addresses, favourites and personal-data exports (the
    archives are kept in the rows) and drop the cached dashboard."""
    Address.objects.filter(user=user).delete()
    Favourite.objects.filter(user=user).delete()
    PersonalDataExport.objects.filter(user=user).delete()
    forget_dashboard(user.pk)
