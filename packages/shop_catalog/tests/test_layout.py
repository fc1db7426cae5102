"""The package's layout keeps its promises: no services <-> tasks cycle, every code documented."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

import shop_catalog
from shop_catalog.exceptions import JOB_CODES, PRICELIST_CODES
from shop_catalog.models import ImportJob
from shop_catalog.views import IMPORT_CODES, OFFER_CODES, PAGE_CODES

from .factories import sample_bytes

SOURCES = Path(shop_catalog.__file__).parent
README = Path(__file__).parent.parent / "README.md"


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("path", sorted((SOURCES / "services").glob("*.py")), ids=lambda p: p.name)
def test_services_never_import_tasks(path):
    """Background jobs are enqueued by a receiver after the commit: tasks -> services only."""
    assert not {name for name in imported_modules(path) if "tasks" in name}


def test_every_code_is_in_the_readme():
    readme = README.read_text()
    codes = {*PRICELIST_CODES, *JOB_CODES}
    for table in (PAGE_CODES, OFFER_CODES, IMPORT_CODES):
        codes.update(code for field_codes in table.values() for code in field_codes)
    assert {code for code in codes if f"`{code}`" not in readme} == set()


@pytest.mark.django_db
def test_a_background_job_is_enqueued_only_when_its_transaction_commits(
    supplier, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from shop_catalog import tasks
    from shop_catalog.services import submit_import

    enqueued = []
    task_class = type(tasks.import_pricelist_job)
    monkeypatch.setattr(task_class, "enqueue", lambda task, job_id: enqueued.append(job_id))
    settings.SHOP_CATALOG = {"IMPORT_SYNC_MAX_BYTES": 10}

    def submit():
        upload = SimpleUploadedFile("list.yaml", sample_bytes())
        return submit_import(shop=supplier, user=None, fmt="yaml", upload=upload)[0]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            submit()
            raise RuntimeError("rolled back")
    assert enqueued == [] and callbacks == []
    with django_capture_on_commit_callbacks(execute=True):
        job = submit()
    assert enqueued == [job.pk]
    assert ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.PENDING
