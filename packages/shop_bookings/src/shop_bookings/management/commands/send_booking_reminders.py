from django.core.management.base import BaseCommand, CommandError

from shop_bookings.tasks import send_due_reminders, send_pending_notifications


class Command(BaseCommand):
    help = (
        "Send the reminders that are due and the notifications not sent yet, retrying "
        "those that failed (run it every few minutes). Exits non-zero when a send failed."
    )

    def handle(self, *args, **options):
        reminders = send_due_reminders.call()
        notifications = send_pending_notifications.call()
        self.stdout.write(
            f"{reminders['sent']} reminder(s) sent, {reminders['failed']} failed; "
            f"{notifications['sent']} notification(s) sent, {notifications['failed']} failed."
        )
        failed = reminders["failed"] + notifications["failed"]
        if failed:
            raise CommandError(f"{failed} send(s) failed; they are retried on the next run.")
