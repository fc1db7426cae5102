"""Business operations that write, one module per use case.

Every function takes keyword-only arguments and runs in one transaction;
refusals are the typed errors of ``shop_bookings.exceptions``. What other
packages and projects may call is re-exported here (README, "Public API").
"""

from .booking import (
    book_hold,
    can_reschedule,
    create_booking,
    request_fingerprint,
    reschedule_booking,
)
from .feeds import get_feed_token, revoke_feed_token, rotate_feed_token
from .holds import hold_slot, release_hold
from .privacy import erase_personal_data
from .profile import save_specialist_profile
from .schedule import create_own, delete_own, update_own
from .status import (
    allowed_moves,
    cancel_booking,
    cancel_for_order,
    change_status,
    complete_booking,
    confirm_booking,
    mark_no_show,
)

__all__ = [
    "allowed_moves",
    "book_hold",
    "can_reschedule",
    "cancel_booking",
    "cancel_for_order",
    "change_status",
    "complete_booking",
    "confirm_booking",
    "create_booking",
    "create_own",
    "delete_own",
    "erase_personal_data",
    "get_feed_token",
    "hold_slot",
    "mark_no_show",
    "release_hold",
    "request_fingerprint",
    "reschedule_booking",
    "revoke_feed_token",
    "rotate_feed_token",
    "save_specialist_profile",
    "update_own",
]
