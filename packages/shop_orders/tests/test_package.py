"""Package-level checks: settings, system checks, migrations, schema, admin."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from shop_orders import services
from shop_orders.checks import check_settings
from shop_orders.conf import app_settings
from shop_orders.models import Order, StatusChange

from . import factories


@override_settings(SHOP_ORDERS={"NOT_A_SETTING": 1})
def test_unknown_key_raises_naming_it():
    with pytest.raises(ImproperlyConfigured, match="NOT_A_SETTING"):
        app_settings.PAGE_SIZE  # noqa: B018
    assert check_settings()[0].id == "shop_orders.E001"


@override_settings(SHOP_ORDERS={"PAGE_SIZE": 7})
def test_settings_are_read_live():
    assert app_settings.PAGE_SIZE == 7


def test_default_settings_pass_the_checks():
    assert check_settings() == []


@override_settings(
    SHOP_ORDERS={
        "STATUS_TRANSITIONS": {"new": ["shipped"], "sent": []},
        "CUSTOMER_CANCEL_STATUSES": ["sent"],
    }
)
def test_checks_catch_unknown_statuses_and_impossible_cancel():
    ids = sorted(error.id for error in check_settings())
    assert ids == ["shop_orders.E002", "shop_orders.E003"]


@override_settings(SHOP_ORDERS={"PAGE_SIZ": 10})
def test_a_misspelt_key_is_a_check_error_naming_it():
    errors = check_settings()
    assert [error.id for error in errors] == ["shop_orders.E001"]
    assert "PAGE_SIZ" in errors[0].msg and "PAGE_SIZE" in errors[0].msg


@pytest.mark.parametrize("key", ["NOTIFIER", "ADDRESS_RESOLVER"])
def test_checks_catch_a_hook_that_cannot_be_imported(key, settings):
    settings.SHOP_ORDERS = {key: "nowhere.Hook"}
    errors = check_settings()
    assert [error.id for error in errors] == ["shop_orders.E001"]
    assert "nowhere.Hook" in errors[0].msg and key in errors[0].msg


@pytest.mark.parametrize(
    "value",
    [{"MAX_LINE_QUANTITY": 0}, {"IDEMPOTENCY_KEY_MAX_LENGTH": 256}, {"MAX_LINE_QUANTITY": "9"}],
)
def test_checks_catch_numbers_out_of_their_range(value, settings):
    settings.SHOP_ORDERS = value
    assert [error.id for error in check_settings()] == ["shop_orders.E004"]


@pytest.mark.django_db  # Django 6.1's model checks ask SQLite whether it supports JSONField
def test_the_checks_are_registered():
    from django.core import checks

    with override_settings(SHOP_ORDERS={"PAGE_SIZ": 10}):
        ids = [error.id for error in checks.run_checks()]
    assert "shop_orders.E001" in ids


@pytest.mark.django_db
def test_migrations_are_complete():
    call_command("makemigrations", "shop_orders", "--check", "--dry-run", stdout=io.StringIO())


def test_schema_has_no_warnings(tmp_path):
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yaml"),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    schema = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/orders/checkout/" in schema
    assert "Idempotency-Key" in schema


# Every code of the README's "Errors" table, where the schema documents it.
SERVICE_CODES = {
    ("/api/v1/orders/cart/lines/", "post", "400"): [
        "invalid_quantity",
        "quantity_too_large",
        "amount_too_large",
        "out_of_stock",
        "does_not_exist",
        "inactive",
        "shop_closed",
        "non_ascii_digits",
    ],
    ("/api/v1/orders/cart/lines/{id}/", "patch", "400"): [
        "invalid_quantity",
        "quantity_too_large",
        "amount_too_large",
        "out_of_stock",
        "inactive",
        "shop_closed",
    ],
    ("/api/v1/orders/checkout/", "post", "400"): [
        "ambiguous_address",
        "incomplete_address",
        "invalid_phone",
        "not_supported",
        "does_not_exist",
        "invalid_idempotency_key",
    ],
    ("/api/v1/orders/checkout/", "post", "409"): [
        "empty_cart",
        "cart_changed",
        "unavailable",
        "out_of_stock",
        "amount_too_large",
    ],
    ("/api/v1/orders/checkout/", "post", "422"): ["idempotency_key_reused"],
    ("/api/v1/orders/orders/", "get", "400"): ["out_of_range", "invalid_page", "invalid_choice"],
    ("/api/v1/orders/orders/{id}/cancel/", "post", "400"): ["already_canceled", "not_cancelable"],
    ("/api/v1/orders/supplier/orders/", "get", "400"): ["out_of_range", "invalid_page"],
    ("/api/v1/orders/supplier/orders/{id}/status/", "post", "400"): [
        "invalid_transition",
        "conflict",
    ],
}


def _codes_in(node, components, seen=()):
    """Every ``code`` enum value reachable from a schema node (following $refs)."""
    if isinstance(node, list):
        return {code for item in node for code in _codes_in(item, components, seen)}
    if not isinstance(node, dict):
        return set()
    ref = node.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return set() if name in seen else _codes_in(components[name], components, (*seen, name))
    codes = set(node.get("properties", {}).get("code", {}).get("enum", []))
    return codes | {code for value in node.values() for code in _codes_in(value, components, seen)}


@pytest.mark.parametrize(("operation", "codes"), SERVICE_CODES.items(), ids=str)
def test_the_schema_documents_the_service_codes(operation, codes):
    from shop_core.testing import openapi

    document = openapi()
    path, method, status = operation
    response = document["paths"][path][method]["responses"][status]
    documented = _codes_in(response, document["components"]["schemas"])
    assert set(codes) <= documented, set(codes) - documented


@pytest.mark.django_db
def test_admin_pages_and_move_action(admin_client, admin_user, customer, offer):
    order = factories.place_order(customer, [(offer, 1)])
    assert admin_client.get("/admin/shop_orders/order/").status_code == 200
    assert admin_client.get("/admin/shop_orders/order/", {"status": "new"}).status_code == 200
    assert admin_client.get(f"/admin/shop_orders/order/{order.pk}/change/").status_code == 200
    assert admin_client.get("/admin/shop_orders/orderpart/").status_code == 200
    response = admin_client.post(
        "/admin/shop_orders/order/",
        {"action": "move_to_confirmed", "_selected_action": [order.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    assert StatusChange.objects.latest("pk").by == admin_user
    # a disallowed move is refused through the same service, with a message
    response = admin_client.post(
        "/admin/shop_orders/order/",
        {"action": "move_to_delivered", "_selected_action": [order.pk]},
        follow=True,
    )
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    assert any("cannot" in str(m) for m in response.context["messages"])


@pytest.mark.django_db
def test_order_detail_selector_is_scoped(customer, other_user, offer):
    from shop_orders.selectors import order_detail

    order = factories.place_order(customer, [(offer, 1)])
    assert order_detail(user=customer, pk=order.pk).pk == order.pk
    with pytest.raises(Order.DoesNotExist):
        order_detail(user=other_user, pk=order.pk)


@pytest.mark.django_db
def test_errors_are_translated_to_russian(customer):
    from django.utils import translation

    from shop_orders.exceptions import CartError, CheckoutError

    with translation.override("ru"), pytest.raises(CheckoutError) as exc:
        services.checkout(user=customer, address=factories.ADDRESS)
    assert str(exc.value) == "Ваша корзина пуста."
    big = factories.offer(price="6000000000.00")
    with translation.override("ru"), pytest.raises(CartError) as exc:
        services.add_line(user=customer, offer_id=big.pk, quantity=2)
    assert str(exc.value) == "Сумма превысила бы 9999999999.99."


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["order", "orderpart"])
def test_saving_in_the_admin_keeps_a_move_made_meanwhile(
    admin_client, customer, offer, monkeypatch, model
):
    """The page read the object, then a supplier moved the part: saving the page
    must not write the old status back."""
    from django.contrib import admin

    from shop_orders.models import OrderPart

    order = factories.place_order(customer, [(offer, 1)])
    part = order.parts.get()
    model_admin = admin.site._registry[Order if model == "order" else OrderPart]
    real_get_object = type(model_admin).get_object

    def read_then_supplier_moves(self, request, object_id, from_field=None):
        obj = real_get_object(self, request, object_id, from_field)
        if request.method == "POST":
            services.move_part(part=OrderPart.objects.get(pk=part.pk), to_status="confirmed")
        return obj

    monkeypatch.setattr(type(model_admin), "get_object", read_then_supplier_moves)
    obj = order if model == "order" else part
    url = f"/admin/shop_orders/{model}/{obj.pk}/change/"
    form = {"email": "new@example.com", **order.address, "comment": ""} if model == "order" else {}
    for prefix in ("parts", "lines", "history") if model == "order" else ():
        form.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content
    order.refresh_from_db()
    assert order.status == "confirmed"
    assert OrderPart.objects.get(pk=part.pk).status == "confirmed"
    if model == "order":
        assert order.email == "new@example.com"


@pytest.mark.django_db
def test_users_are_shown_by_str_whatever_the_user_model(admin_client, customer, offer):
    """No ``username`` or ``get_full_name()``: the admin and the cart show ``str(user)``."""
    order = factories.place_order(customer, [(offer, 1)])
    services.add_line(user=customer, offer_id=offer.pk)
    cart = services.get_cart(user=customer)
    assert str(customer) in str(cart)
    page = admin_client.get("/admin/shop_orders/order/").content.decode()
    assert order.number in page and str(customer) in page
    assert str(customer) in admin_client.get("/admin/shop_orders/cart/").content.decode()
    assert admin_client.get(f"/admin/shop_orders/cart/{cart.pk}/change/").status_code == 200
