"""Background work through the Django tasks API (``django.tasks`` on Django 6+,
the ``django-tasks`` backport before)."""

from __future__ import annotations

try:  # Django >= 6.0
    from django.tasks import task
except ImportError:  # the django-tasks backport
    from django_tasks import task


@task()
def prepare_export(export_id: str) -> None:
    """Build the archive of a ``PersonalDataExport`` requested earlier."""
    from .services import run_export

    run_export(export_id=export_id)
