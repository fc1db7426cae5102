"""Erasing a person's cabinet data on ``erasing_personal_data``."""

from __future__ import annotations

from typing import Any

import pytest

from shop_cabinet import selectors, services
from shop_cabinet.models import Address, Favourite, PersonalDataExport
from shop_core.signals import erasing_personal_data

from . import factories

pytestmark = pytest.mark.django_db


def _fill(person: Any) -> None:
    factories.address(person)
    services.add_favourite(user=person, product=factories.product())
    PersonalDataExport.objects.create(
        user=person, status=PersonalDataExport.Status.READY, data={"profile": {"name": "x"}}
    )


def test_erasure_removes_addresses_favourites_and_exports_of_that_user_only(
    user: Any, other_user: Any
) -> None:
    _fill(user)
    _fill(other_user)

    erasing_personal_data.send(sender=None, user=user)

    assert not Address.objects.filter(user=user).exists()
    assert not Favourite.objects.filter(user=user).exists()
    assert not PersonalDataExport.objects.filter(user=user).exists()
    assert Address.objects.filter(user=other_user).count() == 1
    assert Favourite.objects.filter(user=other_user).count() == 1
    assert PersonalDataExport.objects.filter(user=other_user).count() == 1


def test_erasure_drops_the_cached_dashboard(user: Any, settings: Any) -> None:
    settings.SHOP_CABINET = {"DASHBOARD_CACHE_TIMEOUT": 300}
    services.add_favourite(user=user, product=factories.product())
    assert selectors.cached_dashboard(user)["favourites_count"] == 1

    erasing_personal_data.send(sender=None, user=user)

    assert selectors.cached_dashboard(user)["favourites_count"] == 0
