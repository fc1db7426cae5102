"""Permissions: the cabinet is for the logged-in customer, about their own data.

Object-level ownership is enforced by the querysets (``selectors.*_of(user)``),
so another user's object is simply not found (404), never "forbidden" (403),
which would confirm that it exists.
"""

from rest_framework.permissions import IsAuthenticated


class IsCustomer(IsAuthenticated):
    """Any authenticated user."""
