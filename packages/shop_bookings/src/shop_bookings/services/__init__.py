"""Business operations that write, one module per use case.

Every function takes keyword-only arguments and runs in one transaction;
refusals are the typed errors of ``shop_bookings.exceptions``. What other
packages and projects may call is re-exported here (README, "Public API").
"""

from .booking import create_booking, request_fingerprint, reschedule_booking
from .feeds import get_feed_token, revoke_feed_token, rotate_feed_token
from .profile import save_specialist_profile
from .schedule import create_own, delete_own, update_own
from .status import cancel_booking, change_status, complete_booking, confirm_booking, mark_no_show

__all__ = [
    "cancel_booking",
    "change_status",
    "complete_booking",
    "confirm_booking",
    "create_booking",
    "create_own",
    "delete_own",
    "get_feed_token",
    "mark_no_show",
    "request_fingerprint",
    "reschedule_booking",
    "revoke_feed_token",
    "rotate_feed_token",
    "save_specialist_profile",
    "update_own",
]
