"""Signals sent by shop_accounts.

``role_assigned(sender=User model, user, role)``: after a user joins a role.
``company_verified(sender=Profile, profile, verified, by)``: after staff
verify (or un-verify) a business customer's company, and with
``verified=False, by=None`` when the customer's own edit of the company
data withdraws a verification.
"""

from django.dispatch import Signal

role_assigned = Signal()
company_verified = Signal()
