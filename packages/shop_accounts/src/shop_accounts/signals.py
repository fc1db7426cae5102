"""Signals sent by shop_accounts.

``role_assigned(sender=User model, user, role)``: after a user joins a role.
``company_verified(sender=Profile, profile, verified, by)``: after staff
verify (or un-verify) a business customer's company.
"""

from django.dispatch import Signal

role_assigned = Signal()
company_verified = Signal()
