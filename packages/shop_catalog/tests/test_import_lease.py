"""A background import whose worker was killed: taken up again once its lease is over."""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from shop_catalog.models import ImportJob, Offer
from shop_catalog.services import requeue_stale_imports, run_import_job
from shop_catalog.signals import pricelist_imported

from . import factories

pytestmark = pytest.mark.django_db


def stored_job(shop, status: str, *, started_ago: float | None = None, created_ago: float = 0):
    """A background job of the sample price list, claimed ``started_ago`` minutes ago."""
    job = ImportJob(shop=shop, format="yaml", status=status)
    job.file.save("list.yaml", ContentFile(factories.sample_bytes()))
    now = timezone.now()
    started = None if started_ago is None else now - timedelta(minutes=started_ago)
    ImportJob.objects.filter(pk=job.pk).update(
        started=started, created=now - timedelta(minutes=created_ago)
    )
    job.refresh_from_db()
    return job


@pytest.fixture
def imports():
    summaries = []

    def count(sender, **kwargs):
        summaries.append(kwargs["summary"])

    pricelist_imported.connect(count)
    yield summaries
    pricelist_imported.disconnect(count)


def test_a_stale_running_job_is_queued_again_and_finishes_once(
    imports, django_capture_on_commit_callbacks
):
    shop = factories.shop("Связной")
    job = stored_job(shop, ImportJob.Status.RUNNING, started_ago=31, created_ago=40)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale_imports() == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.started > timezone.now() - timedelta(minutes=1)
    assert len(imports) == 1
    assert Offer.objects.filter(shop=shop).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale_imports() == []  # finished: never again
    assert len(imports) == 1


def test_a_running_job_within_its_lease_is_not_taken(imports, django_capture_on_commit_callbacks):
    shop = factories.shop("Связной")
    job = stored_job(shop, ImportJob.Status.RUNNING, started_ago=29, created_ago=40)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale_imports() == []
    assert run_import_job(job=job).status == ImportJob.Status.RUNNING  # a second delivery
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    assert job.started < timezone.now() - timedelta(minutes=28)  # its claim is untouched
    assert imports == []
    assert not Offer.objects.filter(shop=shop).exists()


def test_the_lease_is_a_setting(settings, django_capture_on_commit_callbacks):
    settings.SHOP_CATALOG = {"IMPORT_LEASE_MINUTES": 0.5}
    job = stored_job(factories.shop("Связной"), ImportJob.Status.RUNNING, started_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale_imports() == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors


def test_only_pending_jobs_older_than_the_lease_are_queued_again(
    django_capture_on_commit_callbacks,
):
    shop = factories.shop("Связной")
    lost = stored_job(shop, ImportJob.Status.PENDING, created_ago=31)
    waiting = stored_job(shop, ImportJob.Status.PENDING, created_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale_imports() == [lost.pk]
    lost.refresh_from_db()
    waiting.refresh_from_db()
    assert lost.status == ImportJob.Status.SUCCEEDED, lost.errors
    assert waiting.status == ImportJob.Status.PENDING


def test_finished_jobs_are_left_alone(django_capture_on_commit_callbacks):
    shop = factories.shop("Связной")
    for status in (ImportJob.Status.SUCCEEDED, ImportJob.Status.FAILED):
        stored_job(shop, status, started_ago=60, created_ago=60)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale_imports() == []


def test_the_command_says_what_it_queued(django_capture_on_commit_callbacks):
    shop = factories.shop("Связной")
    first = stored_job(shop, ImportJob.Status.RUNNING, started_ago=45, created_ago=50)
    second = stored_job(shop, ImportJob.Status.PENDING, created_ago=45)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("requeue_stale_imports", stdout=out)
    assert out.getvalue() == f"queued again 2 import job(s): {first.pk}, {second.pk}\n"
    out = io.StringIO()
    call_command("requeue_stale_imports", stdout=out)
    assert out.getvalue() == "queued again 0 import job(s)\n"
