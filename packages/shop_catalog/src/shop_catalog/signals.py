"""Signals sent by shop_catalog.

``pricelist_imported``: sent after a price-list import has been committed.
    sender: the ``Shop`` class; kwargs: ``shop`` (Shop), ``summary``
    (ImportSummary). Send-after-commit, so receivers see the new data.
``shop_accepts_orders_changed``: sent when a supplier stops or resumes
    taking orders. sender: the ``Shop`` class; kwargs: ``shop``, ``user``
    (who switched it, may be None), ``accepts_orders`` (the new value).
``import_job_queued``: sent inside the transaction that records an
    ``ImportJob`` to run in the background (a large upload, a URL).
    sender: the ``ImportJob`` class; kwargs: ``job``. This app's own
    receiver enqueues the job's task after the commit.
"""

from django.dispatch import Signal

pricelist_imported = Signal()
shop_accepts_orders_changed = Signal()
import_job_queued = Signal()
