"""Concurrent address-book writes keep exactly one default (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from shop_cabinet import services
from shop_cabinet.models import Address

from . import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


def run_together(*calls: Callable[[], Any]) -> list[BaseException]:
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def worker(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            call()
        except BaseException as exc:  # noqa: BLE001  (collected for the assertion)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_first_addresses_make_one_default() -> None:
    user = factories.user()
    errors = run_together(*[lambda i=i: factories.address(user, building=str(i)) for i in range(6)])
    assert errors == []
    assert Address.objects.filter(user=user).count() == 6
    assert Address.objects.filter(user=user, is_default=True).count() == 1


def test_concurrent_set_default_leaves_exactly_one() -> None:
    user = factories.user()
    addresses = [factories.address(user, building=str(i)) for i in range(6)]
    errors = run_together(*[lambda a=a: services.set_default_address(address=a) for a in addresses])
    assert errors == []
    assert Address.objects.filter(user=user, is_default=True).count() == 1
