"""A priced booking paid through a shop_orders order (``--ds=tests.settings_orders``)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps

from shop_bookings import services

from .factories import at, future_day, make_service, make_user

pytestmark = [pytest.mark.orders, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _needs_shop_orders():
    if not apps.is_installed("shop_orders"):
        pytest.skip("needs shop_orders (--ds=tests.settings_orders)")


def order_of(booking):
    from shop_orders.models import Order

    return Order.objects.filter(user=booking.client).order_by("-pk").first()


def test_a_priced_booking_makes_an_order_and_canceling_it_cancels_the_order(
    specialist, django_capture_on_commit_callbacks
):
    client = make_user()
    service = make_service(specialist, price=Decimal("45.50"))
    booking, _ = services.create_booking(client=client, service=service, start=at(future_day(), 10))
    order = order_of(booking)
    assert order is not None and order.total == Decimal("45.50")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(booking=booking, by=specialist.user)
    order.refresh_from_db()
    assert order.status == "canceled"


def test_canceling_the_order_cancels_the_booking(specialist, django_capture_on_commit_callbacks):
    from shop_orders.services.external import cancel_external

    client = make_user()
    service = make_service(specialist, price=Decimal("20.00"))
    booking, _ = services.create_booking(client=client, service=service, start=at(future_day(), 10))
    with django_capture_on_commit_callbacks(execute=True):
        cancel_external("shop_bookings", str(booking.pk), by=client)
    booking.refresh_from_db()
    assert booking.status == "canceled"
    # The slot is free again for someone else.
    other, _ = services.create_booking(
        client=make_user(), service=service, start=booking.start + timedelta(0)
    )
    assert other.pk != booking.pk


def test_canceling_a_booking_whose_order_is_canceled_already_works(specialist):
    from shop_orders.services import cancel_order

    client = make_user()
    service = make_service(specialist, price=Decimal("20.00"))
    booking, _ = services.create_booking(client=client, service=service, start=at(future_day(), 10))
    order = order_of(booking)
    cancel_order(order=order, by=client)  # its signal waits for a commit that never comes here
    booking.refresh_from_db()
    assert booking.status != "canceled"
    services.cancel_booking(booking=booking, by=client)
    booking.refresh_from_db()
    order.refresh_from_db()
    assert (booking.status, order.status) == ("canceled", "canceled")


def test_a_booking_whose_order_went_too_far_to_cancel_stays(specialist):
    from shop_orders.exceptions import TransitionError
    from shop_orders.services.status import move_part

    client = make_user()
    service = make_service(specialist, price=Decimal("20.00"))
    booking, _ = services.create_booking(client=client, service=service, start=at(future_day(), 10))
    part = order_of(booking).parts.get()
    for status in ("confirmed", "assembled"):  # past what a customer may cancel
        part = move_part(part=part, to_status=status).part
    with pytest.raises(TransitionError) as refused:
        services.cancel_booking(booking=booking, by=client)
    assert refused.value.code == "not_cancelable"
    booking.refresh_from_db()
    assert booking.status != "canceled"


def test_a_free_booking_makes_no_order(specialist):
    client = make_user()
    service = make_service(specialist, price=Decimal("0"))
    booking, _ = services.create_booking(client=client, service=service, start=at(future_day(), 10))
    assert order_of(booking) is None
