from django.core.management.base import BaseCommand

from shop_bookings.tasks import send_due_reminders


class Command(BaseCommand):
    help = "Send the reminders of bookings starting soon (run it every few minutes)."

    def handle(self, *args, **options):
        sent = send_due_reminders.call()
        self.stdout.write(f"{sent} reminder(s) sent.")
