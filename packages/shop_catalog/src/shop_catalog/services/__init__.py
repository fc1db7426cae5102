"""Services: the use cases that write, one module each.

- ``pricelist_import``: writing a validated price list into a shop
  (``import_pricelist``, ``import_pricelist_file``, ``ImportSummary``);
- ``import_jobs``: the API's uploads and URLs as ``ImportJob``s, run now or
  in the background (``submit_import``, ``run_import_job``, ``requeue_stale_imports``);
- ``offers``: a supplier's own offers (``create_offer``, ``update_offer``);
- ``shops``: ``set_accepts_orders`` and ``shop_locked``.
"""

from .import_jobs import requeue_stale_imports, run_import_job, submit_import
from .offers import create_offer, update_offer
from .pricelist_import import (
    MISSING_POLICIES,
    ImportSummary,
    import_pricelist,
    import_pricelist_file,
)
from .shops import set_accepts_orders, shop_locked

__all__ = [
    "MISSING_POLICIES",
    "ImportSummary",
    "create_offer",
    "import_pricelist",
    "import_pricelist_file",
    "requeue_stale_imports",
    "run_import_job",
    "set_accepts_orders",
    "shop_locked",
    "submit_import",
    "update_offer",
]
