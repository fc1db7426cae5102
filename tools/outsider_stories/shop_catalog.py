"""Catalog: import a supplier price list with the README's command, list the
catalogue, then the supplier imports a changed list through the API.

README: `manage.py import_pricelist FILE [--shop NAME] ... [--create-shop]`,
the API under `/api/v1/catalog/` (`products/`, `categories/tree/`,
`supplier/shops/`, `supplier/shops/{id}/import/`), the public model `Shop`
(`owner`).
"""

from pathlib import Path

from story_kit import PASSWORD, PRICE_LIST, SHOP, Api, fail, run, step

API = "/api/v1/catalog/"


def story():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from shop_catalog.models import Shop

    path = Path("pricelist.yaml")
    path.write_text(PRICE_LIST.format(shop=SHOP, price="19990"), encoding="utf-8")
    call_command("import_pricelist", str(path), "--create-shop")
    step("manage.py import_pricelist pricelist.yaml --create-shop")

    anyone = Api()
    products = anyone.get(API + "products/")
    if products["count"] != 2:
        fail(f"expected the 2 imported products, got {products}")
    phone = next(p for p in products["results"] if p["name"] == "Acme One phone")
    if str(phone["min_price"]) not in ("19990.00", "19990"):
        fail(f"the phone's min_price is {phone['min_price']}, expected 19990.00")
    tree = anyone.get(API + "categories/tree/")
    names = sorted(node["name"] for node in (tree["results"] if isinstance(tree, dict) else tree))
    if names != ["Cables", "Phones"]:
        fail(f"the category tree holds {names}")

    # The shop's owner is a supplier: a new price list through the API.
    owner = get_user_model().objects.create_user("supplier", "supplier@example.com", PASSWORD)
    Shop.objects.filter(name=SHOP).update(owner=owner)
    supplier = Api().login(owner)
    shops = supplier.get(API + "supplier/shops/")["results"]
    shop_id = next(s["id"] for s in shops if s["name"] == SHOP)
    path.write_text(PRICE_LIST.format(shop=SHOP, price="17990"), encoding="utf-8")
    with path.open("rb") as upload:
        job = supplier.post(
            f"{API}supplier/shops/{shop_id}/import/", {"file": upload}, status=201, multipart=True
        )
    if job["summary"]["updated"] != 1:
        fail(f"expected one updated offer, got {job['summary']}")
    phone = anyone.get(f"{API}products/{phone['id']}/")
    if str(phone["min_price"]) not in ("17990.00", "17990"):
        fail(f"after the API import the phone costs {phone['min_price']}")
    anyone.get(API + "supplier/shops/", status=403)


if __name__ == "__main__":
    run(story)
