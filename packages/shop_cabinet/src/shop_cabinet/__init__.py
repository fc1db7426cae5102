"""The customer's personal cabinet: dashboard, address book, favourites,
order history and personal-data export."""

__version__ = "0.1.0"
