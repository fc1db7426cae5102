"""Background work: price-list imports too large for a request."""

from __future__ import annotations

try:  # Django >= 6.0
    from django.tasks import task
except ImportError:  # the django-tasks backport
    from django_tasks import task


@task()
def import_pricelist_job(job_id: int) -> str:
    """Run the ``ImportJob`` ``job_id``; returns its final status."""
    from .models import ImportJob
    from .services import run_import_job

    job = ImportJob.objects.select_related("shop").get(pk=job_id)
    # run_import_job() claims a pending job: a retried or doubled task imports once
    return run_import_job(job=job).status
