"""Import jobs as pages see them: a running one's stages (from the cache), the latest ones."""

import pytest
from django.core.cache import caches

from shop_catalog.models import ImportJob
from shop_catalog.selectors import IMPORT_STAGES, import_progress, recent_imports
from shop_catalog.services import import_jobs, run_import_job

from . import factories
from .test_import_lease import stored_job

pytestmark = pytest.mark.django_db


def test_each_stage_is_readable_while_the_job_runs_and_gone_when_it_ends(monkeypatch):
    job = stored_job(factories.shop("Связной"), ImportJob.Status.PENDING)
    assert import_progress(job) is None  # not running
    seen = []
    recorder = import_jobs._progress_recorder

    def spy(job):
        record = recorder(job)

        def recording(stage, done, total):
            record(stage, done, total)
            seen.append(import_progress(ImportJob.objects.get(pk=job.pk)))

        return recording

    monkeypatch.setattr(import_jobs, "_progress_recorder", spy)
    run_import_job(job=job)
    assert [p["stage"] for p in seen[:4]] == list(IMPORT_STAGES)
    assert [(p["step"], p["steps"]) for p in seen[:4]] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert {p["rows"] for p in seen} == {job.summary["created"]}  # every good, new
    assert import_progress(job) is None  # finished: the report says the rest


def test_recent_imports_are_every_shops_newest_first_in_one_query(django_assert_num_queries):
    first = stored_job(factories.shop("Связной"), ImportJob.Status.SUCCEEDED, created_ago=5)
    second = stored_job(factories.shop("Другой"), ImportJob.Status.FAILED, created_ago=1)
    with django_assert_num_queries(1):
        jobs = recent_imports(limit=5)
        assert [(job.pk, job.shop.name) for job in jobs] == [
            (second.pk, "Другой"),
            (first.pk, "Связной"),
        ]
    assert recent_imports(limit=1) == [second]


def test_a_cache_that_is_down_loses_the_progress_not_the_import(monkeypatch):
    job = stored_job(factories.shop("Связной"), ImportJob.Status.PENDING)

    def down(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(caches["default"], "set", down)
    run_import_job(job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert job.summary["created"] > 0
