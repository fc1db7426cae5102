"""Bookings: a member of the `specialist` group fills in a profile, a service
and working hours; a client lists the free slots, books one (retrying with the
same Idempotency-Key), both get the e-mail and see the booking; another user
does not.

README: the API under `/api/v1/bookings/` (`specialists/me/`, `services/`,
`working-hours/`, `specialists/`, `specialists/{id}/slots/`, `bookings/`),
`SPECIALIST_GROUP` (default "specialist") read by the default `IS_SPECIALIST`.
"""

from datetime import date, timedelta

from story_kit import Api, fail, new_user, outbox_to, run, step

API = "/api/v1/bookings/"


def story():
    from django.contrib.auth.models import Group

    anna = new_user("anna")
    anna.groups.add(Group.objects.get_or_create(name="specialist")[0])
    step('anna joined the group "specialist" (SPECIALIST_GROUP)')
    specialist = Api().login(anna)
    profile = specialist.put(
        API + "specialists/me/",
        {"display_name": "Anna", "city": "Berlin", "time_zone": "Europe/Berlin"},
    )
    service = specialist.post(
        API + "services/",
        {"name": "Haircut", "price": "30.00", "duration_minutes": 60},
        status=201,
    )
    for weekday in range(7):
        specialist.post(
            API + "working-hours/",
            {"weekday": weekday, "start": "09:00", "end": "18:00"},
            status=201,
        )

    client = Api().login(new_user("kate"))
    listed = client.get(API + "specialists/", {"city": "Berlin"})["results"]
    if [s["id"] for s in listed] != [profile["id"]]:
        fail(f"specialists/ lists {listed}")
    day = (date.today() + timedelta(days=3)).isoformat()
    slots = client.get(
        f"{API}specialists/{profile['id']}/slots/",
        {"service": service["id"], "from": day, "to": day},
    )["slots"]
    if not slots:
        fail(f"no free slot on {day}")
    booking = client.post(
        API + "bookings/",
        {"service": service["id"], "start": slots[0]["start"]},
        status=201,
        HTTP_IDEMPOTENCY_KEY="kate-1",
    )
    retry = client.post(
        API + "bookings/",
        {"service": service["id"], "start": slots[0]["start"]},
        status=200,
        HTTP_IDEMPOTENCY_KEY="kate-1",
    )
    if retry["id"] != booking["id"]:
        fail("a retry with the same Idempotency-Key made another booking")
    client.post(
        API + "bookings/", {"service": service["id"], "start": slots[0]["start"]}, status=400
    )
    step("the same start again is refused")
    for who in ("kate@example.com", "anna@example.com"):
        if not outbox_to(who):
            fail(f"no e-mail about the new booking to {who}")
    step("client and specialist got the booking e-mail")

    mine = specialist.get(API + "bookings/", {"role": "specialist"})["results"]
    if [b["id"] for b in mine] != [booking["id"]]:
        fail(f"the specialist's bookings: {mine}")
    Api().login(new_user("ivan")).get(f"{API}bookings/{booking['id']}/", status=404)


if __name__ == "__main__":
    run(story)
