"""The mixed workload of ``nox -s load`` (driven by tools/load.py).

Each simulated user is one seeded customer (its own token, cart and saved
address) and picks actions with these weights:

- browse 70: one catalogue request, anonymous (product list pages,
  filters, search, ordering, product detail, categories);
- cart 20: add a line, change or remove it, read the cart;
- checkout 5: empty the cart, add a scarce offer and maybe a plentiful
  one, check out with an ``Idempotency-Key`` (sometimes sent twice at
  once: one 201 and one 200 with the same order); sometimes replay the key
  later (must return the same order) or cancel the order;
- bookings 5: list a specialist's free slots for one day, book one.

Every response is classified: ``ok``, a valid refusal (checkout or cart
``out_of_stock`` on scarce offers, booking ``taken``, ``no_slot`` when a day
is full), or ``error`` (5xx, connection errors, any other status, a replay
returning another order). At the end the raw samples, the orders and
bookings the client was told about, and the first error details are
written as JSON to ``$LOAD_RESULTS``; tools/load.py summarises and checks
them against the database.

With fewer customers than users (``--customers``), users share customers
like one person's two devices; a cart line removed by the other device
(404) and a cart emptied by its checkout (409 ``empty_cart`` or
``cart_changed``) are then
valid too.

A checkout or a booking that gets no answer (a connection error) or a
502/503/504 (a server restarting, tools/topology.py) is sent again with the
same ``Idempotency-Key``, as a client should: the first answer that comes
back (201, or 200 replaying an order placed by a lost attempt) counts, the
failed attempts are errors.

Input: ``$LOAD_CONFIG``, a JSON file written by tools/load.py (tokens,
address ids, offer, product, category and specialist ids);
``$LOAD_TLS_NO_VERIFY=1`` accepts the self-signed certificate of the
topology's nginx.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import random
import time
import uuid
from datetime import date, timedelta

import gevent
from locust import HttpUser, between, events, task

CONFIG = json.loads(open(os.environ["LOAD_CONFIG"], encoding="utf-8").read())
RESULTS_PATH = os.environ["LOAD_RESULTS"]
TIMEOUT = 30
MAX_ERROR_DETAILS = 50

CATALOG = "/api/v1/catalog"
ORDERS = "/api/v1/orders"
BOOKINGS = "/api/v1/bookings"
INLINE_ADDRESS = {
    "recipient": "Load Tester",
    "phone": "+7 916 000-00-00",
    "city": "Москва",
    "street": "ул. Нагрузочная",
    "building": "7",
    "apartment": "1",
    "postal_code": "101000",
}

# Everything the run saw; written once at the end.
RECORD: dict = {
    "started": None,
    "stopped": None,
    "samples": [],  # [group, name, status, milliseconds, outcome, unix time sent]
    "orders": [],  # 201 checkouts: id, number, customer, lines, canceled
    "bookings": [],  # 201 bookings: id, specialist, service, start, status
    "error_details": [],
}
_customers = itertools.count()
# Fewer customers than users: several users act as one customer (two
# devices), so a line or a cart may vanish under a user's feet.
SHARED = len(CONFIG["customers"]) < CONFIG["users"]
GONE = {404: "404 line gone (shared customer)"} if SHARED else {}
TLS_NO_VERIFY = os.environ.get("LOAD_TLS_NO_VERIFY") == "1"
if TLS_NO_VERIFY:
    import urllib3

    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
# A keyed POST is sent again after these answers (no answer, or a proxy's).
RETRY_STATUSES = {0, 502, 503, 504}
RETRY_PAUSES = (0.5, 1, 2, 4, 8)


@events.test_start.add_listener
def _started(**_kwargs) -> None:
    RECORD["started"] = time.time()


@events.test_stop.add_listener
def _stopped(**_kwargs) -> None:
    RECORD["stopped"] = time.time()


@events.quitting.add_listener
def _write(**_kwargs) -> None:
    RECORD["stopped"] = RECORD["stopped"] or time.time()
    with open(RESULTS_PATH, "w", encoding="utf-8") as out:
        json.dump(RECORD, out)


class Customer(HttpUser):
    wait_time = between(*CONFIG["wait"])

    def on_start(self) -> None:
        customers = CONFIG["customers"]
        self.customer = customers[next(_customers) % len(customers)]
        self.auth = {"Authorization": f"Token {self.customer['token']}"}
        self.rng = random.Random()
        if TLS_NO_VERIFY:
            self.client.verify = False

    # --- one request, timed and classified ------------------------------------

    def call(
        self,
        group: str,
        name: str,
        method: str,
        path: str,
        *,
        ok: tuple[int, ...] = (200,),
        valid: dict[int, str] | None = None,
        body: dict | None = None,
        headers: dict | None = None,
        auth: bool = True,
        check=None,
    ) -> tuple[int, object, str]:
        """Send one request; returns (status, JSON body or None, outcome).

        ``valid`` maps statuses that are an expected refusal to their label;
        ``check(status, body)`` may return an error text for a 2xx answer.
        """
        sent_headers = dict(self.auth) if auth else {}
        sent_headers.update(headers or {})
        sent_at = time.time()
        started = time.perf_counter()
        with self.client.request(
            method,
            path,
            json=body,
            headers=sent_headers,
            name=f"{group}: {name}",
            catch_response=True,
            timeout=TIMEOUT,
        ) as response:
            elapsed = (time.perf_counter() - started) * 1000
            status = response.status_code or 0
            try:
                data = response.json() if response.content else None
            except ValueError:
                data = None
            problem = None
            if status in ok:
                outcome = "ok"
                if check is not None:
                    problem = check(status, data)
            elif valid and status in valid:
                outcome = valid[status]
                if callable(outcome):
                    outcome, problem = outcome(data)
            else:
                problem = f"unexpected HTTP {status}"
            if problem:
                outcome = "error"
                response.failure(problem)
                text = (response.text or "")[:300] if status else str(response.error)[:300]
                _detail(group, f"{method} {path}", status, problem, text)
            else:
                response.success()
        RECORD["samples"].append([group, name, status, round(elapsed, 2), outcome, sent_at])
        return status, data, outcome

    def keyed(self, *args, ok: tuple[int, ...], **kwargs) -> tuple[int, object, str]:
        """``call`` for a POST with an ``Idempotency-Key``, sent again while no
        server answered; a retry may get 200, the replay of a lost attempt's 201."""
        answer = self.call(*args, ok=ok, **kwargs)
        for pause in RETRY_PAUSES:
            if answer[0] not in RETRY_STATUSES:
                break
            time.sleep(pause)
            answer = self.call(*args, ok=(*ok, 200), **kwargs)
        if answer[0] == 200 and 200 not in ok:
            answer = (201, *answer[1:])
        return answer

    def note(self, group: str, name: str, outcome: str) -> None:
        """An outcome that sent no request (e.g. no free slot to book)."""
        RECORD["samples"].append([group, name, None, None, outcome, time.time()])

    # --- browse 70% --------------------------------------------------------------

    @task(70)
    def browse(self) -> None:
        rng = self.rng
        kind = rng.choices(
            ["list", "category", "parameter", "search", "detail", "categories"],
            weights=[25, 20, 15, 10, 25, 5],
        )[0]
        products = f"{CATALOG}/products/"
        if kind == "list":
            path = f"{products}?page={rng.randint(1, 10)}"
        elif kind == "category":
            low = rng.choice([0, 1000, 10_000])
            path = (
                f"{products}?category={rng.choice(CONFIG['categories'])}"
                f"&price_min={low}&price_max={low + rng.choice([5000, 50_000, 200_000])}"
            )
        elif kind == "parameter":
            name, value = rng.choice(CONFIG["parameters"])
            ordering = rng.choice(["price", "-price", "name", "newest"])
            path = f"{products}?parameter={name}:{value}&in_stock=true&ordering={ordering}"
        elif kind == "search":
            path = f"{products}?search=Product%20{rng.randint(0, 19):02d}"
        elif kind == "detail":
            path = f"{products}{rng.choice(CONFIG['products'])}/"
        else:
            path = rng.choice([f"{CATALOG}/categories/", f"{CATALOG}/categories/tree/"])
        self.call("browse", kind, "GET", path, auth=False, check=_page_or_object)

    # --- cart 20% ------------------------------------------------------------------

    @task(20)
    def cart(self) -> None:
        rng = self.rng
        offer = rng.choice(CONFIG["big_offers"])
        status, data, _outcome = self.call(
            "cart",
            "add",
            "POST",
            f"{ORDERS}/cart/lines/",
            ok=(201,),
            body={"offer": offer, "quantity": rng.randint(1, 3)},
        )
        if status != 201:
            return
        line = next((ln["id"] for ln in data["lines"] if ln["offer"]["id"] == offer), None)
        if line is None:
            self.note("cart", "add", "line gone (shared customer)" if SHARED else "error")
            return
        if rng.random() < 0.5:
            self.call(
                "cart",
                "change",
                "PATCH",
                f"{ORDERS}/cart/lines/{line}/",
                valid=GONE,
                body={"quantity": rng.randint(1, 5)},
            )
        else:
            self.call(
                "cart", "remove", "DELETE", f"{ORDERS}/cart/lines/{line}/", ok=(204,), valid=GONE
            )
        self.call("cart", "read", "GET", f"{ORDERS}/cart/")

    # --- checkout 5% -------------------------------------------------------------

    @task(5)
    def checkout(self) -> None:
        rng = self.rng
        self.call("checkout", "empty cart", "DELETE", f"{ORDERS}/cart/", ok=(204,))
        added = 0
        status, _data, _outcome = self.call(
            "checkout",
            "add scarce",
            "POST",
            f"{ORDERS}/cart/lines/",
            ok=(201,),
            valid={400: _out_of_stock},
            body={"offer": rng.choice(CONFIG["hot_offers"]), "quantity": rng.randint(1, 3)},
        )
        added += status == 201
        if rng.random() < 0.5 or not added:
            status, _data, _outcome = self.call(
                "checkout",
                "add plentiful",
                "POST",
                f"{ORDERS}/cart/lines/",
                ok=(201,),
                body={"offer": rng.choice(CONFIG["big_offers"]), "quantity": 1},
            )
            added += status == 201
        if not added:
            return
        # The customer reviews the cart before paying: others may buy the
        # last units meanwhile, so checkout may answer 409.
        self.call("checkout", "review cart", "GET", f"{ORDERS}/cart/")
        time.sleep(rng.uniform(0.2, 1.0))
        key = str(uuid.uuid4())
        body = (
            {"address_id": str(self.customer["address_id"])}
            if rng.random() < 0.5
            else {"address": INLINE_ADDRESS, "comment": "load test"}
        )
        double = rng.random() < 0.1
        submit = functools.partial(
            self.call if double else self.keyed,
            "checkout",
            "double submit" if double else "checkout",
            "POST",
            f"{ORDERS}/checkout/",
            ok=(200, 201) if double else (201,),
            valid={409: _refused},
            body=body,
            headers={"Idempotency-Key": key},
            check=lambda _s, data: None if data and data.get("number") else "no order number",
        )
        if not double:
            status, order, _outcome = submit()
        else:
            # A client that sends the request twice at once (double click, retry
            # on a slow answer): one 201 and one 200 with the same order.
            first, second = gevent.spawn(submit), gevent.spawn(submit)
            gevent.joinall([first, second])
            answers = sorted([first.value, second.value], key=lambda answer: answer[0])
            statuses = [answer[0] for answer in answers]
            if statuses == [200, 201] and answers[0][1]["id"] == answers[1][1]["id"]:
                status, order = 201, answers[1][1]
            elif statuses[0] == statuses[1] and statuses[0] == 409:
                return  # refused twice, each classified by call()
            else:
                ids = [answer[1] and answer[1].get("id") for answer in answers]
                self.note("checkout", "double submit", "error")
                _detail("checkout", "double submit", statuses, f"statuses {statuses}, ids {ids}")
                return
        if status != 201 or not order:
            return
        record = {
            "id": order["id"],
            "number": order["number"],
            "customer": self.customer["email"],
            "key": key,
            "lines": [
                [line["offer"], line["quantity"]]
                for part in order.get("parts", [])
                for line in part.get("lines", [])
            ],
            "canceled": False,
        }
        RECORD["orders"].append(record)
        roll = rng.random()
        if roll < 0.2:  # a client retry: the same key must give the same order
            self.call(
                "checkout",
                "replay",
                "POST",
                f"{ORDERS}/checkout/",
                ok=(200,),
                body=body,
                headers={"Idempotency-Key": key},
                check=lambda _s, data: (
                    None
                    if data and data.get("id") == record["id"]
                    else f"replay gave another order: {data and data.get('id')}"
                ),
            )
        elif roll < 0.4:
            status, _data, _outcome = self.call(
                "checkout",
                "cancel",
                "POST",
                f"{ORDERS}/orders/{record['id']}/cancel/",
                body={"comment": "load test"},
                check=lambda _s, data: (
                    None
                    if data and data.get("status") == "canceled"
                    else f"status after cancel: {data and data.get('status')}"
                ),
            )
            record["canceled"] = status == 200

    # --- bookings 5% -------------------------------------------------------------

    @task(5)
    def book(self) -> None:
        rng = self.rng
        specialist = rng.choice(CONFIG["specialists"])
        service = rng.choice(specialist["services"])
        day = date.today() + timedelta(days=rng.randint(1, 4))
        status, data, _outcome = self.call(
            "bookings",
            "slots",
            "GET",
            f"{BOOKINGS}/specialists/{specialist['id']}/slots/"
            f"?service={service}&from={day}&to={day}",
            auth=False,
            check=lambda _s, data: None if data and "slots" in data else "no slots list",
        )
        if status != 200:
            return
        slots = data["slots"]
        if not slots:
            self.note("bookings", "book", "no_slot")
            return
        # The first few slots of the day: concurrent users collide on purpose.
        start = rng.choice(slots[:3])["start"]
        status, booking, _outcome = self.keyed(
            "bookings",
            "book",
            "POST",
            f"{BOOKINGS}/bookings/",
            ok=(201,),
            valid={400: _taken},
            body={"service": service, "start": start},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        if status == 201 and booking:
            RECORD["bookings"].append(
                {
                    "id": booking.get("id"),
                    "specialist": specialist["id"],
                    "service": service,
                    "start": start,
                    "customer": self.customer["email"],
                }
            )


def _detail(group: str, request: str, status: object, problem: str, body: str = "") -> None:
    if len(RECORD["error_details"]) < MAX_ERROR_DETAILS:
        RECORD["error_details"].append(
            {
                "group": group,
                "request": request,
                "status": status,
                "problem": problem,
                "body": body,
                "at": time.time(),
            }
        )


def _page_or_object(_status: int, data: object) -> str | None:
    if not isinstance(data, (dict, list)):
        return "not JSON"
    return None


def _codes(data: object) -> set[str]:
    """The ``code`` of each problem of an error answer (the packages' one error shape)."""
    errors = data.get("errors") if isinstance(data, dict) else None
    return {error.get("code") for error in errors or [] if isinstance(error, dict)}


def _out_of_stock(data: object) -> tuple[str, str | None]:
    """400 on adding a scarce offer is valid only when stock is the reason."""
    if "out_of_stock" in _codes(data):
        return "400 out_of_stock (add)", None
    return "error", f"400 that is not about stock: {str(data)[:200]}"


def _refused(data: object) -> tuple[str, str | None]:
    """409 at checkout: the last units were sold meanwhile, or (a shared customer)
    another device checked the cart out first."""
    codes = _codes(data)
    if SHARED and codes & {"empty_cart", "cart_changed"}:
        return "409 cart checked out elsewhere (shared customer)", None
    lines = data.get("lines") if isinstance(data, dict) else None
    if (
        codes & {"unavailable", "out_of_stock"}
        and lines
        and all(line.get("problem") == "out_of_stock" for line in lines)
    ):
        return "409 out_of_stock", None
    return "error", f"409 without out-of-stock lines: {str(data)[:200]}"


def _taken(data: object) -> tuple[str, str | None]:
    """400 on booking a listed slot is valid only when someone took it first."""
    if "taken" in _codes(data):
        return "400 taken", None
    return "error", f"400 that is not 'taken': {str(data)[:200]}"
