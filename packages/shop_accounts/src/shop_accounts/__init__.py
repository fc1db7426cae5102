"""Accounts for a Django shop."""

__version__ = "0.1.0"
