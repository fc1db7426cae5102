"""The optional integrations, against the real apps (``--ds=tests.settings_integrations``).

The cabinet reads shop_bookings through ``selectors.upcoming_bookings`` and
``bookings_visible_to``. Its reading of shop_accounts (the customer kind, the
export's profile section) is tested in the reference site, which may import
both packages (example_site/tests/test_cabinet_with_accounts.py).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from shop_cabinet import export, selectors

from . import factories

URL = "/api/v1/cabinet/dashboard/"
pytestmark = pytest.mark.django_db


def canceled() -> str:
    """shop_bookings' canceled status, however it is spelt."""
    from shop_bookings.models import BookingStatus

    return getattr(BookingStatus, "CANCELED", None) or BookingStatus.CANCELLED


def booking(client: Any, *, start: Any, status: str = "pending", name: str = "Haircut") -> Any:
    specialist_model = apps.get_model("shop_bookings", "Specialist")
    service_model = apps.get_model("shop_bookings", "Service")
    booking_model = apps.get_model("shop_bookings", "Booking")
    specialist = specialist_model.objects.create(
        user=factories.user(), display_name="Olga", time_zone="Europe/Moscow"
    )
    service = service_model.objects.create(
        specialist=specialist, name=name, price=Decimal("1500.00"), duration_minutes=60
    )
    end = start + timedelta(hours=1)
    return booking_model.objects.create(
        service=service,
        specialist=specialist,
        client=client,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end,
        status=status,
        service_name=name,
        price=service.price,
    )


@pytest.mark.with_apps("shop_bookings")
class TestShopBookings:
    def test_dashboard_lists_upcoming_bookings_only(
        self, user: Any, other_user: Any, api: Any
    ) -> None:
        now = timezone.now()
        soon = booking(user, start=now + timedelta(days=1), name="Massage")
        later = booking(user, start=now + timedelta(days=5), status="confirmed")
        booking(user, start=now - timedelta(days=1))  # past
        booking(user, start=now + timedelta(days=2), status=canceled())
        booking(other_user, start=now + timedelta(days=1))
        upcoming = api.get(URL).json()["upcoming_bookings"]
        assert [b["id"] for b in upcoming] == [soon.pk, later.pk]
        assert upcoming[0]["service"] == "Massage" and upcoming[0]["specialist"] == "Olga"

    def test_the_limit_setting(self, user: Any, settings: Any) -> None:
        settings.SHOP_CABINET = {"UPCOMING_BOOKINGS_LIMIT": 2}
        now = timezone.now()
        for days in (1, 2, 3):
            booking(user, start=now + timedelta(days=days))
        assert len(selectors.dashboard(user)["upcoming_bookings"]) == 2

    def test_a_booking_drops_the_cached_dashboard(self, user: Any, settings: Any) -> None:
        settings.SHOP_CABINET = {"DASHBOARD_CACHE_TIMEOUT": 300}
        assert selectors.cached_dashboard(user)["upcoming_bookings"] == []
        booking(user, start=timezone.now() + timedelta(days=1))
        assert len(selectors.cached_dashboard(user)["upcoming_bookings"]) == 1

    def test_bookings_section_in_the_export(self, user: Any, other_user: Any) -> None:
        mine = booking(user, start=timezone.now() + timedelta(days=1))
        booking(other_user, start=timezone.now() + timedelta(days=1))
        section = export.build_export(user)["sections"]["bookings"]
        assert [b["id"] for b in section] == [mine.pk]
        assert section[0]["price"] == "1500.00" and "client" not in section[0]
