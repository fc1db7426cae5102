"""Read queries: engine inputs from the database, catalogue and booking querysets."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Min, Prefetch, Q, QuerySet
from django.utils import timezone

from . import slots
from .conf import app_settings
from .models import ACTIVE_STATUSES, Booking, BookingNotification, Service, Specialist


def slot_policy() -> dict[str, timedelta]:
    """Step, minimum notice and horizon from the settings, as the engine wants them."""
    return {
        "step": timedelta(minutes=app_settings.SLOT_STEP_MINUTES),
        "min_notice": timedelta(minutes=app_settings.MIN_NOTICE_MINUTES),
        "horizon": timedelta(days=app_settings.HORIZON_DAYS),
    }


def service_spec(service: Service) -> slots.ServiceSpec:
    return slots.ServiceSpec(
        duration=timedelta(minutes=service.duration_minutes),
        buffer_before=timedelta(minutes=service.buffer_before_minutes),
        buffer_after=timedelta(minutes=service.buffer_after_minutes),
    )


def schedule_inputs(
    *,
    specialist: Specialist,
    window_start: datetime,
    window_end: datetime,
    exclude_booking_id: int | None = None,
) -> dict[str, Any]:
    """Rules, exceptions and busy ranges of a specialist around a window (three queries)."""
    tz = specialist.zone
    # A day of margin on each side covers any service length and buffer that
    # fits in a working day, and the local dates either side of the window.
    margin = timedelta(days=2)
    rules = [
        slots.WeeklyRule(weekday=w, start=s, end=e)
        for w, s, e in specialist.working_hours.values_list("weekday", "start", "end")
    ]
    exceptions = [
        slots.DateException(date=d, is_day_off=off, start=s, end=e)
        for d, off, s, e in specialist.schedule_exceptions.filter(
            date__gte=(window_start - margin).astimezone(tz).date(),
            date__lte=(window_end + margin).astimezone(tz).date(),
        ).values_list("date", "is_day_off", "start", "end")
    ]
    bookings = Booking.objects.filter(
        specialist=specialist,
        status__in=ACTIVE_STATUSES,
        blocked_end__gt=window_start - margin,
        blocked_start__lt=window_end + margin,
    )
    if exclude_booking_id is not None:
        bookings = bookings.exclude(pk=exclude_booking_id)
    busy = [
        slots.BusyRange(start=s, end=e)
        for s, e in bookings.values_list("blocked_start", "blocked_end")
    ]
    return {"rules": rules, "exceptions": exceptions, "busy": busy, "tz": tz}


def free_slots_for(
    *,
    specialist: Specialist,
    service: Service,
    window_start: datetime,
    window_end: datetime,
    now: datetime | None = None,
) -> list[datetime]:
    """Free start instants (UTC) of ``service`` in [window_start, window_end)."""
    if not (service.is_active and specialist.is_active):
        return []
    return slots.free_slots(
        **schedule_inputs(specialist=specialist, window_start=window_start, window_end=window_end),
        service=service_spec(service),
        window_start=window_start,
        window_end=window_end,
        now=now or timezone.now(),
        **slot_policy(),
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
