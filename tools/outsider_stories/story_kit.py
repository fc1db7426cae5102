"""What every outsider story shares: start Django as a test run would, call the
API with ``django.test.Client``, and stop with a clear message.

A story runs with the outsider project's python, ``DJANGO_SETTINGS_MODULE``
set and the project's folder as the working directory, against the SQLite
database that ``migrate`` made. It uses only what the package's README shows
(its URL prefix, its commands) and the models and services the README calls
public. It prints one line per step and exits non-zero at the first surprise.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

PASSWORD = "Correct-Horse-42"

# A supplier's price list in the catalogue's YAML format (two goods).
SHOP = "Outsider Supplies"
PRICE_LIST = """\
shop: {shop}
categories:
  - id: 1
    name: Phones
  - id: 2
    name: Cables
goods:
  - id: P-1
    category: 1
    model: acme/one
    name: Acme One phone
    price: {price}
    price_rrc: 21000
    quantity: 5
    parameters:
      Colour: black
  - id: C-1
    category: 2
    model: acme/usb-c
    name: USB-C cable
    price: 490.50
    quantity: 100
"""
ADDRESS = {
    "recipient": "Olga Kim",
    "phone": "+79031234567",
    "city": "Moscow",
    "street": "Arbat",
    "building": "10",
    "postal_code": "119002",
}


def import_price_list(price: str = "19990") -> Any:
    """The price list through shop_catalog's public service; the phone's offer."""
    from shop_catalog.models import Offer
    from shop_catalog.services import import_pricelist_file

    content = PRICE_LIST.format(shop=SHOP, price=price).encode()
    import_pricelist_file(content=content, fmt="yaml", create_shop=True)
    step("shop_catalog.services.import_pricelist_file(...) (2 goods)")
    return Offer.objects.get(external_id="P-1")


def new_user(name: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(name, f"{name}@example.com", PASSWORD)


class StoryFailed(Exception):
    pass


def start() -> None:
    """``django.setup()`` and the test environment (locmem mail, ``testserver``)."""
    import django
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()


def step(message: str) -> None:
    print(f"ok  {message}", flush=True)


def fail(message: str) -> None:
    raise StoryFailed(message)


def body(response: Any) -> Any:
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return response.content.decode(errors="replace")[:2000]


class Api:
    """A ``django.test.Client`` that sends JSON and checks each status."""

    def __init__(self, **defaults: str) -> None:
        from django.test import Client

        self.client = Client(**defaults)
        self.headers: dict[str, str] = {}

    def login(self, user: Any) -> Api:
        """Log ``user`` in through a session (for packages shown without a login API)."""
        self.client.force_login(user)
        return self

    def token(self, scheme: str, key: str) -> Api:
        self.headers["HTTP_AUTHORIZATION"] = f"{scheme} {key}"
        return self

    def call(self, method: str, path: str, data: Any = None, *, status: int, **extra: Any) -> Any:
        send = getattr(self.client, method.lower())
        kwargs: dict[str, Any] = {**self.headers, **extra}
        if method.upper() == "GET":
            response = send(path, data or {}, **kwargs)
        elif "multipart" in kwargs:
            kwargs.pop("multipart")
            response = send(path, data, **kwargs)
        else:
            payload = json.dumps(data) if data is not None else ""
            response = send(path, payload, content_type="application/json", **kwargs)
        if response.status_code != status:
            fail(
                f"{method.upper()} {path} answered {response.status_code}, expected {status}:\n"
                f"{json.dumps(body(response), ensure_ascii=False, indent=1)[:3000]}"
            )
        step(f"{method.upper()} {path} -> {status}")
        return body(response)

    def get(self, path: str, data: Any = None, *, status: int = 200, **extra: Any) -> Any:
        return self.call("GET", path, data, status=status, **extra)

    def post(self, path: str, data: Any = None, *, status: int, **extra: Any) -> Any:
        return self.call("POST", path, data, status=status, **extra)

    def put(self, path: str, data: Any = None, *, status: int = 200, **extra: Any) -> Any:
        return self.call("PUT", path, data, status=status, **extra)

    def patch(self, path: str, data: Any = None, *, status: int = 200, **extra: Any) -> Any:
        return self.call("PATCH", path, data, status=status, **extra)


def outbox_to(address: str) -> list[Any]:
    from django.core import mail

    return [message for message in mail.outbox if address in message.to]


def find(pattern: str, text: str, what: str) -> str:
    match = re.search(pattern, text)
    if not match:
        fail(f"no {what} in:\n{text[:2000]}")
    return match.group(1)


def run(story: Any) -> None:
    """Run ``story()`` after ``start()``; exit 1 with the message on failure."""
    try:
        start()
        story()
    except StoryFailed as error:
        print(f"STORY FAILED: {error}", flush=True)
        sys.exit(1)
    print("story passed", flush=True)
