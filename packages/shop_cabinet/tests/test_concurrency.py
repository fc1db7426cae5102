"""Every read-then-write of the cabinet holds under concurrent requests (PostgreSQL).

Threads are released together by a barrier (``shop_core.testing.run_at_once``);
each test asserts what the database holds afterwards.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection

from shop_cabinet import export, services
from shop_cabinet.models import Address, Favourite, PersonalDataExport
from shop_core.testing import run_at_once

from . import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


def errors(results: list[Any]) -> list[BaseException]:
    return [r for r in results if isinstance(r, BaseException)]


def default_ids(user: Any) -> list[int]:
    return list(
        Address.objects.filter(user=user, kind="shipping", is_default=True).values_list(
            "pk", flat=True
        )
    )


def test_concurrent_first_addresses_make_one_default() -> None:
    user = factories.user()
    results = run_at_once([lambda i=i: factories.address(user, building=str(i)) for i in range(6)])
    assert errors(results) == []
    assert Address.objects.filter(user=user).count() == 6
    assert len(default_ids(user)) == 1


def test_concurrent_set_default_leaves_exactly_one() -> None:
    user = factories.user()
    addresses = [factories.address(user, building=str(i)) for i in range(6)]
    results = run_at_once([lambda a=a: services.set_default_address(address=a) for a in addresses])
    assert errors(results) == []
    assert len(default_ids(user)) == 1


def test_edits_racing_with_new_defaults_keep_exactly_one() -> None:
    """Each request holds the address as it read it before the others wrote: an
    edit must not write back a default flag that another request has moved."""
    user = factories.user()
    addresses = [factories.address(user, building=str(i)) for i in range(6)]
    calls = []
    for i, address in enumerate(addresses):
        if i % 2:
            calls.append(lambda a=address: services.set_default_address(address=a))
        else:
            calls.append(lambda a=address: services.update_address(address=a, city="Tver"))
    results = run_at_once(calls)
    assert errors(results) == []
    assert len(default_ids(user)) == 1
    assert Address.objects.filter(user=user, city="Tver").count() == 3


def test_two_requests_making_two_addresses_default_over_http(client_of: Any) -> None:
    user = factories.user()
    first, second = (factories.address(user, building=str(i)) for i in range(2))
    api = [client_of(user), client_of(user)]
    url = "/api/v1/cabinet/addresses/{}/"
    results = run_at_once(
        [
            lambda: api[0].patch(url.format(first.pk), {"is_default": True}, format="json"),
            lambda: api[1].post(url.format(second.pk) + "set-default/"),
        ]
    )
    assert [r.status_code for r in results] == [200, 200]
    assert len(default_ids(user)) == 1


def test_set_default_racing_with_delete_never_leaves_zero_defaults() -> None:
    user = factories.user()
    default = factories.address(user, building="0")
    others = [factories.address(user, building=str(i)) for i in range(1, 5)]
    calls = [lambda a=a: services.set_default_address(address=a) for a in others]
    calls += [lambda a=a: services.delete_address(address=a) for a in others]
    results = run_at_once(calls)
    for result in errors(results):
        assert isinstance(result, Address.DoesNotExist)  # the API answers 404
    assert not Address.objects.filter(pk__in=[a.pk for a in others]).exists()
    assert default_ids(user) == [default.pk]
    assert Address.objects.filter(user=user).count() == 1


def test_adding_one_favourite_at_once_makes_one_row(client_of: Any) -> None:
    user = factories.user()
    product = factories.product()
    clients = [client_of(user) for _ in range(6)]
    results = run_at_once(
        [
            lambda c=c: c.post(
                "/api/v1/cabinet/favourites/", {"product_id": product.pk}, format="json"
            )
            for c in clients
        ]
    )
    assert sorted(r.status_code for r in results) == [200] * 5 + [201]
    assert Favourite.objects.filter(user=user, product=product).count() == 1


def test_export_requests_at_once_record_one_pending_export(settings: Any) -> None:
    settings.SHOP_CABINET = {"EXPORT_TASK_BACKEND": "dummy"}  # nobody works the queue off
    user = factories.user()
    results = run_at_once([lambda: services.request_export(user=user) for _ in range(6)])
    assert errors(results) == []
    assert len({job.pk for job in results}) == 1
    assert PersonalDataExport.objects.filter(user=user).count() == 1


def test_one_export_queued_twice_is_built_once() -> None:
    user = factories.user()
    job = PersonalDataExport.objects.create(user=user)
    builds: list[int] = []
    lock = threading.Lock()

    def slow_section(u: Any) -> dict[str, Any]:
        with lock:
            builds.append(u.pk)
        time.sleep(0.3)  # the other run arrives while this one builds
        return {}

    export.register("slow", slow_section)
    try:
        results = run_at_once([lambda: services.run_export(export_id=job.pk) for _ in range(2)])
    finally:
        export.unregister("slow")
    assert errors(results) == []
    assert builds == [user.pk]
    assert sorted(r is None for r in results) == [False, True]
    job.refresh_from_db()
    assert job.status == "ready"
