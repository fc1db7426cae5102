"""Background work (Django tasks API): price-list imports too large for a request.

``enqueue_import_job`` is called after the commit that recorded the job (by
the receiver of ``import_job_queued``); the task runs
``services.import_jobs.run_import_job``, which claims the job, so a task
delivered twice imports once.
"""

from __future__ import annotations

import logging

try:  # Django >= 6.0
    from django.tasks import task
except ImportError:  # the django-tasks backport
    from django_tasks import task

from .models import ImportJob
from .services import import_jobs

logger = logging.getLogger(__name__)


@task()
def import_pricelist_job(job_id: int) -> str:
    """Run the ``ImportJob`` ``job_id``; returns its final status."""
    job = ImportJob.objects.select_related("shop").get(pk=job_id)
    return import_jobs.run_import_job(job=job).status


def enqueue_import_job(job: ImportJob) -> None:
    """Queue the job's task; a task backend that is down fails the job, visibly."""
    try:
        import_pricelist_job.enqueue(job.pk)
    except Exception:
        logger.exception("could not queue price-list import job %s", job.pk)
        import_jobs.fail_unqueued(job)
