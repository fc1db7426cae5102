# Data: one spelling of "canceled" in every stored status and event; status
# notifications point at their history row; reminders become outbox rows.

import datetime

from django.conf import settings
from django.db import migrations
from django.db.models import F
from django.utils import timezone

OLD, NEW = "cancelled", "canceled"
STATUS_EVENTS = ("confirmed", "cancelled", "canceled", "completed", "no_show")
ACTIVE = ("pending", "confirmed")


def _respell(apps, old, new):
    Booking = apps.get_model("shop_bookings", "Booking")
    Change = apps.get_model("shop_bookings", "BookingStatusChange")
    Notification = apps.get_model("shop_bookings", "BookingNotification")
    Booking.objects.filter(status=old).update(status=new)
    Change.objects.filter(from_status=old).update(from_status=new)
    Change.objects.filter(to_status=old).update(to_status=new)
    Notification.objects.filter(event=old).update(event=new)


def _reported_change(Change, notification):
    """The history row a notification written by 0.1.0 development builds reports."""
    rows = Change.objects.filter(booking_id=notification.booking_id)
    if notification.event == "rescheduled":
        rows = rows.filter(comment__startswith="rescheduled from")
    else:
        rows = rows.filter(to_status=notification.event.replace(OLD, NEW))
    before = rows.filter(changed_at__lte=notification.created_at)
    return (before or rows).order_by("-changed_at", "-pk").first()


def _link_changes(apps):
    Change = apps.get_model("shop_bookings", "BookingStatusChange")
    Notification = apps.get_model("shop_bookings", "BookingNotification")
    Notification.objects.update(due=F("created_at"))  # due since it was written
    for notification in Notification.objects.exclude(event__in=("created", "reminder")):
        notification.change = _reported_change(Change, notification)
        if notification.event in STATUS_EVENTS:
            notification.event = "status_changed"
        notification.save(update_fields=["change", "event"])


def _reminder_rows(apps):
    Booking = apps.get_model("shop_bookings", "Booking")
    Notification = apps.get_model("shop_bookings", "BookingNotification")
    before = datetime.timedelta(
        minutes=getattr(settings, "SHOP_BOOKINGS", {}).get("REMINDER_BEFORE_MINUTES", 24 * 60)
    )
    rows = [
        Notification(
            booking_id=b.pk,
            event="reminder",
            due=b.reminder_sent_at,
            sent_at=b.reminder_sent_at,
            attempts=1,
        )
        for b in Booking.objects.filter(reminder_sent_at__isnull=False)
    ]
    rows += [
        Notification(booking_id=b.pk, event="reminder", due=b.start - before)
        for b in Booking.objects.filter(
            reminder_sent_at__isnull=True, status__in=ACTIVE, start__gt=timezone.now()
        )
    ]
    Notification.objects.bulk_create(rows)


def forwards(apps, schema_editor):
    _respell(apps, OLD, NEW)
    _link_changes(apps)
    _reminder_rows(apps)


def backwards(apps, schema_editor):
    Booking = apps.get_model("shop_bookings", "Booking")
    Notification = apps.get_model("shop_bookings", "BookingNotification")
    reminders = Notification.objects.filter(event="reminder")
    for row in reminders.filter(sent_at__isnull=False):
        Booking.objects.filter(pk=row.booking_id).update(reminder_sent_at=row.sent_at)
    reminders.delete()
    for row in Notification.objects.filter(event="status_changed").select_related("change"):
        row.event = row.change.to_status if row.change else "confirmed"
        row.save(update_fields=["event"])
    _respell(apps, NEW, OLD)


class Migration(migrations.Migration):

    dependencies = [
        ("shop_bookings", "0004_notification_delivery_columns"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
