"""Signals sent by shop_bookings (sender is the ``Booking`` class).

All are sent inside the writing transaction, after the change is saved;
use ``transaction.on_commit`` in a receiver for side effects.

``booking_created(booking, by)``
``booking_status_changed(booking, from_status, to_status, by, comment, change)``
``booking_rescheduled(booking, old_start, old_end, by, change)``

``change`` is the ``BookingStatusChange`` row the change wrote to the history.
"""

from django.dispatch import Signal

booking_created = Signal()
booking_status_changed = Signal()
booking_rescheduled = Signal()
