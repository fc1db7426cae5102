"""Signals the cabinet sends.

``favourites_changed(sender=Favourite, user, product)``: after a product was
added to or removed from a user's favourites (``product`` is None on removal);
sent on commit. The dashboard cache listens to it.
"""

from django.dispatch import Signal

favourites_changed = Signal()
