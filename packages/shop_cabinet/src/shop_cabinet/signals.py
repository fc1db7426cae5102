"""Signals the cabinet sends.

``favourites_changed(sender=Favourite, user, product)``: after a product was
added to or removed from a user's favourites (``product`` is None on removal);
sent on commit. The dashboard cache listens to it.

``export_requested(sender=PersonalDataExport, export)``: a personal-data export
is pending and should be (re)queued; sent inside the request's transaction.
The cabinet's own receiver queues ``tasks.prepare_export`` after the commit.
"""

from django.dispatch import Signal

favourites_changed = Signal()
export_requested = Signal()
