"""shop_bookings' ORDER_HOOK on shop_orders (``example_site.booking_orders``):
a priced booking is paid through an order, and canceling either cancels the other."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from itertools import count

import pytest
from example_site.booking_orders import ShopOrdersHook, _order_canceled

from shop_accounts.services import create_user
from shop_bookings import services
from shop_bookings.models import Service, Specialist, WorkingHours
from shop_orders.exceptions import TransitionError
from shop_orders.models import Order
from shop_orders.services import cancel_order
from shop_orders.services.external import cancel_external
from shop_orders.services.status import move_part
from shop_orders.signals import external_item_canceled

pytestmark = pytest.mark.django_db
_seq = count()


@pytest.fixture(autouse=True)
def _hook(settings):
    settings.SHOP_BOOKINGS = {"ORDER_HOOK": "example_site.booking_orders.ShopOrdersHook"}
    ShopOrdersHook.connect()  # what apps.ready does when the hook is set at start-up
    yield
    external_item_canceled.disconnect(_order_canceled, dispatch_uid="shop_bookings.order_canceled")


def make_user():
    return create_user(email=f"client{next(_seq)}@example.com", password="Correct-Horse-42")


def make_service(price: str) -> Service:
    specialist = Specialist.objects.create(
        user=create_user(email=f"pro{next(_seq)}@example.com", password=None),
        display_name="Pro",
        time_zone="UTC",
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(specialist=specialist, weekday=day, start=time(9), end=time(18))
        for day in range(7)
    )
    return Service.objects.create(
        specialist=specialist, name="Haircut", price=Decimal(price), duration_minutes=60
    )


def book(service: Service, client=None):
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    start = datetime.combine(day, time(10), tzinfo=UTC)
    booking, _ = services.create_booking(client=client or make_user(), service=service, start=start)
    return booking


def order_of(booking):
    return Order.objects.filter(user=booking.client).order_by("-pk").first()


def test_a_priced_booking_makes_an_order_and_canceling_it_cancels_the_order(
    django_capture_on_commit_callbacks,
):
    booking = book(make_service("45.50"))
    order = order_of(booking)
    assert order is not None and order.total == Decimal("45.50")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_booking(booking=booking, by=booking.service.specialist.user)
    order.refresh_from_db()
    assert order.status == "canceled"


def test_canceling_the_order_cancels_the_booking(django_capture_on_commit_callbacks):
    service = make_service("20.00")
    booking = book(service)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_external("shop_bookings", str(booking.pk), by=booking.client)
    booking.refresh_from_db()
    assert booking.status == "canceled"
    # The slot is free again for someone else.
    assert book(service).pk != booking.pk


def test_canceling_a_booking_whose_order_is_canceled_already_works():
    booking = book(make_service("20.00"))
    order = order_of(booking)
    cancel_order(order=order, by=booking.client)  # its signal waits for a commit that never comes
    booking.refresh_from_db()
    assert booking.status != "canceled"
    services.cancel_booking(booking=booking, by=booking.client)
    booking.refresh_from_db()
    order.refresh_from_db()
    assert (booking.status, order.status) == ("canceled", "canceled")


def test_a_booking_whose_order_went_too_far_to_cancel_stays():
    booking = book(make_service("20.00"))
    part = order_of(booking).parts.get()
    for status in ("confirmed", "assembled"):  # past what a customer may cancel
        part = move_part(part=part, to_status=status).part
    with pytest.raises(TransitionError) as refused:
        services.cancel_booking(booking=booking, by=booking.client)
    assert refused.value.code == "not_cancelable"
    booking.refresh_from_db()
    assert booking.status != "canceled"


def test_a_free_booking_makes_no_order():
    assert order_of(book(make_service("0"))) is None
