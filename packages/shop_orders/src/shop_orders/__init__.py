"""Orders for a Django shop: cart, checkout, order lifecycle, stock."""

__version__ = "0.1.0"
