"""API serializers: they validate; the services write (views pass them validated data)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_aware as timezone_is_aware
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

from shop_core.bounds import (
    OUT_OF_RANGE,
    BoundedDateField,
    BoundedDateTimeField,
    validate_date_bounds,
)
from shop_core.fields import NON_ASCII_DIGITS, AsciiDigitsMixin, IdField, has_other_digits

from .conf import app_settings
from .exceptions import MESSAGES
from .models import (
    Booking,
    BookingHold,
    BookingStatusChange,
    ScheduleException,
    Service,
    Specialist,
    WorkingHours,
)
from .users import name_of
from .validators import parse_time_zone, validate_photo, validate_time_zone

MIDNIGHT = time(0)


class ServiceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name", "price", "duration_minutes"]


# What a specialist shows of themselves, in the catalogue and on their own profile.
PROFILE_FIELDS = [
    "id",
    "display_name",
    "bio",
    "city",
    "experience_years",
    "time_zone",
    "photo",
    "photo_thumbnail",
]


class SpecialistSerializer(serializers.ModelSerializer):
    """The public card of a specialist (catalogue)."""

    services = ServiceBriefSerializer(source="active_services", many=True, read_only=True)
    min_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = Specialist
        fields = [*PROFILE_FIELDS, "min_price", "services"]
        read_only_fields = fields


class SpecialistProfileSerializer(AsciiDigitsMixin, serializers.ModelSerializer):
    """The specialist's own profile (``specialists/me/``); photo via multipart upload."""

    time_zone = serializers.CharField(max_length=64, validators=[validate_time_zone])
    # A FileField: validate_photo decodes the bytes itself, with the package's limits and
    # codes (an ImageField would answer its own "invalid_image" first).
    photo = serializers.FileField(required=False, allow_null=True, validators=[validate_photo])

    class Meta:
        model = Specialist
        fields = [*PROFILE_FIELDS, "is_active"]
        read_only_fields = ["id", "photo_thumbnail"]
        extra_kwargs = {"display_name": {"required": False}}


class ServiceSerializer(AsciiDigitsMixin, serializers.ModelSerializer):
    specialist = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "specialist",
            "name",
            "description",
            "price",
            "duration_minutes",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "slot_step_minutes",
            "min_notice_minutes",
            "horizon_days",
            "cancel_cutoff_minutes",
            "reschedule_cutoff_minutes",
            "max_per_client_per_day",
            "max_per_client_per_week",
            "capacity",
            "requires_confirmation",
            "is_active",
        ]


def _error(field: str, message: Any, code: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [ErrorDetail(str(message), code=code)]})


def _check_interval(start: time | None, end: time | None) -> None:
    if start is not None and end is not None and not (start < end or end == MIDNIGHT):
        raise _error(
            "end", _("The end must be after the start (00:00 means midnight)."), "end_before_start"
        )


# "09:00", "09:00:00", "09:00:00.5": a wall-clock time without an offset.
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


@extend_schema_field({"type": "string", "pattern": LOCAL_TIME_PATTERN, "example": "09:00:00"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the specialist's time zone, written without an offset.

    drf-spectacular documents a ``TimeField`` as ``format: time``, which JSON
    Schema defines as RFC 3339 ``full-time`` with a mandatory offset
    (``09:00:00Z``); these times have none, so the schema gives a pattern.
    """


class LocalTimeModelSerializer(AsciiDigitsMixin, serializers.ModelSerializer):
    # The model's TimeField -> LocalTimeField (no docstring: it would become
    # the description of every subclass's schema component).

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.TimeField: LocalTimeField,
    }


class WorkingHoursSerializer(LocalTimeModelSerializer):
    class Meta:
        model = WorkingHours
        fields = ["id", "weekday", "start", "end"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        _check_interval(start, end)
        return attrs


class ScheduleExceptionSerializer(LocalTimeModelSerializer):
    date = BoundedDateField()

    class Meta:
        model = ScheduleException
        fields = ["id", "date", "is_day_off", "start", "end", "note"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        def current(name):
            return attrs.get(name, getattr(self.instance, name, None))

        day_off = current("is_day_off")
        if day_off is None:
            day_off = True
        start, end = current("start"), current("end")
        if day_off and (start is not None or end is not None):
            raise _error("is_day_off", _("A day off has no start or end."), "day_off_hours")
        if not day_off and (start is None or end is None):
            raise _error("start", _("Other hours need a start and an end."), "hours_required")
        _check_interval(start, end)
        return attrs


@extend_schema_field({"type": "string", "example": "2030-01-31"})
class DayOrInstantField(serializers.Field):
    """An ISO 8601 date or date-time, read in a zone the serializer knows later.

    Returns a ``date`` or a (possibly naive) ``datetime``; ``SlotQuerySerializer``
    places it in the query's zone.
    """

    default_error_messages = {
        "invalid": _("Use an ISO 8601 date or date-time."),
        NON_ASCII_DIGITS: _("Use the digits 0-9."),
    }

    def to_internal_value(self, data: Any) -> date | datetime:
        if not isinstance(data, str):
            self.fail("invalid")
        if has_other_digits(data):
            self.fail(NON_ASCII_DIGITS)
        try:
            value = parse_date(data) or parse_datetime(data)
        except ValueError:  # well formed but impossible ("2030-02-30")
            value = None
        if value is None:
            self.fail("invalid")
        return value

    def to_representation(self, value: date | datetime) -> str:
        return value.isoformat()


class SlotQuerySerializer(AsciiDigitsMixin, serializers.Serializer):
    """The query of ``specialists/{id}/slots/``: ``service``, ``from``, ``to``, ``tz``.

    Needs ``context["specialist"]``. Dates are whole days in ``tz`` (``to``
    inclusive), date-times are instants (without an offset: in ``tz``);
    ``validated_data`` holds the ``service``, the zone (``tz``, and its name
    ``time_zone``) and the window ``window_start`` .. ``window_end``.
    """

    service = IdField(queryset=Service.objects.all(), help_text=_("Service id"))
    from_ = DayOrInstantField(help_text=_("ISO date (midnight in `tz`) or date-time, inclusive"))
    to = DayOrInstantField(
        help_text=_("ISO date (inclusive whole day in `tz`) or date-time (exclusive)")
    )
    tz = serializers.CharField(
        required=False,
        max_length=64,
        validators=[validate_time_zone],
        help_text=_(
            "IANA zone of the client: reads dates and formats local_start "
            "(default: the specialist's zone)"
        ),
    )
    group = serializers.ChoiceField(
        choices=["day"],
        required=False,
        help_text=_("`day`: the compact form, start times only, grouped by local date in `tz`"),
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # a Python keyword
        specialist = self.context.get("specialist")
        if specialist is not None:
            fields["service"].queryset = Service.objects.filter(specialist=specialist)
        return fields

    def validate_service(self, service: Service) -> Service:
        if not service.is_active:
            raise serializers.ValidationError(
                str(MESSAGES["inactive_service"]), code="inactive_service"
            )
        return service

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        time_zone = attrs.get("tz") or self.context["specialist"].time_zone
        tz = parse_time_zone(time_zone)
        start = _window_bound("from", attrs["from"], tz)
        end = _window_bound("to", attrs["to"], tz, end_of_day=True)
        if end <= start:
            raise _error("to", _("'to' must be after 'from'."), "empty_range")
        longest = app_settings.MAX_SLOTS_RANGE_DAYS
        if end - start > timedelta(days=longest):
            message = _("The range is longer than %(days)s days.") % {"days": longest}
            raise _error("to", message, "range_too_long")
        return {
            "service": attrs["service"],
            "group": attrs.get("group"),
            "time_zone": time_zone,
            "tz": tz,
            "window_start": start,
            "window_end": end,
        }


def _window_bound(name: str, value: date | datetime, tz: tzinfo, *, end_of_day: bool = False):
    """``value`` as an aware instant: a date is its midnight in ``tz`` (the next one for an
    inclusive end), a naive date-time is read in ``tz``. Outside 1970-9000 is refused before
    any arithmetic: the next midnight, or the engine's margin, overflow near year 9999."""
    if isinstance(value, datetime):
        moment = value if timezone_is_aware(value) else value.replace(tzinfo=tz)
    else:
        moment = datetime.combine(value, time(0), tzinfo=tz)
    try:
        validate_date_bounds(moment)
    except DjangoValidationError as exc:
        raise _error(name, exc.messages[0], OUT_OF_RANGE) from None
    if end_of_day and not isinstance(value, datetime):
        moment = datetime.combine(value + timedelta(days=1), time(0), tzinfo=tz)
    return moment


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text="UTC")
    end = serializers.DateTimeField(help_text="UTC")
    local_start = serializers.CharField(help_text="Wall-clock start in the requested zone")


def _is_utc(zone: tzinfo | None) -> bool:
    return zone is timezone.utc or getattr(zone, "key", None) in ("UTC", "Etc/UTC")


def _iso_output_zone() -> tzinfo | None:
    """The zone ``DateTimeField`` writes ISO 8601 in, or None when it does otherwise."""
    field = serializers.DateTimeField()
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if output_format is None or output_format.lower() != ISO_8601:
        return None
    return field.default_timezone()


def datetime_formatter() -> Callable[[datetime], Any]:
    """``DateTimeField().to_representation`` for aware datetimes, with the
    settings and current-zone lookups it makes on every call done once."""
    zone = _iso_output_zone()
    if zone is None:
        return serializers.DateTimeField().to_representation
    utc = _is_utc(zone)

    def represent(value: datetime) -> str:
        # A UTC value reads the same in a UTC zone: no conversion needed.
        if not (utc and value.tzinfo is timezone.utc):
            value = value.astimezone(zone)
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return represent


def _start_texts(
    starts: list[datetime], tz: tzinfo, moment: Callable[[datetime], Any]
) -> tuple[list[str], list[str]]:
    """The ISO texts of each start: as ``DateTimeField`` writes it, and in ``tz``."""
    # The engine's starts are in UTC: their own ISO text serves whichever side is UTC.
    out_utc, local_utc = _is_utc(_iso_output_zone()), _is_utc(tz)
    starts_text, locals_text = [], []
    for start in starts:
        if start.tzinfo is timezone.utc:
            iso = start.isoformat()
            text = iso[:-6] + "Z" if out_utc else moment(start)
            local = iso if local_utc else start.astimezone(tz).isoformat()
        else:
            text, local = moment(start), start.astimezone(tz).isoformat()
        locals_text.append(local)
        starts_text.append(text)
    return starts_text, locals_text


class SlotListSerializer(serializers.Serializer):
    specialist = serializers.IntegerField()
    service = serializers.IntegerField()
    time_zone = serializers.CharField()
    slots = SlotSerializer(many=True)

    @staticmethod
    def represent(
        *,
        specialist: int,
        service: int,
        time_zone: str,
        tz: tzinfo,
        starts: list[datetime],
        duration: timedelta,
    ) -> dict[str, Any]:
        """This serializer's output for sorted aware ``starts``, built directly.

        The same as ``SlotListSerializer(data).data`` with ``end = start +
        duration`` and ``local_start`` = the start in ``tz``, ISO 8601. A
        month of slots through a nested serializer costs far more than
        finding them; here each instant is formatted once: an end that is
        another slot's start (the usual case on a grid) reuses its text, and
        with UTC everywhere the start's text is its local text.
        """
        moment = datetime_formatter()
        starts_text, locals_text = _start_texts(starts, tz, moment)
        slots = []
        count, j = len(starts), 0
        for start, text, local in zip(starts, starts_text, locals_text, strict=True):
            end = start + duration
            while j < count and starts[j] < end:
                j += 1
            end_text = starts_text[j] if j < count and starts[j] == end else moment(end)
            slots.append({"start": text, "end": end_text, "local_start": local})
        return {
            "specialist": specialist,
            "service": service,
            "time_zone": time_zone,
            "slots": slots,
        }


class SlotDaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="Local date in the requested zone")
    starts = serializers.ListField(
        child=serializers.CharField(),
        help_text="Local start times with their UTC offset (`09:00+01:00`); "
        "`date` + `T` + a start is the ISO 8601 instant to book",
    )


class SlotDaysSerializer(serializers.Serializer):
    """The compact slot list (``?group=day``): start times only, grouped by local day."""

    specialist = serializers.IntegerField()
    service = serializers.IntegerField()
    time_zone = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    days = SlotDaySerializer(many=True)

    @staticmethod
    def represent(
        *,
        specialist: int,
        service: int,
        time_zone: str,
        tz: tzinfo,
        starts: list[datetime],
        duration: timedelta,
    ) -> dict[str, Any]:
        """Starts (sorted, aware) as ``{"date", "starts": ["HH:MM+hh:mm", ...]}`` per local day."""
        days: list[dict[str, Any]] = []
        for start in starts:
            local = start.astimezone(tz).isoformat(timespec="minutes")
            day, clock = local[:10], local[11:]
            if not days or days[-1]["date"] != day:
                days.append({"date": day, "starts": []})
            days[-1]["starts"].append(clock)
        return {
            "specialist": specialist,
            "service": service,
            "time_zone": time_zone,
            "duration_minutes": int(duration.total_seconds() // 60),
            "days": days,
        }


class BookingStatusChangeSerializer(serializers.ModelSerializer):
    # Plain strings: the values are those of Booking.status (one enum in the schema).
    from_status = serializers.CharField(read_only=True)
    to_status = serializers.CharField(read_only=True)

    class Meta:
        model = BookingStatusChange
        fields = ["from_status", "to_status", "changed_by", "changed_at", "comment"]


class BookingSerializer(serializers.ModelSerializer):
    """A booking as both of its parties see it."""

    specialist_name = serializers.CharField(source="specialist.display_name", read_only=True)
    time_zone = serializers.CharField(source="specialist.time_zone", read_only=True)
    client_time_zone = serializers.SerializerMethodField()
    client_name = serializers.SerializerMethodField()
    role = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "service",
            "service_name",
            "specialist",
            "specialist_name",
            "time_zone",
            "client_time_zone",
            "client",
            "client_name",
            "start",
            "end",
            "status",
            "price",
            "comment",
            "role",
            "created_at",
        ]
        read_only_fields = fields

    def get_client_name(self, booking: Booking) -> str:
        return name_of(booking.client)

    def get_client_time_zone(self, booking: Booking) -> str:
        """The zone of the client's notices (IANA name)."""
        return booking.client_zone.key

    @extend_schema_field(serializers.ChoiceField(choices=["client", "specialist"]))
    def get_role(self, booking: Booking) -> str:
        request = self.context.get("request")
        user_id = getattr(getattr(request, "user", None), "pk", None)
        return "client" if booking.client_id == user_id else "specialist"


class BookingDetailSerializer(BookingSerializer):
    history = BookingStatusChangeSerializer(many=True, read_only=True)

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "history"]
        read_only_fields = fields


CLIENT_TIME_ZONE_HELP = _(
    "IANA zone the client's notices show times in (default: the specialist's zone)."
)


class BookingCreateSerializer(AsciiDigitsMixin, serializers.Serializer):
    """A booking of ``service`` at ``start``, or of the caller's live ``hold``."""

    service = IdField(queryset=Service.objects.select_related("specialist"), required=False)
    start = BoundedDateTimeField(help_text=_("An instant with an offset, or UTC."), required=False)
    hold = IdField(
        queryset=BookingHold.objects.all(),
        required=False,
        help_text=_("One's own hold (holds/) to turn into the booking, instead of service+start."),
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    time_zone = serializers.CharField(
        required=False,
        default="",
        max_length=64,
        validators=[validate_time_zone],
        help_text=CLIENT_TIME_ZONE_HELP,
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:  # only one's own holds exist here
            fields["hold"].queryset = BookingHold.objects.filter(client_id=request.user.pk)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "hold" in attrs:
            return attrs
        for name in ("service", "start"):
            if name not in attrs:
                raise _error(name, _("This field is required."), "required")
        return attrs


class HoldSerializer(AsciiDigitsMixin, serializers.ModelSerializer):
    """A held slot: ``service`` and ``start`` in, held until ``expires_at``."""

    service = IdField(queryset=Service.objects.select_related("specialist"))
    start = BoundedDateTimeField(help_text=_("An instant with an offset, or UTC."))

    class Meta:
        model = BookingHold
        fields = ["id", "service", "specialist", "start", "end", "expires_at"]
        read_only_fields = ["id", "specialist", "end", "expires_at"]


class BookingActionSerializer(AsciiDigitsMixin, serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RescheduleSerializer(BookingActionSerializer):
    start = BoundedDateTimeField()


class FeedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
