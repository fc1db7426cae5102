"""Typed errors the services raise on purpose, each with a stable code.

Every one is a ``shop_core.errors.ShopError``: under the package's views
(``ShopAPIMixin``) it is answered in the one error shape of the shop
packages, ``{"type": ..., "errors": [{"code", "detail", "attr"}]}``, with
``attr`` the input it is about. The codes are listed in the README
("Errors") and documented in the OpenAPI schema (``views.py``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.settings import api_settings

from shop_core.errors import ShopError
from shop_core.idempotency import IdempotencyKeyReused

from . import slots

__all__ = [
    "MESSAGES",
    "BookingActionForbidden",
    "BookingRejected",
    "ChangeRefused",
    "HoldExpired",
    "IdempotencyKeyReused",
    "InvalidIdempotencyKey",
    "LimitReached",
    "NoProfile",
    "NotSpecialist",
    "ProfileRequired",
    "ServiceBooked",
    "ServiceUnavailable",
    "SlotUnavailable",
]

#: The translated message of each code.
MESSAGES = {
    slots.PAST: _("This time is in the past."),
    slots.MIN_NOTICE: _("This time is too soon: bookings need more notice."),
    slots.HORIZON: _("This time is too far ahead: it is beyond the booking horizon."),
    slots.DAY_OFF: _("The specialist does not work on this day."),
    slots.OUTSIDE_HOURS: _("This time is outside the specialist's working hours."),
    slots.REPEATED_TIME: _(
        "This clock time occurs twice on this day (a daylight saving change); "
        "only its first occurrence can be booked."
    ),
    slots.OFF_GRID: _("Bookings start on the specialist's time grid; pick one of the free slots."),
    slots.ENDS_AFTER_HOURS: _("The appointment would end after the specialist's working hours."),
    slots.BUFFER_OUTSIDE_HOURS: _(
        "The preparation or clean-up time of this service would fall outside "
        "the specialist's working hours."
    ),
    slots.TAKEN: _("This time is already taken."),
    slots.FULL: _("Every seat of this session is taken."),
    "day_limit": _("You already have the most bookings of this service allowed on that day."),
    "week_limit": _("You already have the most bookings of this service allowed in that week."),
    "hold_expired": _("This hold has expired or does not exist; hold the slot again."),
    "inactive_service": _("This service is not available for booking."),
    "cutoff": _("It is too late to change this booking."),
    "invalid_transition": _("A booking in this status cannot be changed this way."),
    "not_started": _("The booking has not started yet."),
    "invalid_idempotency_key": _("Idempotency-Key: at most 255 printable ASCII characters."),
    "profile_required": _("Create your specialist profile first (specialists/me/)."),
    "service_booked": _("This service has bookings: deactivate it instead."),
    "wrong_role": _("Your role in this booking does not allow this."),
    "not_specialist": _("Only users with the specialist role may do this."),
    "no_profile": _("You have no specialist profile yet."),
}


class BookingRejected(ShopError):
    """A refused request (HTTP 400): ``code`` about the input ``field``.

    The base of the package's 400s; ``codes`` lists the codes a class raises.
    ``about_request``: the error concerns the request as a whole, answered as
    a validation error of DRF's ``non_field_errors`` (as serializers do).
    """

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
    default_field: str | None = None
    about_request = False
    codes: tuple[str, ...] = ()

    def __init__(self, code: str | None = None, *, field: str | None = None) -> None:
        code = code or self.default_code
        field = field or self.default_field
        if field is None and self.about_request:
            field = api_settings.NON_FIELD_ERRORS_KEY
        super().__init__(MESSAGES.get(code, code), code=code, field=field)


class SlotUnavailable(BookingRejected):
    """The start may not be booked; the code says why (``slots.REFUSALS``)."""

    default_code = slots.TAKEN
    default_field = "start"
    codes = slots.REFUSALS


class LimitReached(BookingRejected):
    """The client's limit of bookings of the service per local day or week is reached."""

    default_code = "day_limit"
    default_field = "start"
    codes = ("day_limit", "week_limit")


class HoldExpired(BookingRejected):
    """The hold lapsed, became another booking's, or is not the caller's."""

    default_code = "hold_expired"
    default_field = "hold"
    codes = ("hold_expired",)


class ServiceUnavailable(BookingRejected):
    """The service or its specialist is inactive, or the service was deleted meanwhile."""

    default_code = "inactive_service"
    default_field = "service"
    codes = ("inactive_service",)


class ChangeRefused(BookingRejected):
    """The booking cannot make this move now: its status, the cutoff, or not started yet."""

    default_code = "invalid_transition"
    default_field = "status"
    codes = ("invalid_transition", "cutoff", "not_started")


class InvalidIdempotencyKey(BookingRejected):
    default_code = "invalid_idempotency_key"
    default_field = "idempotency_key"
    codes = ("invalid_idempotency_key",)


class ProfileRequired(BookingRejected):
    """A specialist without a profile adds services or schedule rows."""

    default_code = "profile_required"
    about_request = True
    codes = ("profile_required",)


class ServiceBooked(BookingRejected):
    """A service with bookings cannot be deleted (deactivate it)."""

    default_code = "service_booked"
    about_request = True
    codes = ("service_booked",)


class BookingActionForbidden(BookingRejected):
    """The user takes part in the booking but their role may not do this (HTTP 403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "wrong_role"
    codes = ("wrong_role",)


class NotSpecialist(BookingRejected):
    """The ``IS_SPECIALIST`` hook refuses the user (HTTP 403)."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "not_specialist"
    codes = ("not_specialist",)


class NoProfile(BookingRejected):
    """The caller has no specialist profile to show (HTTP 404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = "no_profile"
    codes = ("no_profile",)
