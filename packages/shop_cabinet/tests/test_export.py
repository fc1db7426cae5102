"""Personal-data export: the registry, the sections, the endpoint."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from shop_cabinet import export, services
from shop_cabinet.models import PersonalDataExport

from . import factories

URL = "/api/v1/cabinet/export/"
pytestmark = pytest.mark.django_db


def download(api: Any) -> dict[str, Any]:
    response = api.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="personal-data-')
    return json.loads(response.content)


def test_archive_has_every_section(api: Any, user: Any, other_user: Any) -> None:
    shop = factories.shop()
    offers = [factories.offer(shop_obj=shop, price=p) for p in ("10.00", "20.00")]
    factories.order(user, offers=offers, quantity=2)
    factories.order(other_user, offers=offers)
    factories.address(user, city="Tver", postal_code="170000")
    factories.address(other_user, city="Omsk", postal_code="644000")
    services.add_favourite(user=user, product=offers[0].product)

    archive = download(api)
    assert archive["format"] == "shop-personal-data" and archive["user_id"] == user.pk
    sections = archive["sections"]
    assert sections["account"] == {
        **sections["account"],
        **factories.user_fields("alice"),  # the model's own name and e-mail fields
    }
    assert "password" not in sections["account"]
    assert [a["city"] for a in sections["addresses"]] == ["Tver"]
    assert [f["product_id"] for f in sections["favourites"]] == [offers[0].product_id]
    (order,) = sections["orders"]
    assert order["total"] == "60.00"
    assert [(line["unit_price"], line["quantity"]) for line in order["lines"]] == [
        ("10.00", 2),
        ("20.00", 2),
    ]
    assert order["address"]["city"] == "Moscow"


@pytest.mark.without_apps("shop_accounts", "shop_bookings")
def test_sections_of_missing_apps_are_left_out(user: Any) -> None:
    sections = export.build_export(user)["sections"]
    assert "profile" not in sections and "bookings" not in sections


def test_registry_register_and_unregister(user: Any) -> None:
    @export.register("newsletter")
    def newsletter(u: Any) -> dict[str, Any]:
        return {"subscribed": True, "user": u.pk}

    try:
        assert export.build_export(user)["sections"]["newsletter"] == {
            "subscribed": True,
            "user": user.pk,
        }
    finally:
        export.unregister("newsletter")
    assert "newsletter" not in export.build_export(user)["sections"]


def test_providers_and_exclusions_from_settings(user: Any, settings: Any) -> None:
    email = get_user_model().get_email_field_name()
    settings.SHOP_CABINET = {
        "EXPORT_PROVIDERS": {"loyalty": "tests.exports.loyalty"},
        "EXPORT_EXCLUDE": ["favourites"],
        "EXPORT_USER_EXCLUDE_FIELDS": ["password", "last_login", email],
    }
    sections = export.build_export(user)["sections"]
    assert sections["loyalty"] == {"points": "12.50", "user": "alice"}
    assert "favourites" not in sections
    assert email not in sections["account"] and "last_login" not in sections["account"]


def test_unimportable_provider_is_a_configuration_error(user: Any, settings: Any) -> None:
    settings.SHOP_CABINET = {"EXPORT_PROVIDERS": {"loyalty": "tests.nowhere.section"}}
    with pytest.raises(ImproperlyConfigured, match="loyalty"):
        export.build_export(user)


def test_anonymous_cannot_export(client: Any) -> None:
    assert client.get(URL).status_code == 403


class TestBackgroundExport:
    def test_prepared_then_downloaded(
        self, api: Any, user: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        factories.address(user, city="Tver", postal_code="170000")
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(URL)
        assert response.status_code == 202
        job_url = f"{URL}{response.data['id']}/"
        job = api.get(job_url).data
        assert job["status"] == "ready" and job["download"].endswith("/download/")
        archive = api.get(f"{job_url}download/")
        assert archive.status_code == 200
        assert archive["Content-Disposition"].startswith("attachment;")
        assert json.loads(archive.content)["sections"]["addresses"][0]["city"] == "Tver"

    def test_pending_export_cannot_be_downloaded_yet(self, api: Any) -> None:
        response = api.post(URL)  # the on-commit enqueue never runs in this test
        assert response.data["status"] == "pending" and response.data["download"] is None
        assert api.get(f"{URL}{response.data['id']}/download/").status_code == 404

    def test_a_failing_provider_marks_it_failed(self, user: Any) -> None:
        def broken(u: Any) -> None:
            raise RuntimeError("boom")

        export.register("broken", broken)
        job = services.request_export(user=user)
        try:
            with pytest.raises(RuntimeError):
                services.run_export(export_id=job.pk)
        finally:
            export.unregister("broken")
        job.refresh_from_db()
        assert job.status == PersonalDataExport.Status.FAILED and job.data is None

    def test_second_user_gets_404(self, user: Any, other_api: Any) -> None:
        job = services.request_export(user=user)
        services.run_export(export_id=job.pk)
        assert other_api.get(f"{URL}{job.pk}/").status_code == 404
        assert other_api.get(f"{URL}{job.pk}/download/").status_code == 404

    def test_old_exports_expire_and_are_pruned(self, api: Any, user: Any) -> None:
        job = services.request_export(user=user)
        services.run_export(export_id=job.pk)
        old = timezone.now() - timedelta(hours=25)
        PersonalDataExport.objects.filter(pk=job.pk).update(created=old, finished=old)
        assert api.get(f"{URL}{job.pk}/").status_code == 404
        fresh = services.request_export(user=user)
        out = StringIO()
        call_command("prune_personal_data_exports", stdout=out)
        assert "Deleted 1" in out.getvalue()
        assert list(PersonalDataExport.objects.values_list("pk", flat=True)) == [fresh.pk]

    def test_retention_counts_from_when_it_finished(self, api: Any, user: Any) -> None:
        job = services.request_export(user=user)
        PersonalDataExport.objects.filter(pk=job.pk).update(
            created=timezone.now() - timedelta(hours=30)
        )
        assert api.get(f"{URL}{job.pk}/").data["status"] == "pending"  # still visible
        services.run_export(export_id=job.pk)
        assert api.get(f"{URL}{job.pk}/download/").status_code == 200
        services.prune_exports()
        assert PersonalDataExport.objects.filter(pk=job.pk).exists()

    def test_re_requesting_returns_the_pending_export(self, api: Any, user: Any) -> None:
        first = api.post(URL)
        again = api.post(URL)
        assert first.status_code == again.status_code == 202
        assert again.data["id"] == first.data["id"]
        assert PersonalDataExport.objects.filter(user=user).count() == 1

    def test_a_new_request_after_the_last_one_finished(self, user: Any) -> None:
        first = services.request_export(user=user)
        services.run_export(export_id=first.pk)
        second = services.request_export(user=user)
        assert second.pk != first.pk and second.status == "pending"

    def test_the_database_refuses_two_pending_exports(self, user: Any) -> None:
        services.request_export(user=user)
        with pytest.raises(IntegrityError), transaction.atomic():
            PersonalDataExport.objects.create(user=user)

    def test_a_finished_export_is_not_built_again(self, user: Any) -> None:
        job = services.request_export(user=user)
        assert services.run_export(export_id=job.pk) is not None
        assert services.run_export(export_id=job.pk) is None


@pytest.mark.django_db(transaction=True)
class TestFailingBackground:
    """Real commits: the on-commit queuing runs inside the request, as in production."""

    def test_a_queue_that_is_down_is_not_an_error_and_the_job_is_kept(
        self, api: Any, user: Any, settings: Any, caplog: Any
    ) -> None:
        settings.SHOP_CABINET = {"EXPORT_TASK_BACKEND": "broken"}
        response = api.post(URL)
        assert response.status_code == 202 and response.data["status"] == "pending"
        assert "the task queue is down" in caplog.text
        settings.SHOP_CABINET = {}  # the queue is back: asking again queues the same job
        again = api.post(URL)
        assert again.status_code == 202 and again.data["id"] == response.data["id"]
        assert again.data["status"] == "ready"

    def test_the_prune_command_queues_lost_jobs_again(self, user: Any, settings: Any) -> None:
        settings.SHOP_CABINET = {"EXPORT_TASK_BACKEND": "broken"}
        job = services.request_export(user=user)
        settings.SHOP_CABINET = {}
        call_command("prune_personal_data_exports", stdout=StringIO())
        job.refresh_from_db()
        assert job.status == "pending"  # too recent: its task may still be on its way
        PersonalDataExport.objects.filter(pk=job.pk).update(
            created=timezone.now() - services.REQUEUE_AFTER - timedelta(seconds=1)
        )
        out = StringIO()
        call_command("prune_personal_data_exports", stdout=out)
        assert "queued 1" in out.getvalue()
        job.refresh_from_db()
        assert job.status == "ready" and job.data["user_id"] == user.pk

    def test_a_failing_job_is_not_an_error_of_the_request(self, api: Any) -> None:
        def broken(u: Any) -> None:
            raise RuntimeError("boom")

        export.register("broken", broken)
        try:
            response = api.post(URL)
        finally:
            export.unregister("broken")
        assert response.status_code == 202 and response.data["status"] == "failed"
        assert api.post(URL).data["status"] == "ready"  # a new request starts afresh


def test_the_services_never_import_the_tasks() -> None:
    """The export job is queued by a receiver (``export_requested``): the tasks import
    the services, never the other way round."""
    import ast
    import inspect

    from shop_cabinet.services import addresses, exports, favourites

    for module in (addresses, exports, favourites):
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if isinstance(node, ast.ImportFrom):
                names = {node.module or "", *(alias.name for alias in node.names)}
                assert not any(name.split(".")[-1] == "tasks" for name in names), module
