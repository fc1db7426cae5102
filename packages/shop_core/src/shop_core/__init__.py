"""Shared, model-free building blocks of the shop apps: settings, safe parsing, bounds."""

__version__ = "0.1.0"
