"""Business rules that write, one module per use case; each function takes
keyword-only arguments and runs in one transaction.

- ``addresses``: the address book and its one default per kind;
- ``favourites``: products kept once each;
- ``exports``: personal-data exports prepared in the background;
- ``privacy``: erasing a person's cabinet data.

The functions are also importable from here (``shop_cabinet.services.create_address``).
"""

from .addresses import create_address, delete_address, set_default_address, update_address
from .exports import REQUEUE_AFTER, prune_exports, request_export, requeue_exports, run_export
from .favourites import add_favourite, remove_favourite
from .privacy import erase_personal_data

__all__ = [
    "REQUEUE_AFTER",
    "add_favourite",
    "create_address",
    "delete_address",
    "erase_personal_data",
    "prune_exports",
    "remove_favourite",
    "request_export",
    "requeue_exports",
    "run_export",
    "set_default_address",
    "update_address",
]
