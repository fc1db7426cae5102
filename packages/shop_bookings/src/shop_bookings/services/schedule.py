"""A specialist's own rows: services, weekly working hours, date exceptions.

The serializers validate; these write the validated fields. Updates and
deletes run on the row locked (``select_for_update``) in one transaction,
so two concurrent PATCHes of different fields both survive (the views lock
the row before validating, so the validation sees what is written).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction
from django.db.models import ProtectedError

from ..exceptions import ProfileRequired, ServiceBooked
from ..selectors import own_specialist

Row = TypeVar("Row", bound=models.Model)


def create_own(model: type[Row], *, user: Any, data: dict[str, Any]) -> Row:
    """A new ``model`` row (Service, WorkingHours, ScheduleException) of the user's profile.

    ``ProfileRequired`` when the user has no specialist profile yet.
    """
    specialist = own_specialist(user)
    if specialist is None:
        raise ProfileRequired()
    return model._default_manager.create(specialist=specialist, **data)


def update_own(row: Row, *, data: dict[str, Any]) -> Row:
    """Write the validated ``data`` onto ``row``, locked."""
    with transaction.atomic():
        locked = type(row)._default_manager.select_for_update().get(pk=row.pk)
        for field, value in data.items():
            setattr(locked, field, value)
        locked.save()
    return locked


def delete_own(row: models.Model) -> None:
    """Delete ``row``; a service with bookings is ``ServiceBooked`` (deactivate it instead).

    The service row is locked and ``create_booking`` locks it too, so a
    booking made meanwhile is seen here: PROTECT refuses, never a 500.
    """
    with transaction.atomic():
        locked = type(row)._default_manager.select_for_update().get(pk=row.pk)
        try:
            locked.delete()
        except ProtectedError:
            raise ServiceBooked() from None
