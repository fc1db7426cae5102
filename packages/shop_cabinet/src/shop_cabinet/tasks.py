"""Background work through the Django tasks API (``django.tasks`` on Django 6+,
the ``django-tasks`` backport before).

``prepare_export`` is queued by the receiver of ``export_requested`` after the
commit that recorded the export (``receivers.queue_export``); this module
imports the services, never the other way round.
"""

from __future__ import annotations

from typing import Any

try:  # Django >= 6.0
    from django.tasks import task
except ImportError:  # the django-tasks backport
    from django_tasks import task

from .conf import app_settings
from .services.exports import run_export


@task()
def prepare_export(export_id: str) -> None:
    """Build the archive of a ``PersonalDataExport`` requested earlier."""
    run_export(export_id=export_id)


def enqueue_export(export_id: Any) -> None:
    """Queue ``prepare_export`` for a pending export on ``EXPORT_TASK_BACKEND``."""
    prepare_export.using(backend=app_settings.EXPORT_TASK_BACKEND).enqueue(str(export_id))
