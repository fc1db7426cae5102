"""Personal-data exports prepared in the background.

A request records a pending export and sends ``export_requested``; the
cabinet's receiver queues ``tasks.prepare_export`` after the commit (so this
module never imports the tasks, and the task imports only this module).
At most one pending export per user (a partial unique constraint); the
pending row stays locked while its archive is built, so a job queued twice
is built once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..conf import app_settings
from ..export import build_export
from ..models import PersonalDataExport
from ..signals import export_requested

PENDING = PersonalDataExport.Status.PENDING
# A pending export this old is queued again by ``requeue_exports`` (its first
# queuing may have failed; a job that is being built is skipped by ``run_export``).
REQUEUE_AFTER = timedelta(minutes=10)


def _pending_or_new(user: Any) -> PersonalDataExport:
    """The user's pending export, recorded now unless one is pending already."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return PersonalDataExport.objects.create(user=user)
        except IntegrityError:  # one is pending already
            job = PersonalDataExport.objects.filter(user=user, status=PENDING).first()
            if job is not None:  # else it finished meanwhile: record a new one
                return job
    raise RuntimeError("Could not record a personal-data export.")  # pragma: no cover


def request_export(*, user: Any) -> PersonalDataExport:
    """The user's pending export, recorded now unless one is already pending.

    Re-requesting (even at the same moment) returns the pending one. Either
    way ``export_requested`` is sent, so the job is queued (again) after the
    commit: queuing twice is harmless, and it re-drives a job whose first
    queuing failed. A queue that fails is logged, never an error of the request.
    """
    job = _pending_or_new(user)
    export_requested.send(sender=PersonalDataExport, export=job)
    return job


def run_export(*, export_id: Any) -> PersonalDataExport | None:
    """Build and store the archive of a pending export (the task's body).

    Returns None when there is nothing to do (deleted, done, or being built
    by another run). A failing provider marks the export failed and re-raises.
    """
    failure: Exception | None = None
    with transaction.atomic():
        job = (
            PersonalDataExport.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(pk=export_id, status=PENDING)
            .first()
        )
        if job is None:
            return None
        try:
            with transaction.atomic():
                job.data = build_export(job.user)
            job.status = PersonalDataExport.Status.READY
        except Exception as exc:  # recorded, then re-raised for the task backend to log
            failure, job.data, job.status = exc, None, PersonalDataExport.Status.FAILED
        job.finished = timezone.now()
        job.save(update_fields=["data", "status", "finished"])
    if failure is not None:
        raise failure
    return job


def requeue_exports(*, older_than: timedelta = REQUEUE_AFTER, now: Any = None) -> int:
    """Queue again the pending exports requested more than ``older_than`` ago (their
    first queuing may have failed); returns how many."""
    cutoff = (now or timezone.now()) - older_than
    pending = list(PersonalDataExport.objects.filter(status=PENDING, created__lt=cutoff))
    for job in pending:
        export_requested.send(sender=PersonalDataExport, export=job)
    return len(pending)


def prune_exports(*, now: Any = None) -> int:
    """Delete exports finished more than ``EXPORT_RETENTION_HOURS`` ago; returns how many.
    Pending ones are kept (see ``requeue_exports``)."""
    cutoff = (now or timezone.now()) - timedelta(hours=app_settings.EXPORT_RETENTION_HOURS)
    deleted, _count = PersonalDataExport.objects.filter(finished__lt=cutoff).delete()
    return deleted
