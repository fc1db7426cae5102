"""Orders: a customer fills the cart, checks out (and retries with the same
Idempotency-Key), sees the order, gets the e-mail, cancels and the stock
comes back.

README: the API under `/api/v1/orders/` (`cart/`, `cart/lines/`,
`checkout/` with `Idempotency-Key`, `orders/`, `orders/{id}/cancel/`),
notifications by e-mail through Django's mail settings; catalogue data
through shop_catalog's public service `import_pricelist_file`.
"""

from story_kit import ADDRESS, Api, fail, import_price_list, new_user, outbox_to, run, step

API = "/api/v1/orders/"


def story():
    offer = import_price_list()
    stock = offer.quantity
    olga = Api().login(new_user("olga"))
    Api().get(API + "cart/", status=403)

    cart = olga.get(API + "cart/")
    if cart["count"] != 0:
        fail(f"a new user's cart is not empty: {cart}")
    cart = olga.post(API + "cart/lines/", {"offer": offer.id, "quantity": 2}, status=201)
    if len(cart["lines"]) != 1 or cart["count"] != 2 or cart["total"] != "39980.00":
        fail(f"the cart holds {cart}")

    order = olga.post(
        API + "checkout/", {"address": ADDRESS}, status=201, HTTP_IDEMPOTENCY_KEY="o-1"
    )
    offer.refresh_from_db()
    if order["status"] != "new" or offer.quantity != stock - 2:
        fail(f"order {order['status']}, stock {offer.quantity} (was {stock})")
    step("checkout took 2 units from stock")
    retry = olga.post(
        API + "checkout/", {"address": ADDRESS}, status=200, HTTP_IDEMPOTENCY_KEY="o-1"
    )
    if retry["id"] != order["id"]:
        fail("a retry with the same Idempotency-Key made another order")

    orders = olga.get(API + "orders/")
    if [o["id"] for o in orders["results"]] != [order["id"]]:
        fail(f"orders/ lists {orders}")
    if not outbox_to("olga@example.com"):
        fail("the customer got no e-mail about the new order")
    step("the customer got the order e-mail")

    olga.post(f"{API}orders/{order['id']}/cancel/", {"comment": ""}, status=200)
    offer.refresh_from_db()
    if offer.quantity != stock:
        fail(f"the cancel did not return the stock: {offer.quantity}, expected {stock}")
    step("the cancel returned the stock")


if __name__ == "__main__":
    run(story)
