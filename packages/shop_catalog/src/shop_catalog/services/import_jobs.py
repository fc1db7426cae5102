"""Import jobs: a supplier's upload or URL recorded as an ``ImportJob``, run now or later.

``submit_import`` imports a small upload in the request; a larger upload
(stored with the job) and every URL run in the background: it sends
``import_job_queued``, whose receiver (``receivers.py``) enqueues the task
after the commit. A job is claimed with one conditional UPDATE, so a task
delivered twice imports once; a job whose worker was killed keeps its claim
only for ``IMPORT_LEASE_MINUTES``, then ``requeue_stale_imports`` (a periodic
command) queues it again. Every way a job ends is recorded on it:
``summary``, or ``errors`` in the shape of ``PriceListError.errors``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import caches
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..conf import app_settings
from ..exceptions import PriceListError, problem
from ..fetch import FetchError
from ..models import ImportJob, Shop
from ..pricelist import HEAD_BYTES, admit, detect_format
from ..selectors import IMPORT_STAGES, progress_key
from ..signals import import_job_queued
from .pricelist_import import import_pricelist_file

logger = logging.getLogger(__name__)


def submit_import(
    *,
    shop: Shop,
    user: Any,
    fmt: str,
    missing: str = "",
    upload: Any = None,
    url: str = "",
) -> tuple[ImportJob, bool]:
    """Record an ``ImportJob`` for an upload or a URL; return (job, queued).

    An upload up to ``IMPORT_SYNC_MAX_BYTES`` is imported now (``queued`` is
    False, the job is finished: succeeded, or failed with its ``errors``). A
    larger upload is checked (size, format, content) before it is stored, a
    URL is fetched later: both then run in the background (``queued`` is
    True) once the transaction commits.
    """
    job = ImportJob(shop=shop, created_by=user, format=fmt, missing=missing, source_url=url)
    if upload is not None and upload.size <= app_settings.IMPORT_SYNC_MAX_BYTES:
        job.save()
        return run_import_job(job=job, content=upload.read()), False
    if upload is not None:
        try:
            admit(upload.read(HEAD_BYTES), upload.size, fmt)
        except PriceListError as exc:
            _finish(job, ImportJob.Status.FAILED, errors=exc.errors)
            return job, False
        upload.seek(0)
        job.file.save(upload.name, upload, save=False)
    job.save()
    import_job_queued.send(sender=ImportJob, job=job)
    return job, True


def run_import_job(*, job: ImportJob, content: bytes | None = None) -> ImportJob:
    """Run a pending job and record its outcome (``summary`` or ``errors``).

    The price list is ``content`` if given, else the job's URL (through the
    ``URL_FETCHER`` hook) or its stored file. The job is claimed with one
    conditional UPDATE (pending, or running past ``IMPORT_LEASE_MINUTES``, ->
    running, ``started`` now), so a task delivered twice, or picked by two
    workers, imports once; the other call returns the job as it is.
    An unexpected error fails the job (``import_failed``) and is raised again.
    """
    if not _claim(job):
        job.refresh_from_db()
        return job
    try:
        summary = import_pricelist_file(
            content=_content(job) if content is None else content,
            fmt=job.format or detect_format(job.source_url or job.file.name) or "yaml",
            shop=job.shop,
            missing=job.missing or None,
            progress=_progress_recorder(job),
        )
    except PriceListError as exc:
        _finish(job, ImportJob.Status.FAILED, errors=exc.errors)
    except FetchError as exc:
        _finish(job, ImportJob.Status.FAILED, errors=[problem(exc, "fetch_failed", field="url")])
    except Exception:
        # not left "running" for ever; the worker (or the request) reports the error
        message = _("The import failed unexpectedly; nothing was imported. Try again.")
        _finish(job, ImportJob.Status.FAILED, errors=[problem(message, "import_failed")])
        raise
    else:
        _finish(job, ImportJob.Status.SUCCEEDED, summary=summary.as_dict())
    return job


def _progress_recorder(job: ImportJob) -> Callable[[str, int, int], None]:
    """Each finished stage goes to the cache (``CACHE_ALIAS``), not to the job's
    row: the import runs in one transaction, which other connections cannot see
    into until it ends. Progress is only shown: a cache that is down loses it,
    never the import."""
    cache, timeout = caches[app_settings.CACHE_ALIAS], app_settings.IMPORT_LEASE_MINUTES * 60

    def record(stage: str, done: int, total: int) -> None:
        if stage not in IMPORT_STAGES:
            return
        try:
            cache.set(progress_key(job.pk), {"stage": stage, "rows": total}, timeout)
        except Exception:  # each cache backend raises its own errors
            logger.warning("Import job %s: its progress could not be recorded", job.pk)

    return record


def fail_unqueued(job: ImportJob) -> None:
    """Fail a job whose task could not be queued (the task backend is down), visibly."""
    if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).exists():
        message = _("The import could not be queued; nothing was imported. Try again.")
        _finish(job, ImportJob.Status.FAILED, errors=[problem(message, "queue_failed")])


def requeue_stale_imports() -> list[int]:
    """Queue the task again for jobs no worker finished within ``IMPORT_LEASE_MINUTES``.

    Those are ``running`` jobs whose worker was killed (the import's own
    transaction rolled back, the claim stayed) and ``pending`` jobs whose task
    was lost. Idempotent: a job queued twice is still claimed once. Returns
    the ids of the jobs queued, oldest first.
    """
    lease_start = _lease_start()
    stale = _claimable(lease_start).exclude(
        status=ImportJob.Status.PENDING, created__gte=lease_start
    )
    jobs = list(stale.order_by("pk"))
    for job in jobs:
        import_job_queued.send(sender=ImportJob, job=job)
    return [job.pk for job in jobs]


def _lease_start() -> datetime:
    return timezone.now() - timedelta(minutes=app_settings.IMPORT_LEASE_MINUTES)


def _claimable(lease_start: datetime) -> QuerySet[ImportJob]:
    """Jobs a worker may claim: pending, or running but claimed before ``lease_start``."""
    return ImportJob.objects.filter(
        Q(status=ImportJob.Status.PENDING)
        | Q(status=ImportJob.Status.RUNNING, started__lt=lease_start)
    )


def _claim(job: ImportJob) -> bool:
    # One conditional UPDATE: of two workers only one sees its row change.
    now = timezone.now()
    claimable = _claimable(_lease_start()).filter(pk=job.pk)
    if not claimable.update(status=ImportJob.Status.RUNNING, started=now):
        return False
    job.status, job.started = ImportJob.Status.RUNNING, now
    return True


def _content(job: ImportJob) -> bytes:
    """The job's price list: downloaded from its URL, or its stored file."""
    if job.source_url:
        return app_settings.URL_FETCHER(
            job.source_url,
            max_bytes=app_settings.IMPORT_MAX_BYTES,
            timeout=app_settings.URL_TIMEOUT,
        )
    with job.file.open("rb") as fh:
        return fh.read()


def _finish(
    job: ImportJob,
    status: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    summary: dict[str, Any] | None = None,
) -> None:
    job.status, job.errors, job.summary = status, errors or [], summary or {}
    job.finished = timezone.now()
    if job.pk is None:
        job.save()
        return
    fields = ["status", "summary", "errors", "finished"]
    if status == ImportJob.Status.FAILED and job.file:
        job.file.delete(save=False)  # a refused upload leaves no file behind
        fields.append("file")
    job.save(update_fields=fields)
