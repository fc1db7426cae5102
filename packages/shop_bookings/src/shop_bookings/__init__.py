"""Bookings for a Django shop: specialists, services, slots, bookings."""

__version__ = "0.1.0"
