"""A new customer books a demo specialist and both see it in their feeds."""

from datetime import date, timedelta

import pytest

from .helpers import DEMO_PASSWORD, logged_in, register_and_verify

pytestmark = pytest.mark.django_db


def feed(client, api_client):
    url = client.get("/api/v1/bookings/feed-token/").json()["url"]
    response = api_client.get(url)  # the URL itself is the credential
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return response.content.decode()


def test_book_a_specialist_and_see_it_in_both_feeds(api_client, demo):
    register_and_verify(api_client, "kate@example.com")
    kate = logged_in("kate@example.com")

    specialists = api_client.get("/api/v1/bookings/specialists/", {"city": "Moscow"}).json()
    specialist = specialists["results"][0]
    service = next(s for s in specialist["services"] if s["name"] == "Haircut")
    day = date.today() + timedelta(days=7)
    while day.weekday() >= 5:  # demo hours are Mon-Fri
        day += timedelta(days=1)
    slots = api_client.get(
        f"/api/v1/bookings/specialists/{specialist['id']}/slots/",
        {"service": service["id"], "from": day.isoformat(), "to": day.isoformat()},
    ).json()["slots"]
    assert slots, "a working day of a demo specialist has free slots"

    response = kate.post(
        "/api/v1/bookings/bookings/",
        {"service": service["id"], "start": slots[0]["start"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="kate-first-booking",
    )
    assert response.status_code == 201, response.content
    uid_line = f"UID:booking-{response.json()['id']}@"

    assert uid_line in feed(kate, api_client)
    specialist_client = logged_in("specialist@example.com", DEMO_PASSWORD)
    assert uid_line in feed(specialist_client, api_client)
    # Another customer neither sees the booking nor has it in a feed.
    other = logged_in("customer@example.com", DEMO_PASSWORD)
    assert other.get(f"/api/v1/bookings/bookings/{response.json()['id']}/").status_code == 404
    assert uid_line not in feed(other, api_client)
