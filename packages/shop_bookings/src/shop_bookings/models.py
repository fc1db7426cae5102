"""Specialists, their services and schedules, bookings and calendar feed tokens.

Wall-clock times (working hours, exceptions) are in the specialist's IANA
time zone; instants (bookings) are stored in UTC. On PostgreSQL the
no-overlap rule of bookings is an exclusion constraint added by migration
0002 (SQLite cannot express it, so it is not declared in ``Meta``).
"""

from __future__ import annotations

import secrets
import uuid
import zoneinfo
from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shop_core.delivery import Outbox

from .validators import validate_photo, validate_time_zone

MIDNIGHT = time(0)
YEAR_MINUTES = 366 * 24 * 60


def default_time_zone() -> str:
    """The project's TIME_ZONE: the zone of a new specialist until they change it."""
    return settings.TIME_ZONE or "UTC"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Specialist(models.Model):
    # Null once the account is deleted: the profile stays, closed, for the
    # clients' past bookings (services.privacy.detach_specialist).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="booking_specialist",
        verbose_name=_("user"),
    )
    display_name = models.CharField(_("display name"), max_length=150)
    bio = models.TextField(_("bio"), blank=True, max_length=5000)
    city = models.CharField(_("city"), max_length=100, blank=True, db_index=True)
    experience_years = models.PositiveSmallIntegerField(
        _("experience, years"), default=0, validators=[MaxValueValidator(100)]
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Europe/Berlin. Working hours are in this zone."),
    )
    photo = models.ImageField(
        _("photo"),
        upload_to="shop_bookings/specialists/%Y/%m/",
        blank=True,
        validators=[validate_photo],
    )
    photo_thumbnail = models.ImageField(
        _("photo thumbnail"),
        upload_to="shop_bookings/specialists/thumbnails/%Y/%m/",
        blank=True,
        editable=False,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("specialist")
        verbose_name_plural = _("specialists")
        ordering = ["display_name", "pk"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Service(models.Model):
    specialist = models.ForeignKey(
        Specialist, on_delete=models.CASCADE, related_name="services", verbose_name=_("specialist")
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    price = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    duration_minutes = models.PositiveIntegerField(
        _("duration, minutes"), validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    # The rules below: empty means the package setting of the same name (README, "Settings").
    buffer_before_minutes = models.PositiveIntegerField(
        _("buffer before, minutes"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(24 * 60)],
        help_text=_("Preparation before each appointment; empty: BUFFER_BEFORE_MINUTES."),
    )
    buffer_after_minutes = models.PositiveIntegerField(
        _("buffer after, minutes"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(24 * 60)],
        help_text=_("Clean-up after each appointment; empty: BUFFER_AFTER_MINUTES."),
    )
    slot_step_minutes = models.PositiveIntegerField(
        _("slot step, minutes"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    min_notice_minutes = models.PositiveIntegerField(
        _("minimum notice, minutes"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(YEAR_MINUTES)],
    )
    horizon_days = models.PositiveIntegerField(
        _("horizon, days"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3660)],
    )
    cancel_cutoff_minutes = models.PositiveIntegerField(
        _("cancellation cutoff, minutes"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(YEAR_MINUTES)],
        help_text=_("The client may cancel until this long before the start."),
    )
    reschedule_cutoff_minutes = models.PositiveIntegerField(
        _("reschedule cutoff, minutes"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(YEAR_MINUTES)],
        help_text=_("The client may reschedule until this long before the start."),
    )
    max_per_client_per_day = models.PositiveIntegerField(
        _("bookings per client per day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    max_per_client_per_week = models.PositiveIntegerField(
        _("bookings per client per week"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    capacity = models.PositiveIntegerField(
        _("seats"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Clients at once (a group class); they share one start."),
    )
    requires_confirmation = models.BooleanField(
        _("requires confirmation"),
        default=False,
        help_text=_("New bookings stay pending until the specialist confirms them."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="shop_bookings_service_price"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="shop_bookings_service_duration"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="shop_bookings_capacity"),
        ]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """A weekly working interval, wall-clock in the specialist's zone; several a day allowed."""

    specialist = models.ForeignKey(
        Specialist,
        on_delete=models.CASCADE,
        related_name="working_hours",
        verbose_name=_("specialist"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["weekday", "start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")) | Q(end=MIDNIGHT),
                name="shop_bookings_hours_start_before_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"


class ScheduleException(models.Model):
    """Replaces the weekly hours on one date: a day off, or other hours (one row per interval)."""

    specialist = models.ForeignKey(
        Specialist,
        on_delete=models.CASCADE,
        related_name="schedule_exceptions",
        verbose_name=_("specialist"),
    )
    date = models.DateField(_("date"))
    is_day_off = models.BooleanField(_("day off"), default=True)
    start = models.TimeField(_("start"), null=True, blank=True)
    end = models.TimeField(_("end"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("schedule exception")
        verbose_name_plural = _("schedule exceptions")
        ordering = ["date", "start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(is_day_off=True, start__isnull=True, end__isnull=True))
                | (
                    Q(is_day_off=False, start__isnull=False, end__isnull=False)
                    & (Q(start__lt=F("end")) | Q(end=MIDNIGHT))
                ),
                name="shop_bookings_exception_day_off_or_hours",
            ),
        ]

    def __str__(self) -> str:
        if self.is_day_off:
            return f"{self.date}: {_('day off')}"
        return f"{self.date}: {self.start:%H:%M}-{self.end:%H:%M}"


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    CONFIRMED = "confirmed", _("confirmed")
    CANCELED = "canceled", _("canceled")
    COMPLETED = "completed", _("completed")
    NO_SHOW = "no_show", _("no show")


#: Statuses that hold a time slot (the exclusion constraint's condition).
ACTIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class Booking(models.Model):
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("service")
    )
    specialist = models.ForeignKey(
        Specialist, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("specialist")
    )
    # Null once the client's account is deleted: the specialist keeps the row.
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="shop_bookings",
        verbose_name=_("client"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    # [start - buffer before, end + buffer after): what no other active booking may overlap.
    blocked_start = models.DateTimeField(_("blocked from"), editable=False)
    blocked_end = models.DateTimeField(_("blocked until"), editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.PENDING
    )
    # Snapshot of the service at booking time: later edits do not rewrite history.
    service_name = models.CharField(_("service name"), max_length=200)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    client_time_zone = models.CharField(
        _("client's time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("IANA name: the client's notices show times in it."),
    )
    # The seats of one group session share a key and so may share their time
    # (the exclusion constraint compares it with <>); a single seat has its own.
    session = models.UUIDField(_("session"), default=uuid.uuid4, editable=False)
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, blank=True)
    # shop_core.idempotency.fingerprint of the creating request: a retry with the
    # same key and another body is refused (see services.request_fingerprint).
    request_fingerprint = models.CharField(
        _("request fingerprint"), max_length=64, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["-start", "-pk"]
        indexes = [
            models.Index(fields=["specialist", "blocked_start"], name="shop_bkg_spec_blocked"),
            models.Index(fields=["client", "start"], name="shop_bkg_client_start"),
            models.Index(fields=["status", "start"], name="shop_bkg_status_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="shop_bookings_booking_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(blocked_start__lte=F("start")) & Q(blocked_end__gte=F("end")),
                name="shop_bookings_booking_blocked_covers",
            ),
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="shop_bookings_booking_idempotency_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_name} @ {self.start:%Y-%m-%d %H:%M} UTC ({self.status})"

    @property
    def client_zone(self) -> zoneinfo.ZoneInfo:
        """The zone of the client's notices (the specialist's for older bookings)."""
        return zoneinfo.ZoneInfo(self.client_time_zone or self.specialist.time_zone)


class BookingHold(models.Model):
    """A slot held for a client until ``expires_at`` (while they pay or fill a form).

    It blocks like a booking while it lives and lapses by itself: the slot
    engine ignores a hold at or after its expiry, so nothing needs to free it.
    The holder turns it into a booking (``services.book_hold``).
    """

    specialist = models.ForeignKey(
        Specialist, on_delete=models.CASCADE, related_name="holds", verbose_name=_("specialist")
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="holds", verbose_name=_("service")
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shop_booking_holds",
        verbose_name=_("client"),
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    blocked_start = models.DateTimeField(_("blocked from"), editable=False)
    blocked_end = models.DateTimeField(_("blocked until"), editable=False)
    expires_at = models.DateTimeField(_("held until"))
    # The booking the hold became (it then blocks no more: the booking does).
    booking = models.OneToOneField(
        Booking,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="hold",
        verbose_name=_("booking"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("held slot")
        verbose_name_plural = _("held slots")
        ordering = ["expires_at", "pk"]
        indexes = [
            models.Index(fields=["specialist", "blocked_start"], name="shop_bkg_hold_spec_blocked"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="shop_bookings_hold_start_before_end"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} @ {self.start:%Y-%m-%d %H:%M} UTC until {self.expires_at:%H:%M}"


class BookingStatusChange(models.Model):
    """One line of a booking's history (creation has an empty ``from_status``)."""

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="history", verbose_name=_("booking")
    )
    from_status = models.CharField(
        _("from status"), max_length=16, choices=BookingStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=16, choices=BookingStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("booking status change")
        verbose_name_plural = _("booking status changes")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} -> {self.to_status}"


class BookingNotification(Outbox):
    """One message to a booking's people (an outbox row): an event, or its reminder.

    Written in the transaction of the change, so it exists exactly when the
    change does; sent after commit through the tasks API by
    ``shop_core.delivery`` (claimed with a lease, marked sent only after the
    NOTIFIER returned, retried after a back-off when it raised). A reminder
    is due ``REMINDER_BEFORE_MINUTES`` before the start and is sent only
    while its booking is pending or confirmed and still ahead.
    """

    class Event(models.TextChoices):
        CREATED = "created", _("created")
        STATUS_CHANGED = "status_changed", _("status changed")
        RESCHEDULED = "rescheduled", _("rescheduled")
        REMINDER = "reminder", _("reminder")

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("booking")
    )
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    # The history row a status change or reschedule reports (who, from, to, comment).
    change = models.ForeignKey(
        BookingStatusChange,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("change"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("booking notification")
        verbose_name_plural = _("booking notifications")
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["due"],
                condition=Q(sent_at__isnull=True),
                name="shop_bkg_notification_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.booking_id}"


def _new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedToken(models.Model):
    """The secret in a user's private ICS feed URL; delete or rotate it to revoke the URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="booking_feed_token",
        verbose_name=_("user"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_new_feed_token)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self) -> str:
        return f"{self.user} ({self.token[:6]}...)"
