"""Receivers connected in ``ShopCatalogConfig.ready()``.

shop_catalog listens to nothing of other apps; files of deleted or replaced
images are removed by django-cleanup (add it to INSTALLED_APPS). Its own
``import_job_queued`` hands a background import to the task after the commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from . import tasks
from .models import ImportJob
from .signals import import_job_queued


@receiver(import_job_queued, dispatch_uid="shop_catalog.enqueue_import_job")
def enqueue_import_job(sender: Any, job: ImportJob, **kwargs: Any) -> None:
    transaction.on_commit(lambda: tasks.enqueue_import_job(job))
