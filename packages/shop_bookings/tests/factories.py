"""Plain factory functions for the tests."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from shop_bookings.models import Service, Specialist, WorkingHours

_seq = itertools.count(1)
UTC = timezone.utc


def make_user(username: str | None = None, *, specialist: bool = False, **extra):
    """A user of whatever AUTH_USER_MODEL is: its USERNAME_FIELD and e-mail field are set."""
    username = username or f"user{next(_seq)}"
    model = get_user_model()
    fields = {model.USERNAME_FIELD: username}
    fields[model.get_email_field_name()] = extra.pop("email", f"{username}@example.com")
    user = model._default_manager.create_user(**fields, password="pw", **extra)
    if specialist:
        group, _ = Group.objects.get_or_create(name="specialist")
        user.groups.add(group)
    return user


def make_specialist(
    user=None,
    *,
    time_zone: str = "UTC",
    hours: tuple[time, time] | None = (time(9), time(18)),
    **fields,
) -> Specialist:
    user = user or make_user(specialist=True)
    fields.setdefault("display_name", f"Specialist {user.get_username()}")
    specialist = Specialist.objects.create(user=user, time_zone=time_zone, **fields)
    if hours:
        WorkingHours.objects.bulk_create(
            WorkingHours(specialist=specialist, weekday=d, start=hours[0], end=hours[1])
            for d in range(7)
        )
    return specialist


def make_service(specialist: Specialist, **fields) -> Service:
    fields.setdefault("name", f"Haircut {next(_seq)}")
    fields.setdefault("price", Decimal("30.00"))
    fields.setdefault("duration_minutes", 60)
    return Service.objects.create(specialist=specialist, **fields)


def future_day(days: int = 3) -> date:
    return (datetime.now(UTC) + timedelta(days=days)).date()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant in UTC on ``day``."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def error_codes(response) -> dict[str | None, list[str]]:
    """``{attr: [code, ...]}`` of an error answer in the shop packages' shape."""
    found: dict[str | None, list[str]] = {}
    for error in response.json()["errors"]:
        found.setdefault(error["attr"], []).append(error["code"])
    return found
