"""Cabinet: a customer saves an address, checks out with it (the address
book feeds shop_orders' checkout), keeps a favourite and sees it all on the
dashboard and in the order history; another user sees none of it.

README: the API under `/api/v1/cabinet/` (`addresses/`, `favourites/`,
`dashboard/`, `orders/`, `export/`), `SHOP_ORDERS["ADDRESS_RESOLVER"]`,
shop_orders' API under `/api/v1/orders/` for the cart and checkout; the
catalogue's data through shop_catalog's public service.
"""

from story_kit import ADDRESS, Api, fail, import_price_list, new_user, run, step

API = "/api/v1/cabinet/"
ORDERS = "/api/v1/orders/"


def story():
    offer = import_price_list()
    olga = Api().login(new_user("olga"))
    Api().get(API + "dashboard/", status=403)

    address = olga.post(API + "addresses/", {"kind": "shipping", **ADDRESS}, status=201)
    if address["is_default"] is not True:
        fail(f"the first shipping address is not the default: {address}")
    olga.post(API + "favourites/", {"product_id": offer.product_id}, status=201)

    olga.post(ORDERS + "cart/lines/", {"offer": offer.id, "quantity": 1}, status=201)
    order = olga.post(ORDERS + "checkout/", {"address_id": str(address["id"])}, status=201)
    if order["address"]["street"] != ADDRESS["street"]:
        fail(f"the order's address is {order['address']}")
    step("checkout took the address from the address book")

    dashboard = olga.get(API + "dashboard/")
    if (
        dashboard["orders"]["count"] != 1
        or dashboard["orders"]["by_status"]["new"] != 1
        or dashboard["addresses_count"] != 1
        or dashboard["favourites_count"] != 1
        or dashboard["spent"]["overall"] != "19990.00"
    ):
        fail(f"the dashboard shows {dashboard}")
    history = olga.get(API + "orders/")
    if [o["number"] for o in history["results"]] != [order["number"]]:
        fail(f"the order history lists {history}")
    olga.get(f"{API}orders/{order['id']}/")
    archive = olga.get(API + "export/")
    if set(archive["sections"]) < {"account", "addresses", "favourites", "orders"}:
        fail(f"the export has the sections {sorted(archive['sections'])}")

    other = Api().login(new_user("ivan"))
    other.get(f"{API}orders/{order['id']}/", status=404)
    other.get(f"{API}addresses/{address['id']}/", status=404)
    if other.get(API + "dashboard/")["orders"]["count"] != 0:
        fail("another user's dashboard counts Olga's order")


if __name__ == "__main__":
    run(story)
