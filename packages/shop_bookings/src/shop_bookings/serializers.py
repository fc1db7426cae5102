"""API serializers: shapes only; rules live in services.py and the slot engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta, timezone, tzinfo
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import ISO_8601, serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

from shop_core.bounds import BoundedDateField, BoundedDateTimeField

from .models import (
    Booking,
    BookingStatusChange,
    ScheduleException,
    Service,
    Specialist,
    WorkingHours,
)
from .validators import (
    NON_ASCII_DIGITS,
    NON_ASCII_DIGITS_MESSAGE,
    has_other_digits,
    validate_photo,
    validate_time_zone,
)

MIDNIGHT = time(0)

# Fields whose input Python would parse from another script's digits too.
DIGIT_FIELDS = (
    serializers.IntegerField,
    serializers.DecimalField,
    serializers.FloatField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.TimeField,
    serializers.RelatedField,
)


class AsciiDigitsMixin:
    """Refuses ``"١٢"`` (any non-ASCII digit) in number, date, time and id fields.

    ``int("١٢") == 12`` and Django's date parsing agree, so without this a
    price or a start typed in another script would be stored as if ASCII.
    """

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "get"):
            errors = {
                name: [ErrorDetail(str(NON_ASCII_DIGITS_MESSAGE), code=NON_ASCII_DIGITS)]
                for name, field in self.fields.items()
                if isinstance(field, DIGIT_FIELDS)
                and not field.read_only
                and has_other_digits(data.get(name))
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class ServiceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name", "price", "duration_minutes"]


class SpecialistSerializer(serializers.ModelSerializer):
    """The public card of a specialist (catalogue)."""

    services = ServiceBriefSerializer(source="active_services", many=True, read_only=True)
    min_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )

    class Meta:
        model = Specialist
        fields = [
            "id",
            "display_name",
            "bio",
            "city",
            "experience_years",
            "time_zone",
            "photo",
            "photo_thumbnail",
            "min_price",
            "services",
        ]
        read_only_fields = fields


class SpecialistProfileSerializer(AsciiDigitsMixin, serializers.ModelSerializer):
    """The specialist's own profile (``specialists/me/``); photo via multipart upload."""

    time_zone = serializers.CharField(max_length=64, validators=[validate_time_zone])
    photo = serializers.ImageField(required=False, allow_null=True, validators=[validate_photo])

    class Meta:
        model = Specialist
        fields = [
            "id",
            "display_name",
            "bio",
            "city",
            "experience_years",
            "time_zone",
            "photo",
            "photo_thumbnail",
            "is_active",
        ]
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
            "requires_confirmation",
            "is_active",
        ]


def _check_interval(start: time | None, end: time | None) -> None:
    if start is not None and end is not None and not (start < end or end == MIDNIGHT):
        raise serializers.ValidationError(
            {"end": [_("The end must be after the start (00:00 means midnight).")]}
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
        if day_off:
            if start is not None or end is not None:
                raise serializers.ValidationError(
                    {"is_day_off": [_("A day off has no start or end.")]}
                )
        else:
            if start is None or end is None:
                raise serializers.ValidationError(
                    {"start": [_("Other hours need a start and an end.")]}
                )
            _check_interval(start, end)
        return attrs


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
        all_utc = _is_utc(tz) and _is_utc(_iso_output_zone())
        starts_text, locals_text = [], []
        for start in starts:
            if all_utc and start.tzinfo is timezone.utc:
                local = start.isoformat()
                text = local[:-6] + "Z"
            else:
                local = start.astimezone(tz).isoformat()
                text = moment(start)
            locals_text.append(local)
            starts_text.append(text)
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
        return booking.client.get_full_name() or booking.client.get_username()

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


class BookingCreateSerializer(AsciiDigitsMixin, serializers.Serializer):
    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.select_related("specialist")
    )
    start = BoundedDateTimeField(help_text=_("An instant with an offset, or UTC."))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class BookingActionSerializer(AsciiDigitsMixin, serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class RescheduleSerializer(BookingActionSerializer):
    start = BoundedDateTimeField()


class FeedTokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    url = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
