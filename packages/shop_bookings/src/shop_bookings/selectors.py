"""Read queries: engine inputs from the database, catalogue and booking querysets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils import timezone

from . import slots
from .conf import app_settings
from .models import (
    ACTIVE_STATUSES,
    Booking,
    BookingHold,
    BookingNotification,
    ScheduleException,
    Service,
    Specialist,
    WorkingHours,
)


def _own_or_setting(service: Service, field: str, setting: str) -> Any:
    value = getattr(service, field)
    return getattr(app_settings, setting) if value is None else value


@dataclass(frozen=True)
class ServiceRules:
    """A service's booking rules: its own fields, else the package settings."""

    step: timedelta
    min_notice: timedelta
    horizon: timedelta
    cancel_cutoff: timedelta
    reschedule_cutoff: timedelta
    per_day: int | None
    per_week: int | None

    def policy(self) -> dict[str, timedelta]:
        """Step, minimum notice and horizon, as the slot engine wants them."""
        return {"step": self.step, "min_notice": self.min_notice, "horizon": self.horizon}


def service_rules(service: Service) -> ServiceRules:
    def minutes(field: str, setting: str) -> timedelta:
        return timedelta(minutes=_own_or_setting(service, field, setting))

    cutoff = "CLIENT_CHANGE_CUTOFF_MINUTES"
    return ServiceRules(
        step=minutes("slot_step_minutes", "SLOT_STEP_MINUTES"),
        min_notice=minutes("min_notice_minutes", "MIN_NOTICE_MINUTES"),
        horizon=timedelta(days=_own_or_setting(service, "horizon_days", "HORIZON_DAYS")),
        cancel_cutoff=minutes("cancel_cutoff_minutes", cutoff),
        reschedule_cutoff=minutes("reschedule_cutoff_minutes", cutoff),
        per_day=_own_or_setting(service, "max_per_client_per_day", "MAX_BOOKINGS_PER_DAY"),
        per_week=_own_or_setting(service, "max_per_client_per_week", "MAX_BOOKINGS_PER_WEEK"),
    )


def service_spec(service: Service) -> slots.ServiceSpec:
    """Duration, buffers (the service's, else the settings') and seats of a service."""
    return slots.ServiceSpec(
        duration=timedelta(minutes=service.duration_minutes),
        buffer_before=timedelta(
            minutes=_own_or_setting(service, "buffer_before_minutes", "BUFFER_BEFORE_MINUTES")
        ),
        buffer_after=timedelta(
            minutes=_own_or_setting(service, "buffer_after_minutes", "BUFFER_AFTER_MINUTES")
        ),
        capacity=service.capacity,
    )


def schedule_inputs(
    *,
    specialist: Specialist,
    window_start: datetime,
    window_end: datetime,
    service_id: int | None = None,
    exclude_booking_id: int | None = None,
    exclude_hold_id: int | None = None,
) -> dict[str, Any]:
    """Rules, exceptions and busy ranges of a specialist around a window (three queries).

    Busy ranges are the active bookings and the holds (with their expiry);
    those of ``service_id`` carry their start as their group session.
    """
    tz = specialist.zone
    # A day of margin on each side covers any service length and buffer that
    # fits in a working day, and the local dates either side of the window.
    margin = timedelta(days=2)
    # No ORDER BY (the engine orders what it needs): the cheapest queries to build.
    hours = WorkingHours.objects.filter(specialist=specialist).order_by()
    rules = [
        slots.WeeklyRule(weekday=w, start=s, end=e)
        for w, s, e in hours.values_list("weekday", "start", "end")
    ]
    dates = ScheduleException.objects.filter(
        specialist=specialist,
        date__gte=(window_start - margin).astimezone(tz).date(),
        date__lte=(window_end + margin).astimezone(tz).date(),
    ).order_by()
    exceptions = [
        slots.DateException(date=d, is_day_off=off, start=s, end=e)
        for d, off, s, e in dates.values_list("date", "is_day_off", "start", "end")
    ]
    busy = [
        slots.BusyRange(start=bs, end=be, session=start if sid == service_id else None, until=until)
        for bs, be, until, sid, start in _busy_rows(
            specialist_id=specialist.pk,
            since=window_start - margin,
            until=window_end + margin,
            exclude_booking_id=exclude_booking_id,
            exclude_hold_id=exclude_hold_id,
        )
    ]
    return {"rules": rules, "exceptions": exceptions, "busy": busy, "tz": tz}


def _busy_sql(connection: BaseDatabaseWrapper, *, exclude_booking: bool, exclude_hold: bool) -> str:
    """The live holds and active bookings of a specialist overlapping a window.

    Each row: blocked start and end, the hold's expiry (NULL for a booking),
    service id and start. Holds come first, so SQLite reads the expiry's
    declared type from a column, not from the bookings' NULL.
    """
    quote = connection.ops.quote_name

    def table(model: type[models.Model]) -> str:
        return quote(model._meta.db_table)

    def column(model: type[models.Model], name: str) -> str:
        return quote(model._meta.get_field(name).column)

    def columns(model: type[models.Model], *names: str) -> str:
        return ", ".join(column(model, name) for name in names)

    def overlap(model: type[models.Model], exclude: bool) -> str:
        clause = (
            f"{column(model, 'specialist')} = %s AND {column(model, 'blocked_end')} > %s"
            f" AND {column(model, 'blocked_start')} < %s"
        )
        return f"{clause} AND {column(model, 'id')} <> %s" if exclude else clause

    statuses = ", ".join(["%s"] * len(ACTIVE_STATUSES))
    hold_columns = columns(
        BookingHold, "blocked_start", "blocked_end", "expires_at", "service", "start"
    )
    booking_columns = columns(Booking, "blocked_start", "blocked_end")
    booking_session = columns(Booking, "service", "start")
    return (
        f"SELECT {hold_columns} FROM {table(BookingHold)}"
        f" WHERE {overlap(BookingHold, exclude_hold)}"
        f" AND {column(BookingHold, 'booking')} IS NULL"
        f" UNION ALL SELECT {booking_columns}, NULL, {booking_session} FROM {table(Booking)}"
        f" WHERE {overlap(Booking, exclude_booking)}"
        f" AND {column(Booking, 'status')} IN ({statuses})"
    )


def _busy_rows(
    *,
    specialist_id: int,
    since: datetime,
    until: datetime,
    exclude_booking_id: int | None,
    exclude_hold_id: int | None,
) -> list[tuple[datetime, datetime, datetime | None, int, datetime]]:
    """What blocks a specialist's time in ``[since, until)``: one query, written
    out because building it with the ORM took longer than the database's
    answer (a month of slots is requested far more often than anything else)."""
    connection = connections[router.db_for_read(Booking)]
    adapt = connection.ops.adapt_datetimefield_value
    window = [specialist_id, adapt(since), adapt(until)]
    params = [*window, *([exclude_hold_id] if exclude_hold_id is not None else [])]
    params += [*window, *([exclude_booking_id] if exclude_booking_id is not None else [])]
    params += ACTIVE_STATUSES
    sql = _busy_sql(
        connection,
        exclude_booking=exclude_booking_id is not None,
        exclude_hold=exclude_hold_id is not None,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # SQLite returns naive UTC values (or text); PostgreSQL aware ones already.
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    if convert is None:
        return rows

    def aware(value: Any) -> Any:
        return None if value is None else convert(value, None, connection)

    return [(aware(bs), aware(be), aware(e), sid, aware(st)) for bs, be, e, sid, st in rows]


def free_slots_for(
    *,
    specialist: Specialist,
    service: Service,
    window_start: datetime,
    window_end: datetime,
    now: datetime | None = None,
    exclude_booking_id: int | None = None,
) -> list[datetime]:
    """Free start instants (UTC) of ``service`` in [window_start, window_end).

    ``exclude_booking_id``: a booking being moved, whose own time counts as
    free (``services.reschedule_booking`` checks a new start the same way).
    """
    if not (service.is_active and specialist.is_active):
        return []
    inputs = schedule_inputs(
        specialist=specialist,
        window_start=window_start,
        window_end=window_end,
        exclude_booking_id=exclude_booking_id,
        # One seat per start: a booking of the service at a start takes it
        # whole, its range alone says so (no session start to read).
        service_id=service.pk if service.capacity > 1 else None,
    )
    return slots.free_slots(
        **inputs,
        service=service_spec(service),
        window_start=window_start,
        window_end=window_end,
        now=now or timezone.now(),
        **service_rules(service).policy(),
    )


def public_specialists() -> QuerySet[Specialist]:
    """Active specialists with their active services prefetched and the lowest price."""
    active_services = Service.objects.filter(is_active=True).order_by("price", "pk")
    return (
        Specialist.objects.filter(is_active=True)
        .annotate(min_price=Min("services__price", filter=Q(services__is_active=True)))
        .prefetch_related(Prefetch("services", queryset=active_services, to_attr="active_services"))
    )


def services_visible_to(user) -> QuerySet[Service]:
    """Active services of active specialists, plus every service of the user's own profile."""
    visible = Q(is_active=True, specialist__is_active=True)
    if user is not None and user.is_authenticated:
        visible |= Q(specialist__user=user)
    return Service.objects.filter(visible).select_related("specialist")


def bookings_visible_to(user) -> QuerySet[Booking]:
    """Bookings where the user is the client or the specialist."""
    return Booking.objects.filter(Q(client=user) | Q(specialist__user=user)).select_related(
        "service", "specialist", "client"
    )


def live_holds_of(user: Any, *, now: datetime | None = None) -> QuerySet[BookingHold]:
    """The user's holds not yet booked nor lapsed, soonest expiry first."""
    return BookingHold.objects.filter(
        client=user, booking__isnull=True, expires_at__gt=now or timezone.now()
    ).order_by("expires_at", "pk")


def own_specialist(user: Any) -> Specialist | None:
    """The user's own specialist profile, active or not; None without one."""
    if user is None or not user.is_authenticated:
        return None
    return Specialist.objects.filter(user=user).first()


def feed_bookings(user: Any, *, now: datetime | None = None) -> QuerySet[Booking]:
    """The bookings of a user's calendar feed: as client and as specialist, from
    ``FEED_PAST_DAYS`` ago on, oldest first."""
    since = (now or timezone.now()) - timedelta(days=app_settings.FEED_PAST_DAYS)
    return (
        Booking.objects.filter(Q(client=user) | Q(specialist__user=user), end__gte=since)
        .select_related("specialist", "client")
        .order_by("start", "pk")
    )


def deliverable_notifications(*, now: datetime | None = None) -> QuerySet[BookingNotification]:
    """Outbox rows that may still be sent: every event, and the reminders of
    pending or confirmed bookings still ahead (``shop_core.delivery`` narrows
    this to what is unsent, due and has attempts left)."""
    live_reminder = Q(booking__status__in=ACTIVE_STATUSES, booking__start__gt=now or timezone.now())
    return BookingNotification.objects.filter(
        ~Q(event=BookingNotification.Event.REMINDER) | live_reminder
    )


def _due(now: datetime | None) -> QuerySet[BookingNotification]:
    now = now or timezone.now()
    return deliverable_notifications(now=now).filter(
        sent_at__isnull=True, due__lte=now, attempts__lt=app_settings.NOTIFICATION_MAX_ATTEMPTS
    )


def upcoming_reminders(*, now: datetime | None = None) -> QuerySet[BookingNotification]:
    """Reminders due now and not sent, of pending or confirmed bookings still ahead."""
    rows = _due(now).filter(event=BookingNotification.Event.REMINDER)
    return rows.order_by("due", "pk")


def pending_notifications(*, now: datetime | None = None) -> QuerySet[BookingNotification]:
    """Notifications (not reminders) due and not sent: new, or failed and past their back-off."""
    rows = _due(now).exclude(event=BookingNotification.Event.REMINDER)
    return rows.order_by("due", "pk")


def upcoming_bookings(user, *, limit: int = 5, now: datetime | None = None) -> list[Booking]:
    """The user's next pending or confirmed bookings as a client (e.g. for a dashboard)."""
    now = now or timezone.now()
    return list(
        Booking.objects.filter(client=user, status__in=ACTIVE_STATUSES, end__gt=now)
        .select_related("specialist", "service")
        .order_by("start", "pk")[:limit]
    )
